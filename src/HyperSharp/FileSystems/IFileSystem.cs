using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.FileSystems;

/// <summary>
/// What HyperSharp's file reading and snapshot layouts need from the operating system, and nothing else: opening a
/// regular file or a directory by name relative to a directory that is already open, without following a link where
/// links are refused, and creating, renaming, deleting, listing, flushing and locking by name in such a directory.
/// Directories and files are <see cref="SafeHandle"/>s this provider made (Linux: descriptors; Windows: handles).
/// <see cref="FileSystem.Current"/> is the one for this OS; <see cref="RegularFile"/> and the layout types in
/// <c>Snapshots/Oci</c> are written against this interface only. Paths passed along with handles name them in messages.
/// </summary>
internal interface IFileSystem
{
    /// <summary>
    /// Opens <paramref name="name"/> for reading: relative to <paramref name="directory"/> when one is given, else as a
    /// path. Never blocks (a FIFO with no writer is refused at once). <paramref name="problem"/> says what was found
    /// instead when the result is not <see cref="RegularFileStatus.Opened"/>, as a phrase that follows the path.
    /// </summary>
    RegularFileStatus TryOpenRegular(SafeHandle? directory, string name, bool followSymlinks, out SafeHandle? file, out long length, out string problem);

    /// <summary>
    /// Opens the directory <paramref name="name"/> (relative to <paramref name="parent"/> when one is given, else as a
    /// path). <see cref="RegularFileStatus.NotRegular"/> here means "exists but is not a directory".
    /// </summary>
    RegularFileStatus TryOpenDirectory(SafeHandle? parent, string name, bool followSymlinks, out SafeHandle? directory, out string problem);

    /// <summary>Reads up to <paramref name="destination"/>'s length at <paramref name="offset"/>: the bytes read, 0 at the end of the file.</summary>
    /// <exception cref="SandboxIOException">The read failed.</exception>
    int Read(SafeHandle file, Span<byte> destination, long offset, string path);

    /// <summary>Creates the directory <paramref name="name"/> in <paramref name="parent"/>; false when something of that name exists.</summary>
    /// <exception cref="SandboxIOException">Creating failed for another reason.</exception>
    bool TryCreateDirectory(SafeHandle parent, string name, string path);

    /// <summary>The names in <paramref name="directory"/>, read through the open directory, never through a path that could have become a link.</summary>
    /// <exception cref="SandboxIOException">The directory cannot be listed.</exception>
    List<string> EnumerateNames(SafeHandle directory, string path);

    /// <summary>A new, empty regular file <paramref name="name"/> in <paramref name="directory"/>, open for writing; fails if any entry of that name exists, a link included.</summary>
    /// <exception cref="SandboxIOException">Creating failed.</exception>
    SafeHandle CreateNewFile(SafeHandle directory, string name, string path);

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/>.</summary>
    /// <exception cref="SandboxIOException">Writing failed.</exception>
    void Write(SafeHandle file, ReadOnlySpan<byte> data, long offset, string path);

    /// <summary>Sets the file's size; growing it leaves a hole where the file system supports them.</summary>
    /// <exception cref="SandboxIOException">The OS refused.</exception>
    void SetLength(SafeHandle file, long length, string path);

    /// <summary>Makes a file's contents, or the names in a directory, durable.</summary>
    /// <exception cref="SandboxIOException">The flush failed.</exception>
    void Flush(SafeHandle fileOrDirectory, string path);

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/> in <paramref name="directory"/>, replacing whatever <paramref name="to"/> named (a link itself, never its target).</summary>
    /// <exception cref="SandboxIOException">The rename failed.</exception>
    void Rename(SafeHandle directory, string from, string to, string path);

    /// <summary>Deletes the entry <paramref name="name"/> in <paramref name="directory"/> (a link itself, never its target); false when it could not be deleted.</summary>
    bool TryDelete(SafeHandle directory, string name);

    /// <summary>Waits for and takes an exclusive lock on <paramref name="directory"/>, shared by every process, released on dispose or when this process dies.</summary>
    /// <exception cref="SandboxIOException">The lock could not be taken.</exception>
    IDisposable Lock(SafeHandle directory, string path);
}
