using System.Diagnostics.CodeAnalysis;
using HyperSharp.Interop;

namespace HyperSharp.Cli;

/// <summary>
/// Reads a whole file the user named (an <c>@file</c> argument, a script): a regular file under a size cap, opened so
/// that a FIFO, device or directory is refused without blocking or reading without end (<c>/dev/zero</c>).
/// </summary>
internal static class FileReading
{
    /// <summary>Reads <paramref name="path"/>, or says why not in a phrase for "error: …".</summary>
    /// <param name="path">The path as the user wrote it.</param>
    /// <param name="maxSize">The largest file accepted.</param>
    /// <param name="limit">What the cap is, for the message: "more than {limit}".</param>
    /// <param name="bytes">The file's contents.</param>
    /// <param name="error">Why the file was not read.</param>
    public static bool TryReadAll(string path, long maxSize, string limit, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = null;
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            error = $"'{path}' does not name a file.";
            return false;
        }

        if (RegularFile.TryOpen(null, path, followSymlinks: true, out var file, out var problem) != RegularFileStatus.Opened)
        {
            error = $"cannot read '{path}': it {problem}.";
            return false;
        }

        using (file)
        {
            if (file!.Length > maxSize)
            {
                error = $"cannot read '{path}': it is {file.Length} bytes, more than {limit}.";
                return false;
            }

            var contents = new byte[file.Length];
            try
            {
                if (!file.TryReadExactly(contents, 0, path))
                {
                    error = $"cannot read '{path}': it shrank while it was read.";
                    return false;
                }
            }
            catch (SandboxIOException e)
            {
                error = $"cannot read '{path}': {e.Message}";
                return false;
            }

            bytes = contents;
            error = null;
            return true;
        }
    }
}
