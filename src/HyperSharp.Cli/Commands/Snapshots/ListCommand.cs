using System.CommandLine;
using System.Globalization;

namespace HyperSharp.Cli.Commands.Snapshots;

/// <summary><c>hypersharp snapshot ls dir</c>: one row per manifest in <c>index.json</c>.</summary>
internal static class ListCommand
{
    private static readonly string[] s_header = ["TAG", "MANIFEST DIGEST", "MEMORY", "GENERATION"];

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The OCI image layout directory." };
        var command = new Command("ls", "Lists the snapshots in a directory: tag, manifest digest, memory size, generation. "
            + "Fast: reads index.json and the config blobs only; digests are not verified (use 'snapshot verify').")
        {
            directory,
        };
        command.SetAction(parseResult => Execute(parseResult.GetRequiredValue(directory), parseResult.InvocationConfiguration.Output));
        return command;
    }

    private static int Execute(string directory, TextWriter output)
    {
        SnapshotDirectory.RequireExists(directory);
        var rows = new List<string[]> { s_header };
        var exitCode = ExitCodes.Success;
        foreach (var entry in Snapshot.List(directory))
        {
            var tag = entry.Tag ?? "<none>";
            try
            {
                var snapshot = Snapshot.Inspect(directory, entry.ManifestDigest);
                rows.Add([tag, entry.ManifestDigest, ByteSizes.Format((ulong)snapshot.MemoryBlobSize), snapshot.Generation.ToString(CultureInfo.InvariantCulture)]);
            }
            catch (SnapshotFormatException e)
            {
                // One broken entry should not hide the others; the exit code still reports it.
                rows.Add([tag, entry.ManifestDigest, $"unreadable: {e.Reason}", ""]);
                exitCode = ExitCodes.BadSnapshot;
            }
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(column => rows.Max(row => row[column].Length) + 2).ToArray();
        foreach (var row in rows)
        {
            output.WriteLine(string.Concat(row.Select((cell, column) => column == row.Length - 1 ? cell : cell.PadRight(widths[column]))));
        }

        return exitCode;
    }
}
