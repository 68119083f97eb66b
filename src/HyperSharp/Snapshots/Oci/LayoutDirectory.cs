using System.Runtime.InteropServices;
using HyperSharp.FileSystems;
using HyperSharp.Interop;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// An OCI image layout opened as directory handles (<see cref="IFileSystem"/>). The root is the directory the caller
/// named, a symbolic link to it included: that is the caller's choice. Below it, <c>blobs</c> and <c>blobs/sha256</c>
/// are opened without following a link, and every file is opened, created, renamed and deleted by name relative to one
/// of these handles. So no symbolic link below the root is ever followed, for reads or writes, and a directory
/// replaced by a link after it was opened is not followed either.
/// </summary>
internal sealed class LayoutDirectory : IDisposable
{
    public const string LayoutMarkerName = "oci-layout";
    public const string IndexName = "index.json";
    private const string BlobsName = "blobs";
    private const string AlgorithmName = "sha256";

    private SafeHandle? _blobs;

    private LayoutDirectory(string path, SafeHandle root)
    {
        Path = path;
        Root = root;
    }

    /// <summary>The layout directory as the caller named it, for messages.</summary>
    public string Path { get; }

    /// <summary>The root directory's handle.</summary>
    public SafeHandle Root { get; }

    /// <summary><c>blobs/sha256</c> as a path, for messages.</summary>
    public string BlobsPath => System.IO.Path.Combine(Path, BlobsName, AlgorithmName);

    /// <summary>Opens an existing layout directory; a missing one is <see cref="SnapshotFormatError.NotAnOciLayout"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or holds a NUL character.</exception>
    public static LayoutDirectory Open(string path)
    {
        RegularFile.RequireNativePath(path, nameof(path));
        return FileSystem.Current.TryOpenDirectory(null, path, followSymlinks: true, out var root, out var problem) switch
        {
            RegularFileStatus.Opened => new LayoutDirectory(path, root!),
            RegularFileStatus.Missing or RegularFileStatus.NotRegular =>
                throw new SnapshotFormatException(SnapshotFormatError.NotAnOciLayout, $"{path} is not a directory."),
            _ => throw new SandboxIOException(path, $"{path} {problem}."),
        };
    }

    /// <summary>Creates the layout directory (and its parents) when missing, then opens it.</summary>
    public static LayoutDirectory Create(string path)
    {
        RegularFile.RequireNativePath(path, nameof(path));
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SandboxIOException(path, $"{path} cannot be created: {e.Message}", e);
        }

        return Open(path);
    }

    /// <summary>Opens <paramref name="name"/> in the root (see <see cref="LayoutFile.Open"/>).</summary>
    public LayoutFile OpenFile(string name, SnapshotFormatError missing, SnapshotFormatError notRegular) =>
        LayoutFile.Open(Root, name, System.IO.Path.Combine(Path, name), missing, notRegular);

    /// <summary>Whether the root holds anything named <paramref name="name"/>, a link or a directory included.</summary>
    public bool Contains(string name)
    {
        var status = RegularFile.TryOpen(Root, name, followSymlinks: false, out var file, out _);
        file?.Dispose();
        return status != RegularFileStatus.Missing;
    }

    /// <summary>Whether the root holds no entries at all.</summary>
    public bool IsEmpty() => FileSystem.Current.EnumerateNames(Root, Path).Count == 0;

    /// <summary>Opens the blob <paramref name="digest"/>; a missing blob, or a missing <c>blobs/sha256</c>, is <see cref="SnapshotFormatError.MissingBlob"/>.</summary>
    public LayoutFile OpenBlob(Sha256Digest digest)
    {
        var path = System.IO.Path.Combine(BlobsPath, digest.Hex);
        var blobs = TryOpenBlobs() ?? throw new SnapshotFormatException(SnapshotFormatError.MissingBlob, $"{path} does not exist.");
        return LayoutFile.Open(blobs, digest.Hex, path, SnapshotFormatError.MissingBlob, SnapshotFormatError.NotARegularFile);
    }

    /// <summary><c>blobs/sha256</c>, or null when either directory is missing.</summary>
    /// <exception cref="SnapshotFormatException"><see cref="SnapshotFormatError.NotARegularFile"/>: one of them is a symbolic link or not a directory.</exception>
    public SafeHandle? TryOpenBlobs()
    {
        if (_blobs is null)
        {
            using var blobs = OpenSubdirectory(Root, BlobsName, System.IO.Path.Combine(Path, BlobsName));
            _blobs = blobs is null ? null : OpenSubdirectory(blobs, AlgorithmName, BlobsPath);
        }

        return _blobs;
    }

    /// <summary><c>blobs/sha256</c>, created when missing; with <paramref name="durable"/> the new names are flushed.</summary>
    public SafeHandle CreateBlobs(bool durable)
    {
        var blobsPath = System.IO.Path.Combine(Path, BlobsName);
        if (FileSystem.Current.TryCreateDirectory(Root, BlobsName, blobsPath) && durable)
        {
            FileSystem.Current.Flush(Root, Path);
        }

        using var blobs = OpenSubdirectory(Root, BlobsName, blobsPath)
            ?? throw new SandboxIOException(blobsPath, $"{blobsPath} vanished while it was being created.");
        if (FileSystem.Current.TryCreateDirectory(blobs, AlgorithmName, BlobsPath) && durable)
        {
            FileSystem.Current.Flush(blobs, blobsPath);
        }

        return TryOpenBlobs() ?? throw new SandboxIOException(BlobsPath, $"{BlobsPath} vanished while it was being created.");
    }

    public void Dispose()
    {
        _blobs?.Dispose();
        Root.Dispose();
    }

    /// <summary>Opens a subdirectory without following a link; null when it does not exist.</summary>
    private static SafeHandle? OpenSubdirectory(SafeHandle parent, string name, string path) =>
        FileSystem.Current.TryOpenDirectory(parent, name, followSymlinks: false, out var directory, out var problem) switch
        {
            RegularFileStatus.Opened => directory,
            RegularFileStatus.Missing => null,
            RegularFileStatus.SymbolicLink or RegularFileStatus.NotRegular =>
                throw new SnapshotFormatException(SnapshotFormatError.NotARegularFile, $"{path} {problem}."),
            _ => throw new SandboxIOException(path, $"{path} {problem}."),
        };
}
