using System.Diagnostics;
using System.Globalization;

namespace HyperSharp.Cli.Commands.Snapshots;

/// <summary>
/// The CLI's view of a snapshot directory: checks what the user typed before the library sees it (so a typo is a
/// usage error, not a broken file), picks the default reference, and reads a manifest's descriptors and config
/// without mapping or hashing the memory blob.
/// </summary>
internal static class SnapshotDirectory
{
    /// <summary>Fails with a usage error, saying which, unless <paramref name="directory"/> exists and is a directory.</summary>
    public static void RequireExists(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new UsageException(Path.Exists(directory) ? $"'{directory}' is not a directory." : $"'{directory}' does not exist.");
        }
    }

    /// <summary>
    /// Fails with a file error (<see cref="SandboxIOException"/>, as the library's own failure to create it would be)
    /// when a file stands where <paramref name="directory"/> or a parent of it must be a directory ('save' creates what
    /// is missing), naming that file rather than the runtime's "already exists" or "could not find a part of the path".
    /// </summary>
    public static void RequireCreatable(string directory)
    {
        for (var path = Path.GetFullPath(directory); path is not null; path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
            {
                throw new SandboxIOException(path, $"'{(path == Path.GetFullPath(directory) ? directory : path)}' is not a directory.");
            }
        }
    }

    /// <summary>Fails with a usage error unless <paramref name="tag"/> is a valid tag.</summary>
    public static void RequireValidTag(string tag)
    {
        if (!SnapshotTag.IsValid(tag))
        {
            throw new UsageException($"'{tag}' is not a valid tag: {SnapshotTag.Rule}.");
        }
    }

    /// <summary>Fails with a usage error unless <paramref name="reference"/> is a tag or a <c>sha256:</c> digest.</summary>
    public static void RequireValidReference(string reference)
    {
        if (!SnapshotTag.IsValidReference(reference))
        {
            throw new UsageException($"'{reference}' is not {SnapshotTag.ReferenceRule}.");
        }
    }

    /// <summary><paramref name="reference"/> checked, or when null the directory's only tag.</summary>
    public static string Resolve(string directory, string? reference)
    {
        RequireExists(directory);
        if (reference is not null)
        {
            RequireValidReference(reference);
            return reference;
        }

        var tags = Tags(directory);
        return tags.Count == 1
            ? tags[0]
            : throw new UsageException(tags.Count == 0
                ? $"{directory} has no tagged snapshots."
                : $"{directory} has {tags.Count} tags; name one: {string.Join(", ", tags)}.");
    }

    /// <summary>Splits <c>dir[:ref]</c>: an existing directory is taken whole, a digest at <c>:sha256:</c>, a tag at the last colon.</summary>
    public static (string Directory, string? Reference) SplitLocation(string location)
    {
        if (Directory.Exists(location))
        {
            return (location, null);
        }

        var digest = location.IndexOf(":sha256:", StringComparison.Ordinal);
        var colon = digest >= 0 ? digest : location.LastIndexOf(':');
        return colon > 0 ? (location[..colon], location[(colon + 1)..]) : (location, null);
    }

    /// <summary>The tags in <c>index.json</c>, in index order.</summary>
    public static List<string> Tags(string directory) => [.. Snapshot.List(directory).Select(e => e.Tag).OfType<string>().Distinct()];

    /// <summary>What <paramref name="reference"/> names, with every structural check but no digest verification.</summary>
    public static SnapshotInfo Inspect(string directory, string reference) => WithTagList(directory, () => Snapshot.Inspect(directory, reference));

    /// <summary>
    /// Loads <paramref name="reference"/> and measures how long it took; hashing the memory reports progress on
    /// <paramref name="error"/> once it takes more than a second.
    /// </summary>
    public static (Snapshot Snapshot, TimeSpan Elapsed) Load(string directory, string reference, bool verifyDigests, TextWriter error) => WithTagList(directory, () =>
    {
        // The memory size, for the progress lines, from the config alone (milliseconds, unlike the hashing).
        var progress = verifyDigests ? new ProgressLines(error, "verifying memory", (ulong)Snapshot.Inspect(directory, reference).MemoryBlobSize) : null;
        var start = Stopwatch.GetTimestamp();
        var snapshot = Snapshot.Load(directory, reference, new SnapshotLoadOptions { VerifyDigests = verifyDigests, Progress = progress });
        return (snapshot, Stopwatch.GetElapsedTime(start));
    });

    /// <summary>Removes <paramref name="tag"/> with <see cref="Snapshot.Delete"/>.</summary>
    public static void Delete(string directory, string tag, bool durable) => WithTagList(directory, () =>
    {
        Snapshot.Delete(directory, tag, new SnapshotSaveOptions { Durable = durable });
        return tag;
    });

    /// <summary>Milliseconds with two decimals.</summary>
    public static string Milliseconds(TimeSpan elapsed) => string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds:F2} ms");

    /// <summary>Decimal megabytes per second, as disk and hash speeds are quoted.</summary>
    public static string Throughput(ulong bytes, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6 / Math.Max(elapsed.TotalSeconds, 1e-9):F0} MB/s");

    /// <summary>An unknown tag's message lists the tags there are, so the next attempt can be right.</summary>
    private static T WithTagList<T>(string directory, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (SnapshotFormatException e) when (e.Reason == SnapshotFormatError.TagNotFound)
        {
            var tags = Tags(directory);
            var known = tags.Count == 0 ? "It has no tags." : $"Its tags: {string.Join(", ", tags)}.";
            throw new SnapshotFormatException(e.Reason, $"{e.Message} {known}", e);
        }
    }
}
