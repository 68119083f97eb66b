using System.CommandLine;

namespace HyperSharp.Cli.Commands.Snapshots;

/// <summary><c>hypersharp snapshot verify dir [ref]</c>: a verified load, every digest hashed, then discarded.</summary>
internal static class VerifyCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The OCI image layout directory." };
        var reference = InspectCommand.ReferenceArgument();
        var command = new Command("verify", $"Loads a snapshot with every check and digest verified, as 'snapshot call' does; prints OK or why it cannot load (exit code {ExitCodes.BadSnapshot}).")
        {
            directory, reference,
        };
        command.SetAction(parseResult =>
        {
            var dir = parseResult.GetRequiredValue(directory);
            var resolved = SnapshotDirectory.Resolve(dir, parseResult.GetValue(reference));
            var (snapshot, elapsed) = SnapshotDirectory.Load(dir, resolved, verifyDigests: true, parseResult.InvocationConfiguration.Error);
            using (snapshot)
            {
                parseResult.InvocationConfiguration.Output.WriteLine(
                    $"OK {resolved}: {ByteSizes.Format(snapshot.MemorySize)} verified in {SnapshotDirectory.Milliseconds(elapsed)} ({SnapshotDirectory.Throughput(snapshot.MemorySize, elapsed)})");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
