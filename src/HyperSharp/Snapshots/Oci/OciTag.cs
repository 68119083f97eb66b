namespace HyperSharp.Snapshots.Oci;

/// <summary>The OCI tag grammar: 1–128 characters, the first a letter, digit or <c>_</c>, the rest also <c>.</c> or <c>-</c>.</summary>
internal static class OciTag
{
    public const int MaxLength = 128;

    public static bool IsValid(string? tag) =>
        tag is { Length: > 0 and <= MaxLength }
        && (char.IsAsciiLetterOrDigit(tag[0]) || tag[0] == '_')
        && tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}
