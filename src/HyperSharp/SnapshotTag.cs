using System.Diagnostics.CodeAnalysis;
using HyperSharp.Snapshots.Oci;

namespace HyperSharp;

/// <summary>
/// What names a snapshot in a directory: a tag (the OCI tag grammar) or a manifest digest. The rules and their wording
/// live here once.
/// </summary>
public static class SnapshotTag
{
    /// <summary>The longest tag.</summary>
    public const int MaxLength = 128;

    /// <summary>The tag rule in words, for messages.</summary>
    public const string Rule = "1-128 characters of A-Z a-z 0-9 _ . -, not starting with . or -";

    /// <summary>The reference rule in words, for messages.</summary>
    public const string ReferenceRule = "a tag (" + Rule + ") or a manifest digest (sha256: and 64 lower-case hex digits)";

    /// <summary>Whether <paramref name="tag"/> is a valid tag: <see cref="Rule"/>.</summary>
    public static bool IsValid([NotNullWhen(true)] string? tag) =>
        tag is { Length: > 0 and <= MaxLength }
        && (char.IsAsciiLetterOrDigit(tag[0]) || tag[0] == '_')
        && tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    /// <summary>Whether <paramref name="reference"/> is a tag or a <c>sha256:</c> manifest digest: <see cref="ReferenceRule"/>.</summary>
    public static bool IsValidReference([NotNullWhen(true)] string? reference) =>
        IsValid(reference) || (reference is not null && Sha256Digest.TryParse(reference, out _));

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="tag"/> is valid.</summary>
    internal static void Require(string tag, string parameterName)
    {
        if (!IsValid(tag))
        {
            throw new ArgumentException($"'{tag}' is not a valid tag: {Rule}.", parameterName);
        }
    }
}
