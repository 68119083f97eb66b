using System.CommandLine;

namespace HyperSharp.Cli.Commands.Snapshots;

/// <summary>
/// <c>hypersharp snapshot call dir[:ref] Function [args…]</c>: loads a saved snapshot, starts a sandbox from it
/// (no ELF, no guest init), calls one function and prints the result.
/// </summary>
internal static class CallCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var location = new Argument<string>("dir[:ref]")
        {
            Description = "The OCI image layout directory, optionally with :tag or :sha256:… appended; without one, the directory's only tag.",
        };
        var function = new Argument<string>("function") { Description = "The guest function to call." };
        var arguments = new Argument<string[]>("args")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = RunCommand.ArgumentsDescription + " Put -- before them if one could be taken for an option, such as -h.",
        };
        var noVerify = new Option<bool>("--no-verify") { Description = "Skip hashing the blobs: load time no longer grows with memory size, and a corrupted blob goes unnoticed." };
        var command = new Command("call", "Starts a sandbox from a saved snapshot with the host functions 'run' offers, calls one function and prints its result.")
        {
            location, function, arguments, noVerify,
        };
        var timeout = new CallTimeoutOption();
        timeout.AddTo(command);
        command.SetAction(parseResult =>
        {
            var (directory, reference) = SnapshotDirectory.SplitLocation(parseResult.GetRequiredValue(location));
            var resolved = SnapshotDirectory.Resolve(directory, reference);
            var (snapshot, _) = SnapshotDirectory.Load(directory, resolved, verifyDigests: !parseResult.GetValue(noVerify), parseResult.InvocationConfiguration.Error);
            using (snapshot)
            {
                var calls = new GuestCalls(parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error);
                using var sandbox = Sandbox.FromSnapshot(snapshot, calls.CreateHostFunctions(), snapshot.Options with { CallTimeout = timeout.Read(parseResult) });
                calls.WriteResult(GuestCalls.Call(sandbox, parseResult.GetRequiredValue(function), parseResult.GetValue(arguments) ?? [], $"{directory}:{resolved}"));
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
