using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace HyperSharp.Cli.Commands.Snapshots;

/// <summary><c>hypersharp snapshot ls dir</c>: one row per manifest in <c>index.json</c>.</summary>
internal static class ListCommand
{
    private static readonly string[] s_header = ["TAG", "MANIFEST DIGEST", "MEMORY", "GENERATION"];

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The OCI image layout directory." };
        var json = JsonOutput.CreateOption();
        var command = new Command("ls", "Lists the snapshots in a directory: tag, manifest digest, memory size, generation. "
            + "Fast: reads index.json and the config blobs only; digests are not verified (use 'snapshot verify').")
        {
            directory, json,
        };
        command.SetAction(parseResult => Execute(parseResult.GetRequiredValue(directory), parseResult.GetValue(json), parseResult.InvocationConfiguration.Output));
        return command;
    }

    private static int Execute(string directory, bool json, TextWriter output)
    {
        SnapshotDirectory.RequireExists(directory);
        var entries = new List<Row>();
        foreach (var entry in Snapshot.List(directory))
        {
            try
            {
                entries.Add(new Row(entry, Snapshot.Inspect(directory, entry.ManifestDigest), null));
            }
            catch (SnapshotFormatException e)
            {
                // One broken entry should not hide the others; the exit code still reports it.
                entries.Add(new Row(entry, null, e.Reason));
            }
        }

        if (json)
        {
            JsonOutput.Write(output, writer => WriteJson(writer, entries));
        }
        else
        {
            WriteTable(output, entries);
        }

        return entries.Any(entry => entry.Error is not null) ? ExitCodes.BadSnapshot : ExitCodes.Success;
    }

    private static void WriteJson(Utf8JsonWriter writer, List<Row> entries)
    {
        writer.WriteStartArray();
        foreach (var (entry, snapshot, error) in entries)
        {
            writer.WriteStartObject();
            writer.WriteString("tag", entry.Tag);
            writer.WriteString("manifestDigest", entry.ManifestDigest);
            if (snapshot is null)
            {
                writer.WriteString("error", error.ToString());
            }
            else
            {
                writer.WriteNumber("memoryBlobSize", snapshot.MemoryBlobSize);
                writer.WriteNumber("generation", snapshot.Generation);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteTable(TextWriter output, List<Row> entries)
    {
        var rows = new List<string[]> { s_header };
        foreach (var (entry, snapshot, error) in entries)
        {
            var tag = entry.Tag ?? "<none>";
            rows.Add(snapshot is null
                ? [tag, entry.ManifestDigest, $"unreadable: {error}", ""]
                : [tag, entry.ManifestDigest, ByteSizes.Format((ulong)snapshot.MemoryBlobSize), snapshot.Generation.ToString(CultureInfo.InvariantCulture)]);
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(column => rows.Max(row => row[column].Length) + 2).ToArray();
        foreach (var row in rows)
        {
            output.WriteLine(string.Concat(row.Select((cell, column) => column == row.Length - 1 ? cell : cell.PadRight(widths[column]))));
        }
    }

    /// <summary>One entry of <c>index.json</c>: its snapshot, or why its config could not be read.</summary>
    private sealed record Row(SnapshotEntry Entry, SnapshotInfo? Snapshot, SnapshotFormatError? Error);
}
