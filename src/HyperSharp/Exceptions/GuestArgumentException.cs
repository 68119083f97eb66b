namespace HyperSharp;

/// <summary>
/// A call's arguments or expected return type do not match the guest function's signature, or the
/// arguments do not fit the input buffer. Raised before the guest runs; the sandbox stays usable.
/// </summary>
public sealed class GuestArgumentException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public GuestArgumentException(string functionName, string message)
        : base(message)
    {
        FunctionName = functionName;
    }

    /// <summary>The guest function that was called.</summary>
    public string FunctionName { get; }
}
