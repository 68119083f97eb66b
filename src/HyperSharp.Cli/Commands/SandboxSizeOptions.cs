using System.CommandLine;
using System.CommandLine.Parsing;

namespace HyperSharp.Cli.Commands;

/// <summary>The <c>--heap-size</c>, <c>--stack-size</c>, <c>--input-size</c> and <c>--output-size</c> options of every command that creates a sandbox from an ELF.</summary>
internal sealed class SandboxSizeOptions
{
    private readonly Option<ulong> _heap;
    private readonly Option<ulong> _stack;
    private readonly Option<ulong> _input;
    private readonly Option<ulong> _output;

    public SandboxSizeOptions()
    {
        var defaults = SandboxOptions.Default;
        _heap = SizeOption("--heap-size", "Guest heap", defaults.HeapSize, SandboxOptions.MinHeapSize, SandboxOptions.MaxHeapSize);
        _stack = SizeOption("--stack-size", "Guest stack", defaults.StackSize, SandboxOptions.MinStackSize, SandboxOptions.MaxStackSize);
        _input = SizeOption("--input-size", "Host-to-guest buffer (arguments)", defaults.InputBufferSize, SandboxOptions.MinBufferSize, SandboxOptions.MaxBufferSize);
        _output = SizeOption("--output-size", "Guest-to-host buffer (results)", defaults.OutputBufferSize, SandboxOptions.MinBufferSize, SandboxOptions.MaxBufferSize);
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_heap);
        command.Options.Add(_stack);
        command.Options.Add(_input);
        command.Options.Add(_output);
    }

    public SandboxOptions Read(ParseResult parseResult) => new()
    {
        HeapSize = parseResult.GetValue(_heap),
        StackSize = parseResult.GetValue(_stack),
        InputBufferSize = parseResult.GetValue(_input),
        OutputBufferSize = parseResult.GetValue(_output),
    };

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
}
