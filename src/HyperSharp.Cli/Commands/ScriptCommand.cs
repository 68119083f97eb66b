using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using HyperSharp.Scripting;

namespace HyperSharp.Cli.Commands;

/// <summary>
/// <c>hypersharp js|python|lua (FILE | -e CODE)</c>: runs one script in a fresh micro-VM. The script's stdout goes to
/// stdout and its stderr to stderr; then, when the script's value is not null, its JSON on a line of its own (as a
/// REPL shows the last value). A script error is exit code 3 with its type, message and line on stderr; the time
/// limit is exit code 8.
/// </summary>
internal static class ScriptCommand
{
    /// <summary>Creates the command for <paramref name="language"/>; <paramref name="stdin"/> is what <c>-</c> reads.</summary>
    /// <param name="name">The command: js, python, lua.</param>
    /// <param name="language">The language it runs.</param>
    /// <param name="inlineFlag">The flag for code on the command line, as the language's own interpreter spells it: -e, or -c for Python.</param>
    /// <param name="stdin">The standard input.</param>
    public static Command Create(string name, ScriptLanguage language, string inlineFlag, TextReader stdin)
    {
        var file = new Argument<string?>("file")
        {
            Arity = ArgumentArity.ZeroOrOne,
            Description = $"The {language} script to run; - reads it from standard input.",
        };
        var code = new Option<string?>(inlineFlag) { Description = "The script itself, instead of a file.", HelpName = "code" };
        var memory = new Option<ulong?>("--memory")
        {
            Description = $"Memory the interpreter may allocate, in bytes or with a K, M or G suffix; default {ByteSizes.Format(ScriptOptions.Default.MemoryLimit)}.",
            HelpName = "size",
            CustomParser = ParseMemory,
        };
        var timeout = new CallTimeoutOption("Stop the script (exit code 8) when it runs longer than this many milliseconds; by default there is no limit.");
        var command = new Command(name, $"Runs a {language} script in a fresh micro-VM: its output on stdout and stderr, then its value as JSON unless null.")
        {
            file,
            code,
            memory,
        };
        timeout.AddTo(command);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(file) is null) == (result.GetValue(code) is null))
            {
                result.AddError($"give either a script file (- for standard input) or {inlineFlag} CODE, not both or neither.");
            }
        });
        command.SetAction(parseResult =>
        {
            var options = ScriptOptions.Default with
            {
                MemoryLimit = parseResult.GetValue(memory) ?? ScriptOptions.Default.MemoryLimit,
                TimeLimit = timeout.Read(parseResult),
            };
            var source = parseResult.GetValue(code) ?? ReadSource(parseResult.GetValue(file)!, stdin, options.MaxSourceSize);
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            using var sandbox = ScriptSandbox.Create(language, options);
            ScriptResult result;
            try
            {
                result = sandbox.Run(source);
            }
            catch (ScriptException e)
            {
                output.Write(e.Stdout);
                error.Write(e.Stderr);
                throw;
            }

            output.Write(result.Stdout);
            error.Write(result.Stderr);
            if (result.Value.ValueKind != System.Text.Json.JsonValueKind.Null)
            {
                if (result.Stdout.Length > 0 && !result.Stdout.EndsWith('\n'))
                {
                    output.WriteLine();
                }

                output.WriteLine(result.ValueJson);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The script from a file or, for <c>-</c>, standard input, as UTF-8, at most <paramref name="maxSize"/> bytes.</summary>
    private static string ReadSource(string path, TextReader stdin, int maxSize)
    {
        if (path == "-")
        {
            var buffer = new char[maxSize + 1];
            var length = stdin.ReadBlock(buffer, 0, buffer.Length);
            return length <= maxSize
                ? new string(buffer, 0, length)
                : throw new UsageException($"the script on standard input is longer than the {ByteSizes.Format((ulong)maxSize)} a script may have.");
        }

        try
        {
            return Encoding.UTF8.GetString(UntrustedFiles.ReadAllBytes(path, maxSize));
        }
        catch (Exception e) when (e is SandboxIOException or ArgumentException)
        {
            throw new UsageException($"cannot read '{path}': {e.Message}");
        }
    }

    private static ulong? ParseMemory(ArgumentResult result)
    {
        var text = result.Tokens[0].Value;
        if (!ByteSizes.TryParse(text, out var bytes))
        {
            result.AddError($"--memory: '{text}' is not a size; use bytes or a number with a K, M or G suffix, e.g. 64M.");
            return null;
        }

        if (bytes is < ScriptOptions.MinMemoryLimit or > ScriptOptions.MaxMemoryLimit)
        {
            result.AddError($"--memory: {text} must be from {ByteSizes.Format(ScriptOptions.MinMemoryLimit)} to {ByteSizes.Format(ScriptOptions.MaxMemoryLimit)}.");
        }

        return bytes;
    }
}
