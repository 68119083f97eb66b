using Xunit;
namespace HyperSharp.IntegrationTests;

public sealed class LifecycleTests
{
    [KvmFact]
    public void DisposedSandboxRefusesCalls()
    {
        var sandbox = Sandbox.Create(Guests.SimpleGuest);
        sandbox.Dispose();
        sandbox.Dispose();
        Assert.Equal(SandboxState.Disposed, sandbox.State);
        Assert.Throws<ObjectDisposedException>(() => sandbox.Call<int>("Add", 1, 2));
    }

    [KvmFact]
    public void MalformedElfIsAGuestBinaryException()
    {
        Assert.Throws<GuestBinaryException>(() => Sandbox.Create([0x7F, (byte)'E', (byte)'L', (byte)'F', 1, 2, 3]));
        Assert.Throws<GuestBinaryException>(() => Sandbox.Create(new byte[100]));
        var truncated = File.ReadAllBytes(Guests.SimpleGuest)[..1000];
        Assert.Throws<GuestBinaryException>(() => Sandbox.Create(truncated));
    }

    [KvmFact]
    public void MissingFileIsASandboxIOException() => Assert.Throws<SandboxIOException>(() => Sandbox.Create(Path.Combine(Path.GetTempPath(), "no-such-guest.elf")));

    [KvmTheory]
    [InlineData(0UL, 65536UL)]
    [InlineData(4095UL, 65536UL)]
    [InlineData(65536UL, 100UL)]
    [InlineData(8UL << 30, 65536UL)]
    public void OutOfRangeOptionsAreRejected(ulong heap, ulong input)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { HeapSize = heap, InputBufferSize = input }));
        Assert.Contains("SandboxOptions.", e.ParamName, StringComparison.Ordinal);
    }

    [KvmFact]
    public void LargeMemoryConfigurationsWork()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { HeapSize = 256UL << 20, StackSize = 1UL << 20 });
        Assert.True(sandbox.MemorySize > 256UL << 20);
        Assert.NotEqual(0, sandbox.Call<int>("AllocateAndFree", 128 << 20));
    }

    [KvmFact]
    public void ConcurrentUseOfOneSandboxIsRefused()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create());
        using var insideHostFunction = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var host = TestHostFunctions.Create();
        host.Define("Block", () =>
        {
            insideHostFunction.Set();
            release.Wait(TestContext.Current.CancellationToken);
            return 1;
        });
        using var blocking = Sandbox.Create(Guests.SimpleGuest, host);
        var call = Task.Run(() => blocking.Call<int>("CallHostByName", "Block"), TestContext.Current.CancellationToken);
        insideHostFunction.Wait(TestContext.Current.CancellationToken);
        Assert.Throws<SandboxBusyException>(() => blocking.Call<int>("Add", 1, 2));
        release.Set();
        Assert.Equal(1, call.Result);
        Assert.Equal(3, blocking.Call<int>("Add", 1, 2));
    }

    [KvmFact]
    public void DisposeDuringACallReleasesWhenTheCallReturns()
    {
        using var insideHostFunction = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var host = new HostFunctions();
        host.Define("Block", () =>
        {
            insideHostFunction.Set();
            release.Wait(TestContext.Current.CancellationToken);
            return 5;
        });
        var sandbox = Sandbox.Create(Guests.SimpleGuest, host);
        var call = Task.Run(() => sandbox.Call<int>("CallHostByName", "Block"), TestContext.Current.CancellationToken);
        insideHostFunction.Wait(TestContext.Current.CancellationToken);
        sandbox.Dispose();
        Assert.Equal(SandboxState.Disposed, sandbox.State);
        release.Set();
        Assert.Equal(5, call.Result);
        Assert.Throws<ObjectDisposedException>(() => sandbox.Call<int>("Add", 1, 2));
    }

    [KvmFact]
    public void ManySandboxesRunInParallelOnManyThreads()
    {
        const int threads = 8;
        const int sandboxesPerThread = 50;
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                for (var i = 0; i < sandboxesPerThread; i++)
                {
                    using var sandbox = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create());
                    var text = $"thread {t} sandbox {i}";
                    Assert.Equal(text, sandbox.Call<string>("Echo", text));
                    Assert.Equal(t + i, sandbox.Call<int>("CallHostAdd", t, i));
                }
            }
#pragma warning disable CA1031 // Collected and asserted below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add(e);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Assert.Empty(failures);
    }
}
