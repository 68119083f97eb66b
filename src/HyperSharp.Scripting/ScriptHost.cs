namespace HyperSharp.Scripting;

/// <summary>The guest functions every interpreter exports and the host functions it calls (guest/runtimes/common/script.h).</summary>
internal static class ScriptHost
{
    public const string ConfigureFunction = "Configure";
    public const string RunFunction = "Run";
    public const string ToolFunction = "HostTool";

    /// <summary>
    /// The host functions of every script sandbox, one registry for all: HostTool calling the tools of whoever runs the
    /// script in the calling sandbox (its <see cref="Sandbox.Data"/>: a <see cref="ScriptSandbox"/>, or a pool lease whose
    /// state is a <see cref="ScriptLease"/>), and the C library's HostPrint and HostPrintError discarding what they get:
    /// interpreters print through the run's captured output, so anything on the C library's streams is an interpreter's
    /// own diagnostic, which must not reach the host's console unfiltered.
    /// </summary>
    public static HostFunctions Functions { get; } = Create();

    private static HostFunctions Create()
    {
        var host = new HostFunctions();
        host.Define(HostFunctions.HostPrintName, (string text) => text.Length);
        host.Define(HostFunctions.HostPrintErrorName, (string text) => text.Length);
        host.Define(ToolFunction, static (Caller caller, string name, string argumentsJson) =>
        {
            var runner = caller.Data is SandboxLease lease ? lease.State : caller.Data;
            return runner is IToolRunner tools
                ? tools.CallTool(name, argumentsJson)
                : throw new KeyNotFoundException($"there is no tool named '{name}'");
        });
        return host;
    }
}
