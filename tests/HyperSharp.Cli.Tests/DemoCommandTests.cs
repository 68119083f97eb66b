using Xunit;

namespace HyperSharp.Cli.Tests;

public sealed class DemoCommandTests
{
    [Fact]
    public void DemoRunsEverySection()
    {
        Cli.RequireKvm();
        var output = Cli.Run("demo").Succeeded();
        Assert.StartsWith("Hypervisor: kvm available", output, StringComparison.Ordinal);
        Assert.Matches(@"Sandbox\.Create\(""simpleguest\.elf""\) +[\d.]+ ms", output);
        Assert.Matches(@"Echo\(""hello from the host""\) +""hello from the host""", output);
        Assert.Matches(@"Add\(40, 2\) +42\n", output);
        Assert.Matches(@"CallHostAdd\(20, 22\) +42 +\(the guest called HostAdd\(20, 22\) in C#; host callbacks: 1\)", output);
        Assert.Contains("  [guest] hello from the guest\n", output, StringComparison.Ordinal);
        Assert.Matches(@"IncrementCounter\(\) ×3 +1, 2, 3 ", output);
        Assert.Matches(@"EchoI32\(i\) +[\d,]+ +[\d.]+ µs +[\d.]+ µs", output);
        Assert.Matches(@"Echo\(""hello""\) +[\d,]+ +[\d.]+ µs", output);
        Assert.Matches(@"CallHostAdd\(i, 1\).* +[\d,]+ +[\d.]+ µs", output);
        Assert.Matches(@"Save\(dir, ""demo""\) +[\d.]+ ms \(\d+ MB/s\): sha256:[0-9a-f]{12}…\n", output);
        Assert.Matches(@"Snapshot\.Load, digests verified +[\d.]+ ms \(\d+ MB/s\)\n", output);
        Assert.Matches(@"FromSnapshot \+ first GetStatic\(\) +[\d.]+ ms: 41\n", output);
        Assert.Matches(@"same as the original sandbox's +yes \(41, \d+\)\n", output);
        Assert.Empty(Directory.GetDirectories(Path.GetTempPath(), "hypersharp-demo-*"));
        Assert.Matches(@"Ud2\(\) in a second sandbox +GuestFaultException: .*invalid opcode", output);
        Assert.Matches(@"its state +Poisoned\n", output);
        Assert.Matches(@"its next Add\(1, 2\) +SandboxPoisonedException", output);
        Assert.Matches(@"first sandbox's Add\(1, 2\) +3 ", output);
        Assert.Matches(@"Spin\(\) with CallTimeout = 50 ms +GuestCallCanceledException \(TimedOut\) after [\d.]+ ms; state Poisoned\n", output);
        Assert.Matches(@"Restore\(\), then Add\(1, 2\) +3 +\(state Ready\)", output);
        Assert.Matches(@"Spin\(\) killed from another thread +GuestCallCanceledException \(Killed\) [\d.]+ µs after InterruptHandle\.Kill\(\)", output);
        Assert.Matches(@"SandboxPool\.Create \+ WarmUpAsync +[\d.]+ ms: 4 sandboxes ready before the first request\n", output);
        Assert.Matches(@"GetStatic\(\) after a lease set 99 +0 ", output);
        Assert.Matches(@"RentAsync \+ Echo \+ return +[\d,]+ +[\d.]+ µs", output);
        Assert.Matches(@"4 callers × 500 CallAsync +\d+ ms, \d+ calls/s, all right; 4 sandboxes created in all\n", output);
    }
}
