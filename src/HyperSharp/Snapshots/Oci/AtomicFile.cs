using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using HyperSharp.FileSystems;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// Files that appear whole or not at all: written to a temporary name in the target directory, then renamed over the
/// target, both by name relative to the directory's handle (<see cref="LayoutDirectory"/>). The temporary file is
/// created new (<see cref="IFileSystem.CreateNewFile"/>: never an existing file or a link). With <c>durable</c>, file
/// contents are flushed before the rename and the directory after it, so the rename survives a crash.
/// </summary>
internal static partial class AtomicFile
{
    /// <summary>A new temporary file next to <paramref name="targetName"/> in <paramref name="directory"/>, for <see cref="Commit"/>.</summary>
    /// <param name="directory">The directory's handle.</param>
    /// <param name="directoryPath">The directory as a path, for messages.</param>
    /// <param name="targetName">The name the file will be committed under.</param>
    public static Temporary CreateTemporary(SafeHandle directory, string directoryPath, string targetName)
    {
        var name = $"{targetName}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        var path = Path.Combine(directoryPath, name);
        return new Temporary(directory, name, path, FileSystem.Current.CreateNewFile(directory, name, path));
    }

    /// <summary>With <paramref name="durable"/> flushes <paramref name="temporary"/>, closes it and renames it to <paramref name="name"/>.</summary>
    public static void Commit(Temporary temporary, string name, bool durable)
    {
        if (durable)
        {
            FileSystem.Current.Flush(temporary.File, temporary.Path);
        }

        temporary.File.Dispose();
        var directoryPath = Path.GetDirectoryName(temporary.Path)!;
        FileSystem.Current.Rename(temporary.Directory, temporary.Name, name, Path.Combine(directoryPath, name));
        if (durable)
        {
            FileSystem.Current.Flush(temporary.Directory, directoryPath);
        }
    }

    /// <summary>Deletes <paramref name="temporary"/> after a failure or when the target already holds the same content; never throws.</summary>
    public static void Discard(Temporary temporary)
    {
        temporary.File.Dispose();
        // A leftover is collected later (IsTemporaryName); the error that got us here is the one worth reporting.
        _ = FileSystem.Current.TryDelete(temporary.Directory, temporary.Name);
    }

    /// <summary>Writes <paramref name="data"/> to <paramref name="name"/> in <paramref name="directory"/> atomically.</summary>
    public static void Write(SafeHandle directory, string directoryPath, string name, ReadOnlySpan<byte> data, bool durable)
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

    /// <summary>Whether <paramref name="fileName"/> is one of <see cref="CreateTemporary"/>'s names, which only a crashed write leaves behind.</summary>
    public static bool IsTemporaryName(string fileName) => TemporaryNamePattern().IsMatch(fileName);

    [GeneratedRegex(@"^(oci-layout|index\.json|memory|[0-9a-f]{64})\.tmp-[0-9]+-[0-9a-f]{32}$")]
    private static partial Regex TemporaryNamePattern();

    /// <summary>A temporary file being written: its directory, name and handle.</summary>
    internal sealed class Temporary(SafeHandle directory, string name, string path, SafeHandle file)
    {
        public SafeHandle Directory { get; } = directory;

        public string Name { get; } = name;

        public string Path { get; } = path;

        public SafeHandle File { get; } = file;

        /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>.</summary>
        public void Write(ReadOnlySpan<byte> data, long offset) => FileSystem.Current.Write(File, data, offset, Path);

        /// <summary>Sets the file's size: a hole at the end for trailing zeros.</summary>
        public void SetLength(long length) => FileSystem.Current.SetLength(File, length, Path);
    }
}
