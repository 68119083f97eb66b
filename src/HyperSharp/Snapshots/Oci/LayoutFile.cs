using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using HyperSharp.Interop;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// One file of a layout, opened by name relative to its directory's handle with <see cref="RegularFile"/>, never
/// through a link: a symlink, directory, FIFO or device is refused without blocking. Every later read, hash and
/// mapping goes through the same handle: what was checked is what is used.
/// </summary>
internal sealed class LayoutFile : IDisposable
{
    private const int ChunkSize = 1 << 20;

    private readonly RegularFile _file;

    private LayoutFile(RegularFile file, string path)
    {
        _file = file;
        Path = path;
    }

    public string Path { get; }

    /// <summary>The size the OS reported when the file was opened.</summary>
    public long Length => _file.Length;

    /// <summary>
    /// Opens <paramref name="name"/> in <paramref name="directory"/> (<paramref name="path"/> names it in messages); a
    /// missing file is <paramref name="missing"/>, a link or anything but a regular file <paramref name="notRegular"/>.
    /// </summary>
    /// <exception cref="SandboxIOException">The file exists but could not be opened (permissions, I/O).</exception>
    public static LayoutFile Open(SafeHandle directory, string name, string path, SnapshotFormatError missing, SnapshotFormatError notRegular) =>
        RegularFile.TryOpen(directory, name, followSymlinks: false, out var file, out var problem) switch
        {
            RegularFileStatus.Opened => new LayoutFile(file!, path),
            RegularFileStatus.Missing => throw new SnapshotFormatException(missing, $"{path} {problem}."),
            RegularFileStatus.SymbolicLink or RegularFileStatus.NotRegular => throw new SnapshotFormatException(notRegular, $"{path} {problem}."),
            _ => throw new SandboxIOException(path, $"{path} {problem}."),
        };

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

    /// <summary>
    /// The SHA-256 of the first <see cref="Length"/> bytes, read through this handle; <paramref name="progress"/>,
    /// if any, is told the bytes hashed after each chunk.
    /// </summary>
    public Sha256Digest ComputeDigest(IProgress<long>? progress)
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
                progress?.Report(offset + chunk.Length);
            }

            return Sha256Digest.FromHash(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Hands the handle to the caller (for mapping); this object no longer closes it.</summary>
    public SafeHandle TakeHandle() => _file.TakeHandle();

    public void Dispose() => _file.Dispose();

    private void Read(Span<byte> destination, long offset)
    {
        if (!_file.TryReadExactly(destination, offset, Path))
        {
            throw new SnapshotFormatException(SnapshotFormatError.Truncated, $"{Path} ended before its recorded size of {Length} bytes.");
        }
    }
}
