namespace HyperSharp.Scripting;

/// <summary>The guest functions every interpreter exports and the host functions it calls (guest/runtimes/common/script.h).</summary>
internal static class ScriptHost
{
    public const string ConfigureFunction = "Configure";
    public const string RunFunction = "Run";
    public const string ToolFunction = "HostTool";

    /// <summary>The tool dispatcher of the sandbox that only configures and snapshots an interpreter: it runs no script.</summary>
    public static readonly Func<string, string, string> NoTools = (name, _) => throw new KeyNotFoundException($"there is no tool named '{name}'");

    /// <summary>
    /// HostTool calling <paramref name="tool"/>, and the C library's HostPrint and HostPrintError discarding what
    /// they get: interpreters print through the run's captured output, so anything on the C library's streams is an
    /// interpreter's own diagnostic, which must not reach the host's console unfiltered.
    /// </summary>
    public static HostFunctions Create(Func<string, string, string> tool)
    {
        var host = new HostFunctions();
        host.Define(HostFunctions.HostPrintName, (string text) => text.Length);
        host.Define(HostFunctions.HostPrintErrorName, (string text) => text.Length);
        host.Define(ToolFunction, tool);
        return host;
    }
}
