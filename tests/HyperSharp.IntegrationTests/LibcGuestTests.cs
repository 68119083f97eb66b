using System.Diagnostics;
using System.Text;
using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>Ordinary C in a guest: the C library against glibc, its streams, clock, TLS, stack protector, files and exits.</summary>
public sealed class LibcGuestTests
{
    private const int AbortStackSmashed = 1003;
    private const int AbortExit = 1004;
    private const int AbortAssertion = 1001;

    /// <summary>What the guest's stdout and stderr sent: one entry per host call.</summary>
    private sealed class Streams
    {
        public List<string> Out { get; } = [];

        public List<string> Error { get; } = [];

        public HostFunctions Host()
        {
            var host = new HostFunctions();
            host.Define(HostFunctions.HostPrintName, (string text) => Record(Out, text));
            host.Define(HostFunctions.HostPrintErrorName, (string text) => Record(Error, text));
            return host;
        }

        private static int Record(List<string> list, string text)
        {
            list.Add(text);
            return Encoding.UTF8.GetByteCount(text);
        }
    }

    [KvmFact]
    public void TheConformanceProgramPrintsExactlyWhatItPrintsAgainstGlibc()
    {
        using var native = Process.Start(new ProcessStartInfo(Guests.LibcTestNative) { RedirectStandardOutput = true })!;
        var expected = native.StandardOutput.ReadToEnd();
        native.WaitForExit();
        Assert.Equal(0, native.ExitCode);

        var streams = new Streams();
        using var sandbox = Sandbox.Create(Guests.LibcGuest, streams.Host());
        sandbox.Call("RunConformance");

        Assert.True(expected.Length > 5_000, $"the native program printed only {expected.Length} characters");
        Assert.Equal(expected, string.Concat(streams.Out));
        Assert.Empty(streams.Error);
    }

    [KvmFact]
    public void StdoutAndStderrReachTheHostOnceEachPerCall()
    {
        var streams = new Streams();
        using var sandbox = Sandbox.Create(Guests.LibcGuest, streams.Host());
        var exitsBefore = sandbox.GuestExits;

        sandbox.Call("Print", "line one\nline two\n", "warning: ü\n");

        Assert.Equal(["line one\nline two\n"], streams.Out);
        Assert.Equal(["warning: ü\n"], streams.Error);
        Assert.Equal(3, sandbox.GuestExits - exitsBefore); // one per stream, then the call's own DONE
    }

    [KvmFact]
    public void LongOutputIsSentInChunksThatNeverSplitAUtf8Character()
    {
        var streams = new Streams();
        using var sandbox = Sandbox.Create(Guests.LibcGuest, streams.Host());

        // 3 bytes each: 10,000 bytes fill the 4 KiB buffer twice, never at a character boundary.
        sandbox.Call("PrintRepeated", "€", 3333);

        Assert.True(streams.Out.Count >= 3, $"expected the buffer to fill, got {streams.Out.Count} chunks");
        Assert.All(streams.Out, chunk => Assert.Matches("^€+$", chunk));
        Assert.Equal(new string('€', 3333), string.Concat(streams.Out));
    }

    [KvmFact]
    public void StdinIsEmptyAndFilesCannotBeOpened()
    {
        using var sandbox = Sandbox.Create(Guests.LibcGuest);
        const int enoent = 2, erofs = 30;
        Assert.Equal(enoent, sandbox.Call<int>("Open", "/etc/passwd", "r"));
        Assert.Equal(erofs, sandbox.Call<int>("Open", "out.txt", "w"));
        Assert.Equal(erofs, sandbox.Call<int>("Open", "out.txt", "a+"));
    }

    [KvmFact]
    public void AThousandClockReadsInOneCallCostNoExit()
    {
        using var sandbox = Sandbox.Create(Guests.LibcGuest);
        var before = sandbox.GuestExits;
        var span = sandbox.Call<long>("ReadClock", 1000);

        Assert.Equal(1, sandbox.GuestExits - before); // the call's own DONE, nothing else
        Assert.InRange(span, 0, (long)TimeSpan.FromSeconds(10).TotalNanoseconds);
    }

