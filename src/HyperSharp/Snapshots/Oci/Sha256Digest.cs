using System.Security.Cryptography;

namespace HyperSharp.Snapshots.Oci;

/// <summary>An OCI content digest, <c>sha256:</c> and 64 lower-case hex digits; the only algorithm this format uses.</summary>
internal readonly record struct Sha256Digest
{
    private const string Prefix = "sha256:";

    private Sha256Digest(string hex) => Hex = hex;

    /// <summary>The 64 lower-case hex digits, also the blob's file name under <c>blobs/sha256</c>.</summary>
    public string Hex { get; }

    /// <summary>The digest of <paramref name="data"/>.</summary>
    public static Sha256Digest Of(ReadOnlySpan<byte> data) => FromHash(SHA256.HashData(data));

    /// <summary>The digest whose 32 hash bytes are <paramref name="hash"/>.</summary>
    public static Sha256Digest FromHash(ReadOnlySpan<byte> hash) => new(Convert.ToHexStringLower(hash));

    /// <summary>Parses <c>sha256:&lt;64 lower-case hex&gt;</c>; anything else (upper case, other algorithms, other lengths) fails.</summary>
    public static bool TryParse(string? text, out Sha256Digest digest)
    {
        digest = default;
        if (text is null || text.Length != Prefix.Length + 64 || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var hex = text[Prefix.Length..];
        if (!hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            return false;
        }

        digest = new Sha256Digest(hex);
        return true;
    }

    /// <summary>Parses a digest or throws <see cref="SnapshotFormatException"/> with <see cref="SnapshotFormatError.BadReference"/>.</summary>
    public static Sha256Digest Parse(string? text, string what) =>
        TryParse(text, out var digest)
            ? digest
            : throw new SnapshotFormatException(SnapshotFormatError.BadReference, $"The {what} digest '{text}' is not 'sha256:' followed by 64 lower-case hex digits.");

    public override string ToString() => Prefix + Hex;
}
