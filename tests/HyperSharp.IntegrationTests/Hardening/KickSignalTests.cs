using System.Diagnostics;
using System.Runtime.InteropServices;
using HyperSharp.Hypervisors.Kvm;
using HyperSharp.Interop;
using Xunit;

namespace HyperSharp.IntegrationTests.Hardening;

/// <summary>
/// A running call is stopped by a signal to its thread, and the kernel refuses real-time signals once the user's
/// pending signals reach <c>RLIMIT_SIGPENDING</c> (which another process of the same user can bring about). Kill,
/// timeout and token must stop a spinning guest all the same, and nothing may throw on a timer thread. The limit is
/// set to 0 in a child process running this very test, so the rest of the suite keeps its signals.
/// </summary>
public sealed class KickSignalTests
{
    private const string ChildVariable = "HYPERSHARP_TEST_NO_PENDING_SIGNALS";

    [KvmFact]
    public void SpinningCallsStopWhenTheKernelRefusesRealTimeSignals()
    {
        if (Environment.GetEnvironmentVariable(ChildVariable) == "1")
        {
            StopSpinningCallsEveryWay();
            return;
        }

        var (exitCode, output) = RunThisTestInAChildWithoutPendingSignals();
        Assert.True(exitCode == 0, $"The child exited with {exitCode}:\n{output}");
        Assert.Contains("Total: 1, Errors: 0, Failed: 0, Skipped: 0", output, StringComparison.Ordinal);
    }

    private static void StopSpinningCallsEveryWay()
    {
        // The premise: this process may not queue a real-time signal.
        Assert.NotEqual(0, Libc.TgKill(Environment.ProcessId, Libc.GetTid(), VcpuKickSignal.Number));
        Assert.Equal(Libc.EAGAIN, Marshal.GetLastPInvokeError());

        using var killed = Sandbox.Create(Guests.SimpleGuest);
        using var killer = new Timer(_ => killed.InterruptHandle.Kill(), null, TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan);
        Assert.Equal(CallCancellationReason.Killed, Assert.Throws<GuestCallCanceledException>(() => killed.Call("Spin")).Reason);

        using var timed = Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { CallTimeout = TimeSpan.FromMilliseconds(50) });
        Assert.Equal(CallCancellationReason.TimedOut, Assert.Throws<GuestCallCanceledException>(() => timed.Call("Spin")).Reason);

        using var cancelled = Sandbox.Create(Guests.SimpleGuest);
        using var source = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Assert.Equal(CallCancellationReason.TokenCanceled, Assert.Throws<GuestCallCanceledException>(() => cancelled.Call("Spin", source.Token)).Reason);
    }

    private static (int ExitCode, string Output) RunThisTestInAChildWithoutPendingSignals()
    {
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("ulimit -i 0 && exec \"$@\"");
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add(Environment.ProcessPath!);
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(KickSignalTests).Assembly.Location);
        }

        // The test assembly's own xunit runner (not the testing platform's), told to run just this test.
        start.ArgumentList.Add("-method");
        start.ArgumentList.Add($"{typeof(KickSignalTests).FullName}.{nameof(SpinningCallsStopWhenTheKernelRefusesRealTimeSignals)}");
        start.Environment[ChildVariable] = "1";
        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (!child.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            child.Kill(entireProcessTree: true);
            Assert.Fail("The child did not finish within two minutes: a call it had to stop kept running.");
        }

        return (child.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
    }
}
