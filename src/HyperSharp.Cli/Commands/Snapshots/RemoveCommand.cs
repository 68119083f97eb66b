using System.CommandLine;

namespace HyperSharp.Cli.Commands.Snapshots;

/// <summary><c>hypersharp snapshot rm dir tag</c>: removes a tag, then deletes the blobs no remaining tag uses.</summary>
internal static class RemoveCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The OCI image layout directory." };
        var tag = new Argument<string>("tag") { Description = "The tag to remove." };
        var durable = new Option<bool>("--durable") { Description = "fsync the new index.json and its directory, so the removal survives a crash or power loss." };
        var command = new Command("rm", "Removes a tag, then deletes the blobs no remaining tag uses; blobs shared with other tags are kept. "
            + "Snapshots already loaded from it keep running.")
        {
            directory, tag, durable,
        };
        command.SetAction(parseResult => Execute(
            parseResult.GetRequiredValue(directory),
            parseResult.GetRequiredValue(tag),
            parseResult.GetValue(durable),
            parseResult.InvocationConfiguration.Output));
        return command;
    }

    private static int Execute(string directory, string tag, bool durable, TextWriter output)
    {
        SnapshotDirectory.RequireExists(directory);
        SnapshotDirectory.RequireValidTag(tag);

        SnapshotDirectory.Delete(directory, tag, durable);
        output.WriteLine($"removed '{tag}' from {directory}");
        return ExitCodes.Success;
    }
}
