using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace HyperSharp.Cli.Commands;

/// <summary>The <c>--timeout</c> option of the commands that call a guest function (<see cref="SandboxOptions.CallTimeout"/>) or run a script.</summary>
internal sealed class CallTimeoutOption(string description = "Stop a call (exit code 8) that runs longer than this many milliseconds, the guest's initialisation included; by default there is no limit.")
{
    private readonly Option<TimeSpan?> _option = new("--timeout")
    {
        Description = description,
        HelpName = "ms",
        CustomParser = Parse,
    };

    public void AddTo(Command command) => command.Options.Add(_option);

    public TimeSpan? Read(ParseResult parseResult) => parseResult.GetValue(_option);

    private static TimeSpan? Parse(ArgumentResult result)
    {
        var text = result.Tokens[0].Value;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
            || !(milliseconds >= 1 && milliseconds <= SandboxOptions.MaxCallTimeout.TotalMilliseconds))
        {
            result.AddError($"--timeout: '{text}' is not a number of milliseconds from 1 to {SandboxOptions.MaxCallTimeout.TotalMilliseconds:F0}.");
            return null;
        }

        return TimeSpan.FromMilliseconds(milliseconds);
    }
}
