using Xunit;

namespace HyperSharp.Cli.Tests;

/// <summary><c>hypersharp run</c> against the simple guest in a real KVM micro-VM.</summary>
public sealed class RunCommandTests
{
    public RunCommandTests() => Cli.RequireKvm();

    [Fact]
    public void AddPrintsTheSum() => Assert.Equal("42\n", Cli.RunGuest("Add", "40", "2").Succeeded());

    [Fact]
    public void EchoPrintsUnicodeUnchanged() => Assert.Equal("ü\n", Cli.RunGuest("Echo", "ü").Succeeded());

    [Fact]
    public void NegativeNumbersAreArgumentsNotOptions() => Assert.Equal("-5\n", Cli.RunGuest("Add", "-2", "-3").Succeeded());

    [Theory]
    [InlineData("EchoU32", "0xffffffff", "4294967295")]
    [InlineData("EchoI64", "-9223372036854775808", "-9223372036854775808")]
    [InlineData("EchoU64", "0xffffffffffffffff", "18446744073709551615")]
    [InlineData("EchoFloat", "nan", "nan")]
    [InlineData("EchoFloat", "-inf", "-inf")]
    [InlineData("EchoDouble", "0.1", "0.1")]
    [InlineData("EchoBool", "1", "true")]
    [InlineData("EchoBytes", "0x0a0B", "0x0a0b")]
    public void ArgumentsAndResultsKeepTheirType(string function, string argument, string expected) =>
        Assert.Equal(expected + "\n", Cli.RunGuest(function, argument).Succeeded());

    [Fact]
    public void TimeoutStopsAnInfiniteLoopWithItsOwnExitCode()
    {
        var stderr = Cli.RunGuest("Spin", "--timeout", "100").Failed(ExitCodes.TimedOut);
        Assert.Contains("GuestCallCanceledException: TimedOut", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void TimeoutLeavesQuickCallsAlone() => Assert.Equal("42\n", Cli.RunGuest("Add", "40", "2", "--timeout", "5000").Succeeded());

    [Theory]
    [InlineData("0")]
    [InlineData("soon")]
    [InlineData("-5")]
    public void TimeoutMustBeAPositiveNumberOfMilliseconds(string value) =>
        Assert.Contains("--timeout", Cli.RunGuest("Add", "1", "2", "--timeout", value).Failed(ExitCodes.Usage), StringComparison.Ordinal);

    [Fact]
    public void BytesComeFromAFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, new byte[1000]);
            Assert.Equal("1000\n", Cli.RunGuest("BytesLength", "@" + path).Succeeded());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void GuestOutputGoesToStdoutOnItsOwnLine() => Assert.Equal("hi\n2\n", Cli.RunGuest("Print", "hi").Succeeded());

    [Fact]
    public void HostAddIsAvailableToTheGuest() => Assert.Equal("42\n", Cli.RunGuest("CallHostAdd", "20", "22").Succeeded());

    [Fact]
    public void VoidFunctionsPrintNothing() => Assert.Equal("", Cli.RunGuest("Nothing").Succeeded());

    [Fact]
    public void SizeOptionsReachTheSandbox()
    {
        var text = new string('x', 6000);
        var error = Cli.Run("run", "--input-size", "4K", Cli.SimpleGuest, "Echo", text).Failed(ExitCodes.Usage);
        Assert.StartsWith("error: GuestArgumentException: ", error, StringComparison.Ordinal);
        Assert.Contains("InputBufferSize", error, StringComparison.Ordinal);
        Assert.Equal(text + "\n", Cli.Run("run", "--input-size", "16K", "--output-size", "16K", Cli.SimpleGuest, "Echo", text).Succeeded());
    }

    [Fact]
    public void UnknownFunctionListsTheFunctionsWithSignatures()
    {
        var error = Cli.RunGuest("NoSuchFunction").Failed(ExitCodes.Usage);
        Assert.StartsWith("error: 'simpleguest.elf' has no function 'NoSuchFunction'. It exports:\n", error, StringComparison.Ordinal);
        Assert.Contains("\n  Int Add(Int, Int)\n", error, StringComparison.Ordinal);
        Assert.Contains("\n  String Echo(String)\n", error, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongArgumentCountNamesTheSignature() =>
        Assert.Equal("error: Int Add(Int, Int) takes 2 argument(s), but got 1.\n", Cli.RunGuest("Add", "1").Failed(ExitCodes.Usage));

    [Fact]
    public void UnparseableArgumentNamesTheParameterAndType()
    {
        var error = Cli.RunGuest("Add", "x", "2").Failed(ExitCodes.Usage);
        Assert.StartsWith("error: parameter 0 (Int) of Int Add(Int, Int): 'x' is not an Int (", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SecondParameterIsNamedToo() =>
        Assert.Contains("parameter 1 (Int)", Cli.RunGuest("Add", "1", "2.5").Failed(ExitCodes.Usage), StringComparison.Ordinal);

    [Fact]
    public void NonElfFileIsABadGuestBinary()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "#!/bin/sh\necho not a guest\n");
            var error = Cli.Run("run", path, "Add", "1", "2").Failed(ExitCodes.BadGuestBinary);
            Assert.StartsWith("error: GuestBinaryException: ", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CpuFaultIsAGuestFailure()
    {
        var error = Cli.RunGuest("Ud2").Failed(ExitCodes.GuestFailure);
        Assert.StartsWith("error: GuestFaultException: ", error, StringComparison.Ordinal);
        Assert.Contains("invalid opcode", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AbortIsAGuestFailure() =>
        Assert.Equal("error: GuestAbortedException: The guest aborted with code 7.\n", Cli.RunGuest("Abort", "7").Failed(ExitCodes.GuestFailure));
}
