using System.Text.Json;
using Xunit;

namespace HyperSharp.Cli.Tests;

/// <summary>What the CLI does before it needs a hypervisor: parsing, help, version, info, missing files.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void HelpListsTheCommands()
    {
        var help = Cli.Run("--help").Succeeded();
        Assert.Contains("info", help, StringComparison.Ordinal);
        Assert.Contains("run <guest> <function>", help, StringComparison.Ordinal);
        Assert.Contains("demo", help, StringComparison.Ordinal);
        Assert.Contains("snapshot", help, StringComparison.Ordinal);
    }

    [Fact]
    public void RunHelpDescribesArgumentsAndSizes()
    {
        var help = Cli.Run("run", "--help").Succeeded();
        Assert.Contains("--heap-size <size>", help, StringComparison.Ordinal);
        Assert.Contains("0x hex or @file", help, StringComparison.Ordinal);
    }

    [Fact]
    public void VersionPrintsAVersion() => Assert.Matches(@"^\d+\.\d+", Cli.Run("--version").Succeeded());

    [Fact]
    public void NoCommandPrintsTheHelp() => Assert.Equal(Cli.Run("--help").Succeeded(), Cli.Run().Succeeded());

    [Fact]
    public void ASubcommandGroupWithoutACommandNamesItsFullHelp()
    {
        var error = Cli.Run("snapshot").Failed(ExitCodes.Usage);
        Assert.EndsWith("\nRun 'hypersharp snapshot --help' for usage.\n", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ANestedCommandsErrorsComeOncePerMistakeAndNameItsFullHelp()
    {
        var lines = Cli.Run("snapshot", "save").Failed(ExitCodes.Usage).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Distinct(), lines);
        Assert.Equal("Run 'hypersharp snapshot save --help' for usage.", lines[^1]);
        Assert.Contains("error: Option '--tag' is required.", lines);
    }

    [Fact]
    public void UnknownCommandIsAUsageError() => Assert.Contains("'bogus'", Cli.Run("bogus").Failed(ExitCodes.Usage), StringComparison.Ordinal);

    [Fact]
    public void RunWithoutAFunctionIsAUsageError() =>
        Assert.Contains("Run 'hypersharp run --help'", Cli.Run("run", "guest.elf").Failed(ExitCodes.Usage), StringComparison.Ordinal);

    [Theory]
    [InlineData("--heap-size", "5", "--heap-size: 5 must be a multiple of 4K from 4 KiB to 4 GiB.")]
    [InlineData("--heap-size", "4097", "--heap-size: 4097 must be a multiple of 4K")]
    [InlineData("--stack-size", "4K", "--stack-size: 4K must be a multiple of 4K from 16 KiB to 256 MiB.")]
    [InlineData("--input-size", "512M", "--input-size: 512M must be a multiple of 4K from 4 KiB to 256 MiB.")]
    [InlineData("--output-size", "lots", "--output-size: 'lots' is not a size")]
    public void SizeOptionsAreCheckedWhenParsed(string option, string value, string message) =>
        Assert.Contains(message, Cli.Run("run", option, value, Cli.SimpleGuest, "Add", "1", "2").Failed(ExitCodes.Usage), StringComparison.Ordinal);

    [Fact]
    public void MissingGuestFileIsAUsageError()
    {
        var error = Cli.Run("run", "nonexistent.elf", "Add", "1", "2").Failed(ExitCodes.Usage);
        Assert.StartsWith("error: cannot read guest 'nonexistent.elf': ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void InfoShowsAvailabilityAbiAndLimits()
    {
        var result = Cli.Run("info");
        // A health probe: exit 4 when no hypervisor is usable, the table on stdout either way.
        Assert.Equal(Hypervisor.IsAvailable ? ExitCodes.Success : ExitCodes.HypervisorUnavailable, result.ExitCode);
        var info = result.Stdout;
        Assert.Matches(@"(?m)^Hypervisor +kvm: (available|unavailable: .+)$", info);
        Assert.Matches($@"(?m)^Guest ABI version +{HyperSharp.Memory.GuestAbi.AbiVersion}$", info);
        Assert.Matches(@"(?m)^Heap size +1 MiB +\(default; 4 KiB to 4 GiB", info);
        Assert.Matches(@"(?m)^Stack size +128 KiB +\(default; 16 KiB to 256 MiB", info);
        Assert.Matches(@"(?m)^Input buffer +64 KiB +\(default; 4 KiB to 256 MiB", info);
        Assert.Matches(@"(?m)^Output buffer +64 KiB", info);
        Assert.Matches(@"(?m)^HyperSharp version +\d+\.\d+", info);
        Assert.Matches(@"(?m)^Nested virtualization +(yes|no|unknown)", info);
    }

    [Fact]
    public void InfoAsJsonHasTheSameFactsWithNumbersAsNumbers()
    {
        var result = Cli.Run("info", "--json");
        Assert.Equal(Hypervisor.IsAvailable ? ExitCodes.Success : ExitCodes.HypervisorUnavailable, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(Hypervisor.IsAvailable, root.GetProperty("hypervisor").GetProperty("available").GetBoolean());
        Assert.Equal("kvm", root.GetProperty("hypervisor").GetProperty("name").GetString());
        Assert.Equal(HyperSharp.Memory.GuestAbi.AbiVersion, root.GetProperty("guestAbiVersion").GetUInt32());
        Assert.Equal(1UL << 20, root.GetProperty("heapSize").GetProperty("default").GetUInt64());
        Assert.Equal(4UL << 30, root.GetProperty("heapSize").GetProperty("max").GetUInt64());
        Assert.Equal(Sandbox.MaxGuestBinarySize, root.GetProperty("maxGuestBinarySize").GetInt64());
        Assert.DoesNotContain("\\u002B", result.Stdout, StringComparison.Ordinal);
    }
}
