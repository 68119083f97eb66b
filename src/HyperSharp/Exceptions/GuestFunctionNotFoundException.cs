namespace HyperSharp;

/// <summary>The guest exports no function of the requested name. The sandbox stays usable.</summary>
public sealed class GuestFunctionNotFoundException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public GuestFunctionNotFoundException(string functionName)
        : base($"The guest has no function named '{functionName}'.")
    {
        FunctionName = functionName;
    }

    /// <summary>The name that was not found.</summary>
    public string FunctionName { get; }
}
