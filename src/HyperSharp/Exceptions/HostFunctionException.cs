namespace HyperSharp;

/// <summary>
/// A host function called by the guest failed and the guest passed the failure on.
/// <see cref="Exception.InnerException"/> is the exception the host function threw (or the
/// <see cref="ArgumentException"/> describing a call the host could not make). The sandbox stays usable.
/// </summary>
public sealed class HostFunctionException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public HostFunctionException(string functionName, string message, Exception? innerException)
        : base(message, innerException)
    {
        FunctionName = functionName;
    }

    /// <summary>The host function that failed, or an empty string if unknown.</summary>
    public string FunctionName { get; }
}
