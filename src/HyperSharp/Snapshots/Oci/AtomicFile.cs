using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using HyperSharp.Interop;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// Files that appear whole or not at all: written to a temporary name in the target directory, then renamed over the
/// target, both by name relative to the directory's descriptor (<see cref="LayoutDirectory"/>). The temporary file is
/// created <c>O_CREAT | O_EXCL | O_NOFOLLOW</c>, so it is always a new regular file. With <c>durable</c>, file contents
/// are flushed before the rename and the directory after it, so the rename survives a crash.
/// </summary>
internal static partial class AtomicFile
{
    /// <summary>A new temporary file next to <paramref name="targetName"/> in <paramref name="directory"/>, for <see cref="Commit"/>.</summary>
    /// <param name="directory">The directory's descriptor.</param>
    /// <param name="directoryPath">The directory as a path, for messages.</param>
    /// <param name="targetName">The name the file will be committed under.</param>
    public static Temporary CreateTemporary(SafeFileDescriptor directory, string directoryPath, string targetName)
    {
        var name = $"{targetName}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        var path = Path.Combine(directoryPath, name);
        var file = new SafeFileDescriptor(Libc.OpenAt(directory, name,
            Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, Libc.NewFileMode));
        if (file.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            file.Dispose();
            throw Failed(path, "create", errno);
        }

        return new Temporary(directory, name, path, file);
    }

    /// <summary>With <paramref name="durable"/> fsyncs <paramref name="temporary"/>, closes it and renames it to <paramref name="name"/>.</summary>
    public static void Commit(Temporary temporary, string name, bool durable)
    {
        if (durable && Libc.FSync(temporary.File) < 0)
        {
            throw Failed(temporary.Path, "fsync", Marshal.GetLastPInvokeError());
        }

        temporary.File.Dispose();
        if (Libc.RenameAt(temporary.Directory, temporary.Name, temporary.Directory, name) < 0)
        {
            throw Failed(Path.Combine(Path.GetDirectoryName(temporary.Path)!, name), "rename into place", Marshal.GetLastPInvokeError());
        }

        if (durable)
        {
            SyncDirectory(temporary.Directory, Path.GetDirectoryName(temporary.Path)!);
        }
    }

    /// <summary>Deletes <paramref name="temporary"/> after a failure or when the target already holds the same content; never throws.</summary>
    public static void Discard(Temporary temporary)
    {
        temporary.File.Dispose();
        // A leftover is collected later (IsTemporaryName); the error that got us here is the one worth reporting.
        _ = Libc.UnlinkAt(temporary.Directory, temporary.Name, 0);
    }

    /// <summary>Writes <paramref name="data"/> to <paramref name="name"/> in <paramref name="directory"/> atomically.</summary>
    public static void Write(SafeFileDescriptor directory, string directoryPath, string name, ReadOnlySpan<byte> data, bool durable)
    {
        var temporary = CreateTemporary(directory, directoryPath, name);
        try
        {
            temporary.Write(data, 0);
            Commit(temporary, name, durable);
        }
        catch
        {
            Discard(temporary);
            throw;
        }
    }

    /// <summary>fsyncs a directory, making the names created or renamed in it durable.</summary>
    public static void SyncDirectory(SafeFileDescriptor directory, string path)
    {
        if (Libc.FSync(directory) < 0)
        {
            throw Failed(path, "fsync", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Whether <paramref name="fileName"/> is one of <see cref="CreateTemporary"/>'s names, which only a crashed write leaves behind.</summary>
    public static bool IsTemporaryName(string fileName) => TemporaryNamePattern().IsMatch(fileName);

    private static SandboxIOException Failed(string path, string operation, int errno) =>
        new(path, $"Cannot {operation} {path}: {Libc.DescribeErrno(errno)}.");

    [GeneratedRegex(@"^(oci-layout|index\.json|memory|[0-9a-f]{64})\.tmp-[0-9]+-[0-9a-f]{32}$")]
    private static partial Regex TemporaryNamePattern();

    /// <summary>A temporary file being written: its directory, name and descriptor.</summary>
    internal sealed class Temporary(SafeFileDescriptor directory, string name, string path, SafeFileDescriptor file)
    {
        public SafeFileDescriptor Directory { get; } = directory;

        public string Name { get; } = name;

        public string Path { get; } = path;

        public SafeFileDescriptor File { get; } = file;

        /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>.</summary>
        public unsafe void Write(ReadOnlySpan<byte> data, long offset)
        {
            // SAFETY: fixed pins data for the call, which reads exactly its length.
            fixed (byte* pointer = data)
            {
                if (DescriptorWrites.WriteAll(File, pointer, data.Length, offset) is not 0 and var errno)
                {
                    throw Failed(Path, "write", errno);
                }
            }
        }

        /// <summary>Sets the file's size: a hole at the end for trailing zeros.</summary>
        public void SetLength(long length)
        {
            if (Libc.FTruncate(File.Number, length) < 0)
            {
                throw Failed(Path, "ftruncate", Marshal.GetLastPInvokeError());
            }
        }
    }
}
