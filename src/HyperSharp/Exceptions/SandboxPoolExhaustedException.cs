namespace HyperSharp;

/// <summary>
/// No sandbox of a <see cref="SandboxPool"/> became free within <see cref="SandboxPoolOptions.RentTimeout"/>: every
/// one stayed rented. Nothing was rented; the message names the pool and how many sandboxes it holds.
/// </summary>
public sealed class SandboxPoolExhaustedException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public SandboxPoolExhaustedException(string message)
        : base(message)
    {
    }
}
