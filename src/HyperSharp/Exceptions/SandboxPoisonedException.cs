namespace HyperSharp;

/// <summary>
/// The sandbox was left in an unknown state by an earlier abort, fault, protocol violation or
/// cancellation and refuses calls until it is restored.
/// </summary>
public sealed class SandboxPoisonedException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public SandboxPoisonedException(string message, Exception? cause)
        : base(message, cause)
    {
    }
}
