using System.Text.Json;

namespace HyperSharp.Benchmarks.Compare.Scripts;

/// <summary>Checks a contender's result, so that no row times a script that failed or did something else.</summary>
internal static class ScriptChecks
{
    /// <summary>The agent script's summary must count the open orders.</summary>
    public static void Agent(string json)
    {
        using var summary = JsonDocument.Parse(json);
        var open = summary.RootElement.GetProperty("open").GetInt32();
        if (open != AgentScripts.OpenOrders)
        {
            throw new InvalidOperationException($"The agent script reported {open} open orders, not {AgentScripts.OpenOrders}: {json}");
        }
    }
}
