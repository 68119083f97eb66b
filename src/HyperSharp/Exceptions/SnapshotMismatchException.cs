namespace HyperSharp;

/// <summary>
/// A snapshot cannot be restored into this sandbox, or a sandbox cannot be made from it: its memory
/// layout differs, or the host functions it recorded are missing or have other signatures.
/// <see cref="Mismatches"/> lists every difference. Nothing was changed.
/// </summary>
public sealed class SnapshotMismatchException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public SnapshotMismatchException(string what, IReadOnlyList<string> mismatches)
        : base($"{what}: {string.Join("; ", mismatches)}.")
    {
        Mismatches = mismatches;
    }

    /// <summary>One line per difference, e.g. <c>HeapSize is 1048576 in the snapshot but 2097152 here</c>.</summary>
    public IReadOnlyList<string> Mismatches { get; }
}
