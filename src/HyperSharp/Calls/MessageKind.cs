namespace HyperSharp.Calls;

/// <summary>The message kinds of <c>enum hs_message_kind</c>.</summary>
internal enum MessageKind : byte
{
    /// <summary>A function call: name and parameter values; the header carries the expected return type.</summary>
    Call = 1,

    /// <summary>A function's result: zero or one value.</summary>
    Return = 2,

    /// <summary>A failure: the header carries the code, the body one STRING value.</summary>
    Error = 3,

    /// <summary>The guest's exported function signatures, sent after init.</summary>
    Functions = 4,
}
