using HyperSharp.Hypervisors;
using HyperSharp.Memory;
using HyperSharp.Snapshots;
using HyperSharp.Telemetry;

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
        IReadOnlyDictionary<string, GuestFunctionSignature> guestFunctions,
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

    /// <summary>
    /// The memory sizes of this snapshot's sandboxes, as the options <see cref="Sandbox.FromSnapshot"/> accepts:
    /// for a call time limit, pass <c>snapshot.Options with { CallTimeout = … }</c>.
    /// </summary>
    public SandboxOptions Options => Layout.Sizes;

    /// <summary>The functions the guest exports, ordered by name.</summary>
    public IReadOnlyList<GuestFunctionSignature> GuestFunctions => [.. GuestFunctionTable.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];

    /// <summary>The host functions the sandbox was created with; a sandbox restoring or made from this snapshot must define all of them with the same signatures.</summary>
    public IReadOnlyList<GuestFunctionSignature> HostFunctions { get; }

    internal MemoryImage Memory { get; }

    internal MemoryLayout Layout { get; }

    internal VcpuState Vcpu { get; }

    /// <summary>Never changed after construction; shared by every sandbox made from or restored to this snapshot.</summary>
    internal IReadOnlyDictionary<string, GuestFunctionSignature> GuestFunctionTable { get; }

    internal bool IsDisposed => _disposed;

    /// <summary>
    /// Loads a snapshot saved by <see cref="Save"/> (or copied by OCI tooling) from an OCI image layout. The
    /// memory blob is mapped copy-on-write: sandboxes read it from the file and write private pages; the file is
    /// never modified. Use the result with <see cref="Sandbox.FromSnapshot"/> and <see cref="Sandbox.Restore(Snapshot)"/>.
    /// </summary>
    /// <param name="directory">The OCI image layout directory.</param>
    /// <param name="reference">A tag, or a manifest digest <c>sha256:</c> followed by 64 lower-case hex digits.</param>
    /// <param name="options">Null for the defaults: digests verified.</param>
    /// <returns>A snapshot owned by the caller, holding the blob file open until disposed.</returns>
    /// <exception cref="SnapshotFormatException">
    /// The directory breaks a format rule, or the snapshot is for another format or ABI version, architecture,
    /// hypervisor or CPU vendor; <see cref="SnapshotFormatException.Reason"/> says which.
    /// </exception>
    /// <exception cref="SnapshotMismatchException">
    /// KVM is available and the snapshot's vCPU state was captured on a CPU whose XSAVE area size or XSAVE features
    /// (XCR0) this host lacks. Without KVM this is checked by <see cref="Sandbox.FromSnapshot"/> instead.
    /// </exception>
    /// <exception cref="SandboxIOException">A file could not be read for another reason (permissions, I/O errors).</exception>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty or holds a NUL character.</exception>
    /// <remarks>
    /// Blob files must not be truncated or rewritten while a loaded snapshot or a sandbox made from it is alive.
    /// <see cref="Save"/> and <see cref="Delete"/> only ever create, rename and delete files in a layout, never modify
    /// one, and a deleted blob stays readable to whoever already has it open or mapped.
    /// </remarks>
    public static Snapshot Load(string directory, string reference, SnapshotLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(reference);
        return SnapshotObserver.Load(reference, () => SnapshotFiles.Load(directory, reference, options ?? new SnapshotLoadOptions()));
    }

    /// <summary>
    /// Saves the snapshot into <paramref name="directory"/>, an OCI image layout (docs/snapshot-format.md), under
    /// <paramref name="tag"/>. Blobs are written first and <c>index.json</c> is replaced last, atomically; other
    /// tags are kept, an existing <paramref name="tag"/> is moved to this snapshot (the blobs only its old snapshot
    /// used are then deleted, as by <see cref="Delete"/>), and identical blobs are stored once.
    /// </summary>
    /// <param name="directory">Created if missing; otherwise it must be empty or already an OCI image layout.</param>
    /// <param name="tag">A valid tag (<see cref="SnapshotTag.Rule"/>).</param>
    /// <param name="options">Null for the defaults: atomic but not fsynced.</param>
    /// <returns>The manifest digest, <c>sha256:</c> and 64 hex digits; <see cref="Load"/> accepts it as a reference.</returns>
    /// <exception cref="ArgumentException">The tag is not valid, or <paramref name="directory"/> is empty or holds a NUL character.</exception>
    /// <exception cref="SnapshotFormatException">
    /// The directory is neither empty nor a valid OCI image layout; or <see cref="Load"/> would refuse the snapshot (its
    /// guest ended its last call with a stack pointer outside its stack, or its functions make the config larger than
    /// 1 MiB), and nothing was written.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The snapshot was disposed.</exception>
    /// <exception cref="SandboxIOException">Writing failed; tags already in the directory are unchanged.</exception>
    public string Save(string directory, string tag, SnapshotSaveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(tag);
        ObjectDisposedException.ThrowIf(_disposed, this);
        SnapshotTag.Require(tag, nameof(tag));

        return SnapshotObserver.Save(tag, () => SnapshotFiles.Save(this, directory, tag, options ?? new SnapshotSaveOptions()));
    }

    /// <summary>
    /// Removes <paramref name="tag"/> from the OCI image layout in <paramref name="directory"/>, then deletes the blobs
    /// no remaining manifest references. Blobs another tag shares are kept. <c>index.json</c> is replaced atomically,
    /// as by <see cref="Save"/>, before any blob is deleted, so a crash never leaves a tag whose blobs are gone.
    /// </summary>
    /// <param name="directory">An OCI image layout directory.</param>
    /// <param name="tag">The tag to remove.</param>
    /// <param name="options">Null for the defaults: atomic but not fsynced; <see cref="SnapshotSaveOptions.Durable"/> fsyncs the new index.</param>
    /// <exception cref="ArgumentException">The tag is not valid.</exception>
    /// <exception cref="SnapshotFormatException">
    /// The directory is not an OCI image layout (<see cref="SnapshotFormatError.NotAnOciLayout"/>) or has no such tag
    /// (<see cref="SnapshotFormatError.TagNotFound"/>); nothing was changed.
    /// </exception>
    /// <exception cref="SandboxIOException">Replacing <c>index.json</c> failed; the tag is still there.</exception>
    /// <remarks>
    /// Snapshots already loaded from the deleted blobs, and sandboxes made from them, keep working: an open or mapped
    /// file outlives its name. Blobs are only deleted when every manifest reachable from <c>index.json</c> could be
    /// read, so content other tools stored in the layout is never collected by mistake (docs/snapshot-format.md).
    /// </remarks>
    public static void Delete(string directory, string tag, SnapshotSaveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(tag);
        SnapshotTag.Require(tag, nameof(tag));

        Snapshots.Oci.OciTagRemover.Remove(directory, tag, (options ?? new SnapshotSaveOptions()).Durable);
    }

    /// <summary>The snapshots of the OCI image layout in <paramref name="directory"/>: one entry per index entry, in index order. Reads <c>index.json</c> only.</summary>
    /// <exception cref="SnapshotFormatException">The directory is not an OCI image layout.</exception>
    /// <exception cref="SandboxIOException">Reading failed.</exception>
    public static IReadOnlyList<SnapshotEntry> List(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return SnapshotFiles.List(directory);
    }

    /// <summary>
    /// Describes the snapshot <paramref name="reference"/> names without loading it: digests and sizes, versions and
    /// platform, memory sizes, functions, and every reason this host could not load it. Reads the manifest and config
    /// only; digests are not verified (a verified <see cref="Load"/> does that).
    /// </summary>
    /// <param name="directory">The OCI image layout directory.</param>
    /// <param name="reference">A tag or a <c>sha256:</c> manifest digest (<see cref="SnapshotTag.ReferenceRule"/>).</param>
    /// <exception cref="SnapshotFormatException">The layout is broken, the reference unknown or the config not a config at all.</exception>
    /// <exception cref="SandboxIOException">Reading failed.</exception>
    public static SnapshotInfo Inspect(string directory, string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(reference);
        return SnapshotFiles.Inspect(directory, reference);
    }

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
        var mismatches = Layout.Sizes.SizeDifferences(layout.Sizes).Select(d => $"{d.Name} is {d.Ours} in the snapshot but {d.Theirs} here").ToList();
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
