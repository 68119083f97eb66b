using HyperSharp.Interop;

namespace HyperSharp;

/// <summary>
/// Reading a file whose path came from someone else, the way HyperSharp reads guest binaries: never blocking (a FIFO with
/// no writer, a device, a socket or a directory is refused at once), never reading without end (<c>/dev/zero</c>), never
/// more than a limit, and through the very descriptor that was checked.
/// </summary>
public static class UntrustedFiles
{
    /// <summary>The whole of the regular file at <paramref name="path"/>, if it holds at most <paramref name="maxBytes"/> bytes.</summary>
    /// <exception cref="SandboxIOException">
    /// The path names no regular file (it is missing, a directory, FIFO, device or socket), the file is larger than
    /// <paramref name="maxBytes"/> or shrank while it was read, or it cannot be opened or read; the message says which.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or holds a NUL character.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (RegularFile.TryOpen(null, path, followSymlinks: true, out var file, out var problem) != RegularFileStatus.Opened)
        {
            throw new SandboxIOException(path, $"'{path}' {problem}.");
        }

        using (file)
        {
            if (file!.Length > maxBytes)
            {
                throw new SandboxIOException(path, $"'{path}' is {file.Length} bytes, more than the {maxBytes} bytes allowed.");
            }

            var bytes = new byte[file.Length];
            return file.TryReadExactly(bytes, 0, path) ? bytes : throw new SandboxIOException(path, $"'{path}' shrank while it was read.");
        }
    }
}
