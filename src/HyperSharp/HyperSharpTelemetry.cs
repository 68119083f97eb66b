namespace HyperSharp;

/// <summary>
/// The names under which HyperSharp reports what it does, for wiring it into OpenTelemetry or any
/// <see cref="System.Diagnostics.Metrics.MeterListener"/> and <see cref="System.Diagnostics.ActivityListener"/>:
/// <c>builder.AddMeter(HyperSharpTelemetry.MeterName).AddSource(HyperSharpTelemetry.ActivitySourceName)</c>.
/// The instruments, spans and attributes are listed in docs/telemetry.md. With nothing listening, a call records
/// nothing and allocates nothing.
/// </summary>
public static class HyperSharpTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> of every sandbox and pool metric.</summary>
    public const string MeterName = "HyperSharp";

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> of the create, call, restore, save and load spans.</summary>
    public const string ActivitySourceName = "HyperSharp";

    /// <summary>The log category of sandbox lifecycle events and failures.</summary>
    public const string SandboxLogCategory = "HyperSharp.Sandbox";

    /// <summary>The log category of what guests print (<c>HostPrint</c>, <c>HostPrintError</c>) when a logger is configured.</summary>
    public const string GuestOutputLogCategory = "HyperSharp.GuestOutput";

    /// <summary>The log category of pool events.</summary>
    public const string PoolLogCategory = "HyperSharp.SandboxPool";
}
