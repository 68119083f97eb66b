namespace HyperSharp;

/// <summary>The guest function returned an error of its own (<c>hs_return_error</c>). The sandbox stays usable.</summary>
public sealed class GuestErrorException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public GuestErrorException(int errorCode, string guestMessage)
        : base($"The guest function failed with code {errorCode}: {guestMessage}")
    {
        ErrorCode = errorCode;
        GuestMessage = guestMessage;
    }

    /// <summary>The error code the guest reported.</summary>
    public int ErrorCode { get; }

    /// <summary>The guest's text.</summary>
    public string GuestMessage { get; }
}
