using System.Collections.Frozen;

namespace HyperSharp.Execution;

/// <summary>
/// A frozen copy of a <see cref="HostFunctions"/> registry: the functions the dispatcher runs and their signatures,
/// which snapshots are checked against. Immutable, so one copy serves every sandbox made while the registry does not
/// change, instead of two dictionaries built per sandbox.
/// </summary>
internal sealed class HostFunctionTable(FrozenDictionary<string, HostFunction> functions)
{
    public FrozenDictionary<string, HostFunction> Functions { get; } = functions;

    public FrozenDictionary<string, GuestFunctionSignature> Signatures { get; } =
        functions.ToFrozenDictionary(f => f.Key, f => f.Value.Signature, StringComparer.Ordinal);
}
