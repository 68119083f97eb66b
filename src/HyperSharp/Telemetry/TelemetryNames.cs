namespace HyperSharp.Telemetry;

/// <summary>Attribute names and their low-cardinality values, shared by metrics, spans and logs.</summary>
internal static class TelemetryNames
{
    public const string FunctionName = "hypersharp.function.name";
    public const string FaultKind = "hypersharp.fault.kind";
    public const string CancellationReason = "hypersharp.cancellation.reason";
    public const string Origin = "hypersharp.sandbox.origin";
    public const string RestoredPages = "hypersharp.restore.pages";
    public const string PoolName = "hypersharp.pool.name";
    public const string PoolSandboxState = "hypersharp.pool.sandbox.state";
    public const string RetirementReason = "hypersharp.pool.retirement.reason";
    public const string ErrorType = "error.type";

    /// <summary>The function attribute of a call to a name the guest does not export: callers' typos and hostile input stay one series.</summary>
    public const string OtherFunction = "_OTHER";

    /// <summary>The <see cref="FaultKind"/> of a failure that poisoned a sandbox.</summary>
    public static string FaultKindOf(Exception failure) => failure switch
    {
        GuestAbortedException => "abort",
        GuestFaultException => "cpu_exception",
        GuestAccessViolationException => "memory_access",
        GuestProtocolException => "protocol_violation",
        HypervisorException => "hypervisor",
        _ => "other",
    };

    /// <summary>The <see cref="CancellationReason"/> value of <paramref name="reason"/>.</summary>
    public static string ReasonName(CallCancellationReason reason) => reason switch
    {
        CallCancellationReason.TimedOut => "timed_out",
        CallCancellationReason.TokenCanceled => "token_canceled",
        _ => "killed",
    };
}
