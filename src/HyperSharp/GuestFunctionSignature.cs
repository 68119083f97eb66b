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

    /// <summary>C-like text, e.g. <c>String Echo(String)</c>.</summary>
    public override string ToString() => $"{ReturnType} {Name}({string.Join(", ", ParameterTypes)})";
}
