using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using HyperSharp.Interop;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// Files that appear whole or not at all: written to a temporary name in the target directory, then
/// renamed over the target. With <c>durable</c>, file contents are flushed before the rename and the
/// directory after it, so the rename survives a crash.
/// </summary>
internal static partial class AtomicFile
{
    /// <summary>A new temporary file next to <paramref name="path"/>, for <see cref="Commit"/>.</summary>
    public static FileStream CreateTemporary(string path) =>
        new(TemporaryName(path), new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None });

    /// <summary>Flushes (and with <paramref name="durable"/> fsyncs) <paramref name="temporary"/>, closes it and renames it to <paramref name="path"/>.</summary>
    public static void Commit(FileStream temporary, string path, bool durable)
    {
        temporary.Flush(flushToDisk: durable);
        temporary.Dispose();
        File.Move(temporary.Name, path, overwrite: true);
        if (durable)
        {
            SyncDirectory(System.IO.Path.GetDirectoryName(path)!);
        }
    }

    /// <summary>Deletes <paramref name="temporary"/> after a failure or when the target already holds the same content.</summary>
    public static void Discard(FileStream temporary)
    {
        temporary.Dispose();
        File.Delete(temporary.Name);
    }

    /// <summary>Writes <paramref name="data"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, ReadOnlySpan<byte> data, bool durable)
    {
        var temporary = CreateTemporary(path);
        try
        {
            temporary.Write(data);
            Commit(temporary, path, durable);
        }
        catch
        {
            Discard(temporary);
            throw;
        }
    }

    /// <summary>fsyncs a directory, making the names created or renamed in it durable.</summary>
    public static void SyncDirectory(string directory)
    {
        using var descriptor = new SafeFileDescriptor(Libc.Open(directory, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC));
        if (descriptor.IsInvalid || Libc.FSync(descriptor) < 0)
        {
            throw new IOException($"fsync({directory}) failed: {Libc.DescribeErrno(Marshal.GetLastPInvokeError())}");
        }
    }

    /// <summary>Whether <paramref name="fileName"/> is one of <see cref="CreateTemporary"/>'s names, which only a crashed write leaves behind.</summary>
    public static bool IsTemporaryName(string fileName) => TemporaryNamePattern().IsMatch(fileName);

    private static string TemporaryName(string path) => $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";

    [GeneratedRegex(@"^(oci-layout|index\.json|memory|[0-9a-f]{64})\.tmp-[0-9]+-[0-9a-f]{32}$")]
    private static partial Regex TemporaryNamePattern();
}
