namespace HyperSharp;

/// <summary>
/// The sandbox whose guest is calling a host function: for host functions that keep per-sandbox state (a pool lease,
/// a script run's tools or output), given as their first parameter when they declare one. Valid only while the host
/// function runs, which the compiler enforces: it cannot be stored or captured.
/// </summary>
/// <example>
/// <code>
/// host.Define("Log", (Caller caller, string text) => ((RequestLog)caller.Data!).Add(text));
/// sandbox.Data = new RequestLog();
/// </code>
/// </example>
public readonly ref struct Caller
{
    internal Caller(Sandbox sandbox) => Sandbox = sandbox;

    /// <summary>
    /// The calling sandbox. It is busy with this very call: calling into it, snapshotting or restoring it throws
    /// <see cref="SandboxBusyException"/>; <see cref="Sandbox.InterruptHandle"/> and <see cref="Sandbox.Data"/> work.
    /// </summary>
    public Sandbox Sandbox { get; }

    /// <summary>The calling sandbox's <see cref="Sandbox.Data"/>: whatever the application attached to it.</summary>
    public object? Data => Sandbox.Data;
}
