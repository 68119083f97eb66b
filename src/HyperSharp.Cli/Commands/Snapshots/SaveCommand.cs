using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;

namespace HyperSharp.Cli.Commands.Snapshots;

/// <summary>
/// <c>hypersharp snapshot save guest.elf dir --tag t [--call Function args…]…</c>: boots the guest, runs the
/// set-up calls in order, snapshots it and saves the snapshot into an OCI image layout.
/// </summary>
internal static class SaveCommand
{
    private const string CallName = "--call";

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var guest = RunCommand.GuestArgument();
        var directory = new Argument<string>("dir") { Description = "The OCI image layout directory; created if missing, other tags in it are kept." };
        var tag = new Option<string>("--tag")
        {
            Description = $"The tag to save under ({SnapshotTag.Rule}); an existing tag is moved.",
            Required = true,
        };
        var call = new Option<string[]>(CallName)
        {
            Description = "A set-up call before the snapshot: the function name, then its arguments, typed as for 'run'. "
                + $"Repeat for several calls, run in order: {CallName} SetStatic 41 {CallName} Leak 100. "
                + "Every token up to the next option belongs to the call, so put the guest and directory first.",
            HelpName = "function args",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var durable = new Option<bool>("--durable") { Description = "fsync every file and directory written, so the tag survives a crash or power loss." };
        var sizes = new SandboxSizeOptions();
        var command = new Command("save", "Boots a guest, runs set-up calls, snapshots it and saves the snapshot; prints each call, then the timing, then the manifest digest on the last line.")
        {
            guest, directory, tag, call, durable,
        };
        sizes.AddTo(command);
        var timeout = new CallTimeoutOption();
        timeout.AddTo(command);
        command.SetAction(parseResult => Execute(
            parseResult.GetRequiredValue(guest),
            parseResult.GetRequiredValue(directory),
            parseResult.GetRequiredValue(tag),
            Calls(parseResult),
            sizes.Read(parseResult) with { CallTimeout = timeout.Read(parseResult) },
            new SnapshotSaveOptions { Durable = parseResult.GetValue(durable) },
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    private static int Execute(string guestPath, string directory, string tag, List<string[]> setUpCalls, SandboxOptions options, SnapshotSaveOptions saveOptions, TextWriter output, TextWriter error)
    {
        SnapshotDirectory.RequireValidTag(tag);
        SnapshotDirectory.RequireCreatable(directory);

        var calls = new GuestCalls(output, error);
        var start = Stopwatch.GetTimestamp();
        using var sandbox = RunCommand.Open(guestPath, calls.CreateHostFunctions(), options);
        var created = Stopwatch.GetElapsedTime(start);
        foreach (var setUpCall in setUpCalls)
        {
            output.WriteLine($"{CallName} {string.Join(' ', setUpCall)}");
            calls.WriteResult(GuestCalls.Call(sandbox, setUpCall[0], setUpCall[1..], Path.GetFileName(guestPath)));
        }

        start = Stopwatch.GetTimestamp();
        using var snapshot = sandbox.Snapshot();
        var snapshotted = Stopwatch.GetElapsedTime(start);
        start = Stopwatch.GetTimestamp();
        var digest = snapshot.Save(directory, tag, saveOptions with { Progress = new ProgressLines(error, "saving memory", snapshot.MemorySize) });
        var saved = Stopwatch.GetElapsedTime(start);
        output.WriteLine($"saved {Path.GetFileName(guestPath)} as '{tag}' in {directory}: {ByteSizes.Format(snapshot.MemorySize)} of memory, generation {snapshot.Generation}");
        output.WriteLine($"create {SnapshotDirectory.Milliseconds(created)}, snapshot {SnapshotDirectory.Milliseconds(snapshotted)}, "
            + $"save {SnapshotDirectory.Milliseconds(saved)} ({SnapshotDirectory.Throughput(snapshot.MemorySize, saved)}{(saveOptions.Durable ? ", fsynced" : "")})");
        output.WriteLine(digest);
        return ExitCodes.Success;
    }

    /// <summary>
    /// The <c>--call</c> groups in command-line order. The parser flattens repeated options into one list, so the
    /// groups come from the tokens: each <c>--call</c> takes the arguments after it, up to the next option.
    /// </summary>
    private static List<string[]> Calls(ParseResult parseResult)
    {
        var calls = new List<string[]>();
        List<string>? current = null;
        foreach (var token in parseResult.Tokens)
        {
            if (token.Type is TokenType.Option or TokenType.DoubleDash)
            {
                Flush();
                current = token.Value == CallName ? [] : null;
            }
            else if (token.Type == TokenType.Argument)
            {
                current?.Add(token.Value);
            }
        }

        Flush();
        return calls;

        void Flush()
        {
            if (current is { Count: > 0 })
            {
                calls.Add([.. current]);
            }
        }
    }
}
