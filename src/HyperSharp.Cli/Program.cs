using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using HyperSharp.Cli.Commands;
using HyperSharp.Cli.Commands.Serving;
using HyperSharp.Cli.Commands.Snapshots;
using HyperSharp.Scripting;

namespace HyperSharp.Cli;

/// <summary>
/// The <c>hypersharp</c> entry point: wires the commands together and turns expected failures into
/// one-line messages and exit codes (<see cref="ExitCodes"/>), never stack traces.
/// </summary>
internal static class Program
{
    private static int Main(string[] args) => Run(args, Console.Out, Console.Error, Console.In);

    /// <summary>Runs the CLI with injectable streams, so tests can run it in-process.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader? stdin = null)
    {
        // Guests and snapshot files choose much of what is printed: nothing reaches the terminal raw.
        using var output = new TerminalWriter(stdout);
        using var errors = new TerminalWriter(stderr);
        return RunSanitized(args, output, errors, stdin ?? TextReader.Null);
    }

    private static int RunSanitized(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        // A plain command rather than RootCommand, whose name would be the assembly's, HyperSharp.Cli.
        var root = new Command("hypersharp", "Runs untrusted guest functions in hardware-isolated KVM micro-VMs.")
        {
            new HelpOption(),
            new VersionOption(),
            InfoCommand.Create(),
            RunCommand.Create(),
            DemoCommand.Create(),
            SnapshotCommand.Create(),
            ScriptCommand.Create("js", ScriptLanguage.JavaScript, "-e", stdin),
            ScriptCommand.Create("python", ScriptLanguage.Python, "-c", stdin),
            ScriptCommand.Create("lua", ScriptLanguage.Lua, "-e", stdin),
            ServeCommand.Create(),
            McpCommand.Create(),
        };

        // A bare `hypersharp` is someone asking what it does. No response files: "@path" is how a Bytes argument names
        // a file to read.
        var parseResult = root.Parse(args.Length == 0 ? ["--help"] : args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0)
        {
            // System.CommandLine's own error action exits with 1, which would collide with InternalError. It reports a
            // missing argument once per argument in the same words: each mistake is one line.
            foreach (var message in parseResult.Errors.Select(error => error.Message).Distinct())
            {
                stderr.WriteLine($"error: {message}");
            }

            stderr.WriteLine($"Run '{CommandPath(parseResult.CommandResult)} --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return parseResult.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (SnapshotFormatException e)
        {
            // The reason is the stable, scriptable part; the message explains it.
            stderr.WriteLine($"error: {e.GetType().Name}: {e.Reason}: {e.Message}");
            return ExitCodes.For(e);
        }
        catch (SandboxException e)
        {
            stderr.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            return ExitCodes.For(e);
        }
        catch (GuestCallCanceledException e)
        {
            stderr.WriteLine($"error: {e.GetType().Name}: {e.Reason}: {e.Message}");
            return ExitCodes.TimedOut;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            return ExitCodes.FileError;
        }
#pragma warning disable CA1031 // Anything else is a bug: report it in full, but as an exit code rather than a crash.
        catch (Exception e)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"error: internal error, please report: {e}");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>The command as typed, from the root: <c>hypersharp snapshot save</c>.</summary>
    private static string CommandPath(CommandResult command) =>
        command.Parent is CommandResult parent ? $"{CommandPath(parent)} {command.Command.Name}" : command.Command.Name;
}
