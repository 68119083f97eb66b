namespace HyperSharp;

/// <summary>The name and types of a function: a guest export or a host function.</summary>
/// <param name="Name">The function's name.</param>
/// <param name="ReturnType">What it returns; <see cref="GuestValueType.Void"/> for nothing.</param>
/// <param name="ParameterTypes">The parameter types, in order; never <see cref="GuestValueType.Void"/>.</param>
public sealed record GuestFunctionSignature(string Name, GuestValueType ReturnType, IReadOnlyList<GuestValueType> ParameterTypes)
{
    /// <inheritdoc />
    public bool Equals(GuestFunctionSignature? other) =>
        other is not null && Name == other.Name && ReturnType == other.ReturnType && ParameterTypes.SequenceEqual(other.ParameterTypes);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, ReturnType, ParameterTypes.Count);

    /// <summary>
    /// How a call with <paramref name="args"/>, expecting <paramref name="returnType"/>, differs from this signature, or
    /// null when it matches: the one check of guest calls and host calls alike. Allocates only to say what is wrong.
    /// </summary>
    /// <param name="args">The call's arguments.</param>
    /// <param name="returnType">The return type the call expects.</param>
    /// <param name="kind">What the function is, for the message: <c>"function"</c> or <c>"host function"</c>.</param>
    /// <param name="caller">Who made the call, for the message: <c>"the call"</c> or <c>"the guest"</c>.</param>
    internal string? Mismatch(ReadOnlySpan<GuestValue> args, GuestValueType returnType, string kind, string caller)
    {
        if (ParameterTypes.Count != args.Length)
        {
            return $"{Capitalized(kind)} '{Name}' takes {ParameterTypes.Count} parameter(s), but {caller} passed {args.Length}.";
        }

        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].Type != ParameterTypes[i])
            {
                return $"Parameter {i} of {kind} '{Name}' is {ParameterTypes[i]}, but {caller} passed {args[i].Type}.";
            }
        }

        return ReturnType == returnType ? null : $"{Capitalized(kind)} '{Name}' returns {ReturnType}, but {caller} expects {returnType}.";
    }

    /// <summary>C-like text, e.g. <c>String Echo(String)</c>.</summary>
    public override string ToString() => $"{ReturnType} {Name}({string.Join(", ", ParameterTypes)})";

    private static string Capitalized(string text) => string.Concat(text[..1].ToUpperInvariant(), text.AsSpan(1));
}
