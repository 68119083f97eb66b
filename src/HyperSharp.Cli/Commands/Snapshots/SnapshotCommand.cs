using System.CommandLine;

namespace HyperSharp.Cli.Commands.Snapshots;

/// <summary><c>hypersharp snapshot …</c>: snapshot files in OCI image layouts (docs/snapshot-format.md).</summary>
internal static class SnapshotCommand
{
    /// <summary>Creates the command group.</summary>
    public static Command Create() => new("snapshot", "Saves, lists, inspects, verifies, calls and removes snapshots stored as OCI image layouts.")
    {
        SaveCommand.Create(),
        ListCommand.Create(),
        InspectCommand.Create(),
        VerifyCommand.Create(),
        CallCommand.Create(),
        RemoveCommand.Create(),
    };
}
