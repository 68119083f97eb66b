using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using HyperSharp.Interop;
using Microsoft.Win32.SafeHandles;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// One file of a layout, opened <c>O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC</c> and proven a regular
/// file by <c>fstat</c> on that descriptor, so a symlink, directory, FIFO or device is refused without
/// blocking. Every later read, hash and mapping goes through the same descriptor: what was checked is what is used.
/// </summary>
internal sealed class LayoutFile : IDisposable
{
    private const int ChunkSize = 1 << 20;

    private SafeFileDescriptor? _descriptor;

    private LayoutFile(SafeFileDescriptor descriptor, string path, long length)
    {
        _descriptor = descriptor;
        Path = path;
        Length = length;
    }

    public string Path { get; }

    /// <summary>The size <c>fstat</c> reported when the file was opened.</summary>
    public long Length { get; }

    /// <summary>Opens <paramref name="path"/>; a missing file is <paramref name="missing"/>, anything but a regular file <paramref name="notRegular"/>.</summary>
    public static LayoutFile Open(string path, SnapshotFormatError missing, SnapshotFormatError notRegular)
    {
        var descriptor = new SafeFileDescriptor(Libc.Open(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_CLOEXEC));
        if (descriptor.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            descriptor.Dispose();
            throw errno switch
            {
                Libc.ENOENT or Libc.ENOTDIR => new SnapshotFormatException(missing, $"{path} does not exist."),
                Libc.ELOOP => new SnapshotFormatException(notRegular, $"{path} is a symbolic link, not a regular file."),
                _ => new IOException($"open({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)}"),
            };
        }

        try
        {
            if (Libc.FStat(descriptor, out var stat) < 0)
            {
                throw new IOException($"fstat({path}) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }

            if ((stat.StMode & Libc.S_IFMT) != Libc.S_IFREG)
            {
                throw new SnapshotFormatException(notRegular, $"{path} is not a regular file (mode 0{Convert.ToString(stat.StMode, 8)}).");
            }

            return new LayoutFile(descriptor, path, stat.StSize);
        }
        catch
        {
            descriptor.Dispose();
            throw;
        }
    }

    /// <summary>The whole file, refused with <see cref="SnapshotFormatError.TooLarge"/> beyond <paramref name="cap"/> bytes.</summary>
    public byte[] ReadAll(int cap)
    {
        if (Length > cap)
        {
            throw new SnapshotFormatException(SnapshotFormatError.TooLarge, $"{Path} is {Length} bytes; JSON files are capped at {cap}.");
        }

        var data = new byte[Length];
        Read(data, 0);
        return data;
    }

    /// <summary>The SHA-256 of the first <see cref="Length"/> bytes, read through this descriptor.</summary>
    public Sha256Digest ComputeDigest()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            for (long offset = 0; offset < Length; offset += ChunkSize)
            {
                var chunk = buffer.AsSpan(0, (int)Math.Min(ChunkSize, Length - offset));
                Read(chunk, offset);
                hash.AppendData(chunk);
            }

            return Sha256Digest.FromHash(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Hands the descriptor to the caller (for mapping); this object no longer closes it.</summary>
    public SafeFileDescriptor TakeDescriptor()
    {
        var descriptor = _descriptor ?? throw new ObjectDisposedException(Path);
        _descriptor = null;
        return descriptor;
    }

    public void Dispose() => _descriptor?.Dispose();

    private void Read(Span<byte> destination, long offset)
    {
        var descriptor = _descriptor ?? throw new ObjectDisposedException(Path);
        var addRef = false;
        try
        {
            descriptor.DangerousAddRef(ref addRef);
            using var handle = new SafeFileHandle(descriptor.DangerousGetHandle(), ownsHandle: false);
            while (!destination.IsEmpty)
            {
                var read = RandomAccess.Read(handle, destination, offset);
                if (read == 0)
                {
                    throw new SnapshotFormatException(SnapshotFormatError.Truncated, $"{Path} ends at {offset} bytes, before its recorded size of {Length}.");
                }

                destination = destination[read..];
                offset += read;
            }
        }
        finally
        {
            if (addRef)
            {
                descriptor.DangerousRelease();
            }
        }
    }
}
