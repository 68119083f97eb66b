namespace HyperSharp.Scripting;

/// <summary>Whoever runs scripts in a sandbox and answers their tool calls: a <see cref="ScriptSandbox"/> or a <see cref="ScriptLease"/>.</summary>
internal interface IToolRunner
{
    /// <summary>Calls tool <paramref name="name"/> with the script's arguments; returns its result as JSON.</summary>
    string CallTool(string name, string argumentsJson);
}
