using System.Collections.Frozen;
using HyperSharp.Hypervisors;
using HyperSharp.Memory;

namespace HyperSharp;

/// <summary>
/// An immutable capture of a sandbox: its guest memory (a sealed memfd that sandboxes map
/// copy-on-write), its vCPU state, its memory layout, the guest's functions and the host functions
/// it was created with. Take one with <see cref="Sandbox.Snapshot"/>; use it with
/// <see cref="Sandbox.Restore(Snapshot)"/> and <see cref="Sandbox.FromSnapshot"/>.
/// </summary>
/// <remarks>
/// Disposing a snapshot closes its memfd. Sandboxes that already map it keep working, and one that
/// was created from it or last restored to it can still <see cref="Sandbox.Restore()"/>; only new
/// <see cref="Sandbox.FromSnapshot"/> and <see cref="Sandbox.Restore(Snapshot)"/> calls with it are refused.
/// </remarks>
public sealed class Snapshot : IDisposable
{
    private volatile bool _disposed;

    internal Snapshot(
        MemoryImage memory,
        MemoryLayout layout,
        VcpuState vcpu,
        FrozenDictionary<string, GuestFunctionSignature> guestFunctions,
        IReadOnlyList<GuestFunctionSignature> hostFunctions,
        ulong generation)
    {
        Memory = memory;
        Layout = layout;
        Vcpu = vcpu;
        GuestFunctionTable = guestFunctions;
        HostFunctions = hostFunctions;
        Generation = generation;
    }

    /// <summary>Counts the snapshots in this snapshot's lineage: 1 for the first taken from a sandbox, one more for each snapshot after it.</summary>
    public ulong Generation { get; }

    /// <summary>Bytes of guest memory.</summary>
    public ulong MemorySize => Layout.MemorySize;

    /// <summary>The functions the guest exports, ordered by name.</summary>
    public IReadOnlyList<GuestFunctionSignature> GuestFunctions => [.. GuestFunctionTable.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];

    /// <summary>The host functions the sandbox was created with; a sandbox restoring or made from this snapshot must define all of them with the same signatures.</summary>
    public IReadOnlyList<GuestFunctionSignature> HostFunctions { get; }

    internal MemoryImage Memory { get; }

    internal MemoryLayout Layout { get; }

    internal VcpuState Vcpu { get; }

    internal FrozenDictionary<string, GuestFunctionSignature> GuestFunctionTable { get; }

    internal bool IsDisposed => _disposed;

    /// <summary>Closes the memory image; sandboxes that map it are unaffected.</summary>
    public void Dispose()
    {
        _disposed = true;
        Memory.Dispose();
    }

    /// <summary>Every way <paramref name="hostFunctions"/> fails to provide what this snapshot recorded.</summary>
    internal List<string> MissingHostFunctions(IReadOnlyDictionary<string, GuestFunctionSignature> hostFunctions)
    {
        var mismatches = new List<string>();
        foreach (var recorded in HostFunctions)
        {
            if (!hostFunctions.TryGetValue(recorded.Name, out var defined))
            {
                mismatches.Add($"host function {recorded} is not defined");
            }
            else if (!defined.Equals(recorded))
            {
                mismatches.Add($"host function {recorded.Name} is {defined} here but {recorded} in the snapshot");
            }
        }

        return mismatches;
    }

    /// <summary>Every difference between this snapshot's layout and <paramref name="layout"/>.</summary>
    internal List<string> LayoutMismatches(MemoryLayout layout)
    {
        var mismatches = new List<string>();
        Compare(nameof(SandboxOptions.HeapSize), Layout.HeapSize, layout.HeapSize);
        Compare(nameof(SandboxOptions.StackSize), Layout.StackSize, layout.StackSize);
        Compare(nameof(SandboxOptions.InputBufferSize), Layout.InputSize, layout.InputSize);
        Compare(nameof(SandboxOptions.OutputBufferSize), Layout.OutputSize, layout.OutputSize);
        Compare("image size", Layout.ImageSize, layout.ImageSize);
        if (mismatches.Count == 0 && Layout != layout)
        {
            mismatches.Add("the memory layouts differ");
        }

        return mismatches;

        void Compare(string name, ulong snapshot, ulong here)
        {
            if (snapshot != here)
            {
                mismatches.Add($"{name} is {snapshot} in the snapshot but {here} here");
            }
        }
    }
}
