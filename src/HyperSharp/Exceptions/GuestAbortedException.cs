namespace HyperSharp;

/// <summary>The guest gave up (<c>hs_abort</c>, <c>assert</c>, heap exhaustion). The sandbox is poisoned.</summary>
public sealed class GuestAbortedException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public GuestAbortedException(int errorCode, string guestMessage)
        : base(guestMessage.Length == 0 ? $"The guest aborted with code {errorCode}." : $"The guest aborted with code {errorCode}: {guestMessage}")
    {
        ErrorCode = errorCode;
        GuestMessage = guestMessage;
    }

    /// <summary>The code the guest passed to <c>hs_abort</c>.</summary>
    public int ErrorCode { get; }

    /// <summary>The guest's text, possibly empty; at most 1024 UTF-8 bytes.</summary>
    public string GuestMessage { get; }
}
