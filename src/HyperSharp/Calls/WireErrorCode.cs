namespace HyperSharp.Calls;

/// <summary>The error codes of <c>enum hs_error_code</c>, carried by ERROR messages.</summary>
internal enum WireErrorCode
{
    /// <summary>The guest function reported a failure itself.</summary>
    Guest = 1,

    /// <summary>A host function failed; the guest passed the failure on.</summary>
    HostFunction = 2,

    /// <summary>The result did not fit the output buffer.</summary>
    ResultTooLarge = 3,

    /// <summary>The called function is not exported.</summary>
    FunctionNotFound = 4,

    /// <summary>The guest could not decode the CALL it was given.</summary>
    BadCall = 5,
}
