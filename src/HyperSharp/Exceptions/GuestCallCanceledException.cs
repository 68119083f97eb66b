namespace HyperSharp;

/// <summary>
/// A guest call was stopped before it finished: by <see cref="InterruptHandle.Kill"/>, by
/// <see cref="SandboxOptions.CallTimeout"/> or by its <see cref="CancellationToken"/>. If the guest had started
/// running, it stopped at an arbitrary instruction and the sandbox is <see cref="SandboxState.Poisoned"/>
/// until <see cref="Sandbox.Restore()"/>; if the token was cancelled before the call began, nothing ran and
/// nothing changed (<see cref="GuestRan"/> is false).
/// </summary>
/// <remarks>
/// Derives from <see cref="OperationCanceledException"/>, as .NET code expects of cancellation, and so not
/// from <see cref="SandboxException"/>.
/// </remarks>
public sealed class GuestCallCanceledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public GuestCallCanceledException(string message, CallCancellationReason reason, bool guestRan, CancellationToken cancellationToken)
        : base(message, cancellationToken)
    {
        Reason = reason;
        GuestRan = guestRan;
    }

    /// <summary>What stopped the call.</summary>
    public CallCancellationReason Reason { get; }

    /// <summary>Whether the guest had started running; if so, the sandbox is poisoned.</summary>
    public bool GuestRan { get; }
}
