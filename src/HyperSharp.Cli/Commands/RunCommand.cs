using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;

namespace HyperSharp.Cli.Commands;

/// <summary>
/// <c>hypersharp run guest.elf Function [args…]</c>: boots the guest, parses each argument by the type the
/// function declares, calls it once and prints the result.
/// </summary>
internal static class RunCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var guest = new Argument<string>("guest") { Description = "The guest ELF file (a static PIE built against the HyperSharp guest SDK)." };
        var function = new Argument<string>("function") { Description = "The guest function to call." };
        var arguments = new Argument<string[]>("args")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "The function's arguments, parsed by its declared parameter types: integers in decimal or 0x hex; "
                + "floats, nan, inf, -inf; true/false/1/0; strings as is; bytes as 0x hex or @file. Put -- before them if one could be taken for an option, such as -h.",
        };
        var defaults = SandboxOptions.Default;
        var heap = SizeOption("--heap-size", "Guest heap", defaults.HeapSize, SandboxOptions.MinHeapSize, SandboxOptions.MaxHeapSize);
        var stack = SizeOption("--stack-size", "Guest stack", defaults.StackSize, SandboxOptions.MinStackSize, SandboxOptions.MaxStackSize);
        var input = SizeOption("--input-size", "Host-to-guest buffer (arguments)", defaults.InputBufferSize, SandboxOptions.MinBufferSize, SandboxOptions.MaxBufferSize);
        var output = SizeOption("--output-size", "Guest-to-host buffer (results)", defaults.OutputBufferSize, SandboxOptions.MinBufferSize, SandboxOptions.MaxBufferSize);

        var command = new Command("run", "Calls one function of a guest and prints its result.") { guest, function, arguments, heap, stack, input, output };
        command.SetAction(parseResult =>
        {
            var options = new SandboxOptions
            {
                HeapSize = parseResult.GetValue(heap),
                StackSize = parseResult.GetValue(stack),
                InputBufferSize = parseResult.GetValue(input),
                OutputBufferSize = parseResult.GetValue(output),
            };
            return Execute(
                parseResult.GetRequiredValue(guest),
                parseResult.GetRequiredValue(function),
                parseResult.GetValue(arguments) ?? [],
                options,
                parseResult.InvocationConfiguration.Output);
        });
        return command;
    }

    private static int Execute(string guestPath, string functionName, string[] texts, SandboxOptions options, TextWriter output)
    {
        var guestOutput = new GuestOutput(output);
        using var sandbox = Open(guestPath, options, guestOutput);
        var signature = sandbox.GuestFunctions.FirstOrDefault(f => f.Name == functionName)
            ?? throw new UsageException(UnknownFunction(guestPath, functionName, sandbox.GuestFunctions));
        var result = sandbox.Call(functionName, signature.ReturnType, ParseArguments(signature, texts));
        if (result.Type != GuestValueType.Void)
        {
            guestOutput.EndLine();
            output.WriteLine(ArgumentParsing.Format(result));
        }

        return ExitCodes.Success;
    }

    /// <summary>Boots the guest with the host functions <c>run</c> offers: HostPrint to <paramref name="output"/> and HostAdd.</summary>
    private static Sandbox Open(string guestPath, SandboxOptions options, GuestOutput output)
    {
        var host = new HostFunctions();
        host.Define(HostFunctions.HostPrintName, (string text) => output.Print(text));
        host.Define("HostAdd", (int a, int b) => a + b);
        try
        {
            return Sandbox.Create(guestPath, host, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read guest '{guestPath}': {e.Message}");
        }
    }

    private static GuestValue[] ParseArguments(GuestFunctionSignature signature, string[] texts)
    {
        var types = signature.ParameterTypes;
        if (texts.Length != types.Count)
        {
            throw new UsageException($"{signature} takes {types.Count} argument(s), but got {texts.Length}.");
        }

        var values = new GuestValue[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            if (!ArgumentParsing.TryParse(texts[i], types[i], out values[i], out var error))
            {
                throw new UsageException($"parameter {i} ({types[i]}) of {signature}: {error}");
            }
        }

        return values;
    }

    private static string UnknownFunction(string guestPath, string name, IReadOnlyList<GuestFunctionSignature> functions)
    {
        var message = new StringBuilder($"'{Path.GetFileName(guestPath)}' has no function '{name}'. It exports:");
        foreach (var function in functions)
        {
            message.Append("\n  ").Append(function);
        }

        return message.ToString();
    }

    /// <summary>A size option checked against the library's limits at parse time, so the error names the option.</summary>
    private static Option<ulong> SizeOption(string name, string what, ulong defaultValue, ulong min, ulong max) => new(name)
    {
        Description = $"{what} size in bytes, or with a K, M or G suffix; a multiple of 4K from {ByteSizes.Format(min)} to {ByteSizes.Format(max)}.",
        HelpName = "size",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseSize(result, name, min, max),
    };

    private static ulong ParseSize(ArgumentResult result, string name, ulong min, ulong max)
    {
        var text = result.Tokens[0].Value;
        if (!ByteSizes.TryParse(text, out var bytes))
        {
            result.AddError($"{name}: '{text}' is not a size; use bytes or a number with a K, M or G suffix, e.g. 64K.");
        }
        else if (bytes < min || bytes > max || bytes % 4096 != 0)
        {
            result.AddError($"{name}: {text} must be a multiple of 4K from {ByteSizes.Format(min)} to {ByteSizes.Format(max)}.");
        }

        return bytes;
    }

    /// <summary>What the guest prints, kept apart from the result: a result never continues the guest's last line.</summary>
    private sealed class GuestOutput(TextWriter output)
    {
        private bool _lineOpen;

        public int Print(string text)
        {
            output.Write(text);
            _lineOpen = !text.EndsWith('\n');
            return Encoding.UTF8.GetByteCount(text);
        }

        public void EndLine()
        {
            if (_lineOpen)
            {
                output.WriteLine();
            }
        }
    }
}
