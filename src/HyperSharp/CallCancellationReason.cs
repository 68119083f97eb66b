namespace HyperSharp;

/// <summary>Why a guest call was stopped before it finished (<see cref="GuestCallCanceledException.Reason"/>).</summary>
public enum CallCancellationReason
{
    /// <summary><see cref="InterruptHandle.Kill"/> stopped it.</summary>
    Killed,

    /// <summary>It ran longer than <see cref="SandboxOptions.CallTimeout"/>.</summary>
    TimedOut,

    /// <summary>The call's <see cref="CancellationToken"/> was cancelled.</summary>
    TokenCanceled,
}
