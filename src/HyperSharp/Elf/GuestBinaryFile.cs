using HyperSharp.Interop;

namespace HyperSharp.Elf;

/// <summary>
/// Reads a guest binary named by a path, through <see cref="RegularFile"/>: a FIFO, device, socket or directory is
/// refused at once instead of blocking or being read without end, and a file over
/// <see cref="Sandbox.MaxGuestBinarySize"/> is refused before it is read.
/// </summary>
internal static class GuestBinaryFile
{
    /// <exception cref="GuestBinaryException">The path names something other than a regular file, a file too large, or one that shrank while read.</exception>
    /// <exception cref="SandboxIOException">The file is missing or cannot be opened or read.</exception>
    public static byte[] Read(string path)
    {
        var status = RegularFile.TryOpen(null, path, followSymlinks: true, out var file, out var problem);
        if (status != RegularFileStatus.Opened)
        {
            var message = $"The guest binary '{path}' {problem}.";
            throw status == RegularFileStatus.NotRegular ? new GuestBinaryException(message) : new SandboxIOException(path, message);
        }

        using (file)
        {
            if (file!.Length > Sandbox.MaxGuestBinarySize)
            {
                throw new GuestBinaryException($"The guest binary '{path}' is {file.Length} bytes; the limit is {Sandbox.MaxGuestBinarySize} bytes.");
            }

            var bytes = new byte[file.Length];
            return file.TryReadExactly(bytes, 0, path)
                ? bytes
                : throw new GuestBinaryException($"The guest binary '{path}' shrank below {file.Length} bytes while it was read.");
        }
    }
}
