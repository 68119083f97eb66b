using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// An OCI image layout opened as directory descriptors. The root is the directory the caller named, a symbolic link to
/// it included: that is the caller's choice. Below it, <c>blobs</c> and <c>blobs/sha256</c> are opened
/// <c>O_NOFOLLOW | O_DIRECTORY</c>, and every file is opened, created, renamed and unlinked by name relative to one of
/// these descriptors. So no symbolic link below the root is ever followed, for reads or writes, and a directory
/// replaced by a link after it was opened is not followed either.
/// </summary>
internal sealed class LayoutDirectory : IDisposable
{
    public const string LayoutMarkerName = "oci-layout";
    public const string IndexName = "index.json";
    private const string BlobsName = "blobs";
    private const string AlgorithmName = "sha256";

    private SafeFileDescriptor? _blobs;

    private LayoutDirectory(string path, SafeFileDescriptor root)
    {
        Path = path;
        Root = root;
    }

    /// <summary>The layout directory as the caller named it, for messages.</summary>
    public string Path { get; }

    /// <summary>The root directory's descriptor.</summary>
    public SafeFileDescriptor Root { get; }

    /// <summary><c>blobs/sha256</c> as a path, for messages.</summary>
    public string BlobsPath => System.IO.Path.Combine(Path, BlobsName, AlgorithmName);

    /// <summary>Opens an existing layout directory; a missing one is <see cref="SnapshotFormatError.NotAnOciLayout"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or holds a NUL character.</exception>
    public static LayoutDirectory Open(string path)
    {
        RegularFile.RequireNativePath(path, nameof(path));
        var root = new SafeFileDescriptor(Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC));
        if (root.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            root.Dispose();
            throw errno is Libc.ENOENT or Libc.ENOTDIR
                ? new SnapshotFormatException(SnapshotFormatError.NotAnOciLayout, $"{path} is not a directory.")
                : new SandboxIOException(path, $"{path} cannot be opened: {Libc.DescribeErrno(errno)}.");
        }

        return new LayoutDirectory(path, root);
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
    public bool IsEmpty() => EnumerateNames(Root, Path).Count == 0;

    /// <summary>Opens the blob <paramref name="digest"/>; a missing blob, or a missing <c>blobs/sha256</c>, is <see cref="SnapshotFormatError.MissingBlob"/>.</summary>
    public LayoutFile OpenBlob(Sha256Digest digest)
    {
        var path = System.IO.Path.Combine(BlobsPath, digest.Hex);
        var blobs = TryOpenBlobs() ?? throw new SnapshotFormatException(SnapshotFormatError.MissingBlob, $"{path} does not exist.");
        return LayoutFile.Open(blobs, digest.Hex, path, SnapshotFormatError.MissingBlob, SnapshotFormatError.NotARegularFile);
    }

    /// <summary><c>blobs/sha256</c>, or null when either directory is missing.</summary>
    /// <exception cref="SnapshotFormatException"><see cref="SnapshotFormatError.NotARegularFile"/>: one of them is a symbolic link or not a directory.</exception>
    public SafeFileDescriptor? TryOpenBlobs()
    {
        if (_blobs is null)
        {
            using var blobs = OpenSubdirectory(Root, BlobsName, System.IO.Path.Combine(Path, BlobsName));
            _blobs = blobs is null ? null : OpenSubdirectory(blobs, AlgorithmName, BlobsPath);
        }

        return _blobs;
    }

    /// <summary><c>blobs/sha256</c>, created when missing; with <paramref name="durable"/> the new names are fsynced.</summary>
    public SafeFileDescriptor CreateBlobs(bool durable)
    {
        var blobsPath = System.IO.Path.Combine(Path, BlobsName);
        if (MakeDirectory(Root, BlobsName, blobsPath) && durable)
        {
            AtomicFile.SyncDirectory(Root, Path);
        }

        using var blobs = OpenSubdirectory(Root, BlobsName, blobsPath)
            ?? throw new SandboxIOException(blobsPath, $"{blobsPath} vanished while it was being created.");
        if (MakeDirectory(blobs, AlgorithmName, BlobsPath) && durable)
        {
            AtomicFile.SyncDirectory(blobs, blobsPath);
        }

        return TryOpenBlobs() ?? throw new SandboxIOException(BlobsPath, $"{BlobsPath} vanished while it was being created.");
    }

    /// <summary>
    /// The names in the directory <paramref name="directory"/>, read through the descriptor itself (its
    /// <c>/proc/self/fd</c> entry), never through a path that could have been swapped for a link since.
    /// </summary>
    /// <exception cref="SandboxIOException">The directory cannot be read (or procfs is not mounted).</exception>
    public static List<string> EnumerateNames(SafeFileDescriptor directory, string path)
    {
        try
        {
            return [.. Directory.EnumerateFileSystemEntries($"/proc/self/fd/{directory.Number}").Select(entry => System.IO.Path.GetFileName(entry))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SandboxIOException(path, $"{path} cannot be listed: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        _blobs?.Dispose();
        Root.Dispose();
    }

    /// <summary>Opens a subdirectory without following a link; null when it does not exist.</summary>
    private static SafeFileDescriptor? OpenSubdirectory(SafeFileDescriptor parent, string name, string path)
    {
        var directory = new SafeFileDescriptor(Libc.OpenAt(parent, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0));
        if (!directory.IsInvalid)
        {
            return directory;
        }

        var errno = Marshal.GetLastPInvokeError();
        directory.Dispose();
        return errno switch
        {
            Libc.ENOENT => null,
            // O_DIRECTORY | O_NOFOLLOW reports a link as ENOTDIR, as it does a file: tell them apart for the message.
            Libc.ENOTDIR or Libc.ELOOP => throw new SnapshotFormatException(SnapshotFormatError.NotARegularFile,
                IsSymbolicLink(parent, name) ? $"{path} is a symbolic link; no link below the layout directory is followed." : $"{path} is not a directory."),
            _ => throw new SandboxIOException(path, $"{path} cannot be opened: {Libc.DescribeErrno(errno)}."),
        };
    }

    private static bool IsSymbolicLink(SafeFileDescriptor parent, string name)
    {
        var status = RegularFile.TryOpen(parent, name, followSymlinks: false, out var file, out _);
        file?.Dispose();
        return status == RegularFileStatus.SymbolicLink;
    }

    /// <summary>Creates a subdirectory; false when something of that name already exists (<see cref="OpenSubdirectory"/> then checks it).</summary>
    private static bool MakeDirectory(SafeFileDescriptor parent, string name, string path)
    {
        if (Libc.MkdirAt(parent, name, Libc.NewDirectoryMode) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Libc.EEXIST ? false : throw new SandboxIOException(path, $"{path} cannot be created: {Libc.DescribeErrno(errno)}.");
    }
}