    [KvmFact]
    public void TheWallClockIsTheHostsAndTimePassesWithinACall()
    {
        using var sandbox = Sandbox.Create(Guests.LibcGuest);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var guest = sandbox.Call<long>("Realtime");
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        Assert.InRange(guest, before - 1_000_000, after + 1_000_000);

        // The guest's wall clock moves on within a call (TSC extrapolation) while it waits 20 ms on its monotonic
        // clock. Only loosely bounded: under load the vCPU thread may be descheduled, and nested hypervisors
        // may let the TSC drift between host CPUs.
        Assert.InRange(sandbox.Call<long>("SpinMs", 20), 10, 10_000);
    }

    [KvmFact]
    public void ARestoredGuestNeverSeesItsSnapshotsClock()
    {
        using var sandbox = Sandbox.Create(Guests.LibcGuest);
        using var snapshot = sandbox.Snapshot();
        var atSnapshot = sandbox.Call<long>("Monotonic");
        var realtimeAtSnapshot = sandbox.Call<long>("Realtime");
        Thread.Sleep(30);

        sandbox.Restore();
        Assert.True(sandbox.Call<long>("Monotonic") >= atSnapshot + 30_000_000, "the monotonic clock went back with the restore");
        sandbox.Restore();
        Assert.True(sandbox.Call<long>("Realtime") >= realtimeAtSnapshot + 30_000_000, "the wall clock went back with the restore");

        using var twin = Sandbox.FromSnapshot(snapshot);
        Assert.True(twin.Call<long>("Monotonic") >= atSnapshot + 30_000_000, "a sandbox from the snapshot sees its clock");
    }

    [KvmFact]
    public void ThreadLocalVariablesStartFromTheirInitialisersAndKeepTheirValues()
    {
        using var sandbox = Sandbox.Create(Guests.LibcGuest);
        using var snapshot = sandbox.Snapshot();
        Assert.Equal(1001, sandbox.Call<int>("ThreadLocalCounter"));
        Assert.Equal(1002, sandbox.Call<int>("ThreadLocalCounter"));
        sandbox.Restore();
        Assert.Equal(1001, sandbox.Call<int>("ThreadLocalCounter"));
    }

    [KvmFact]
    public void AnIntactCanaryLetsAProtectedFunctionReturn()
    {
        using var sandbox = Sandbox.Create(Guests.LibcGuest);
        Assert.Equal(15, sandbox.Call<int>("Smash", 15));
    }

    [KvmFact]
    public void SmashingTheStackEndsTheCallAsAnAbort()
    {
        using var sandbox = Sandbox.Create(Guests.LibcGuest);
        var e = Assert.Throws<GuestAbortedException>(() => sandbox.Call<int>("Smash", 40));
        Assert.Equal(AbortStackSmashed, e.ErrorCode);
        Assert.Contains("stack smashing detected", e.GuestMessage, StringComparison.Ordinal);
        Assert.Equal(SandboxState.Poisoned, sandbox.State);
    }

    [KvmFact]
    public void ExitAndAssertEndTheGuestAsAborts()
    {
        using var sandbox = Sandbox.Create(Guests.LibcGuest);
        using var snapshot = sandbox.Snapshot();
        var exit = Assert.Throws<GuestAbortedException>(() => sandbox.Call("Exit", 3));
        Assert.Equal(AbortExit, exit.ErrorCode);
        Assert.Equal("the guest called exit(3)", exit.GuestMessage);

        sandbox.Restore();
        var assertion = Assert.Throws<GuestAbortedException>(() => sandbox.Call("AssertOne", 2));
        Assert.Equal(AbortAssertion, assertion.ErrorCode);
        Assert.Contains("hs_arg_int(call, 0) == 1", assertion.GuestMessage, StringComparison.Ordinal);
        Assert.Contains("main.c", assertion.GuestMessage, StringComparison.Ordinal);
    }
}
