using System.CommandLine;

namespace HyperSharp.Cli.Commands;

/// <summary>
/// <c>hypersharp run guest.elf Function [args…]</c>: boots the guest, parses each argument by the type the
/// function declares, calls it once and prints the result.
/// </summary>
internal static class RunCommand
{
    /// <summary>Describes the function's arguments; shared with the snapshot commands, which take them the same way.</summary>
    public const string ArgumentsDescription = "The function's arguments, parsed by its declared parameter types: integers in decimal or 0x hex; "
        + "floats, nan, inf, -inf; true/false/1/0; strings as is; bytes as 0x hex or @file.";

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var guest = GuestArgument();
        var function = new Argument<string>("function") { Description = "The guest function to call." };
        var arguments = new Argument<string[]>("args")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = ArgumentsDescription + " Put -- before them if one could be taken for an option, such as -h.",
        };
        var sizes = new SandboxSizeOptions();
        var timeout = new CallTimeoutOption();
        var command = new Command("run", "Calls one function of a guest and prints its result.") { guest, function, arguments };
        sizes.AddTo(command);
        timeout.AddTo(command);
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var guestPath = parseResult.GetRequiredValue(guest);
            var calls = new GuestCalls(output, parseResult.InvocationConfiguration.Error);
            using var sandbox = Open(guestPath, calls.CreateHostFunctions(), sizes.Read(parseResult) with { CallTimeout = timeout.Read(parseResult) });
            calls.WriteResult(GuestCalls.Call(sandbox, parseResult.GetRequiredValue(function), parseResult.GetValue(arguments) ?? [], Path.GetFileName(guestPath)));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The guest ELF argument.</summary>
    public static Argument<string> GuestArgument() =>
        new("guest") { Description = "The guest ELF file (a static PIE built against the HyperSharp guest SDK)." };

    /// <summary>Boots the guest; a missing or unreadable file is a usage error (a directory or FIFO is a bad guest binary).</summary>
    public static Sandbox Open(string guestPath, HostFunctions host, SandboxOptions options)
    {
        try
        {
            return Sandbox.Create(guestPath, host, options);
        }
        catch (SandboxIOException e)
        {
            throw new UsageException($"cannot read guest '{guestPath}': {e.Message}");
        }
    }
}
