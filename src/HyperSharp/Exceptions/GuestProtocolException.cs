namespace HyperSharp;

/// <summary>
/// The guest broke the host/guest protocol: a malformed or oversized message, an unknown port, an
/// access outside guest memory, or an unexpected exit. The sandbox is poisoned.
/// </summary>
public sealed class GuestProtocolException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public GuestProtocolException(string message)
        : base(message)
    {
    }
}
