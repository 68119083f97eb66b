using BenchmarkDotNet.Attributes;

namespace HyperSharp.Benchmarks;

/// <summary>
/// Warm calls into one sandbox, after Hyperlight's <c>guest_calls</c> Criterion group
/// (<c>guest_calls/call</c> = Echo "hello", <c>guest_calls/call_with_host_function</c>,
/// <c>sample_workloads/24K_in_8K_out</c>).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("GuestCalls")]
public class GuestCallBenchmarks : IDisposable
{
    private readonly byte[] _bytes24K = new byte[24 << 10];
    private Sandbox? _sandbox;
    private Func<int, int>? _echoI32;

    private Sandbox Sandbox => _sandbox ?? throw new InvalidOperationException("GlobalSetup has not run.");

    [GlobalSetup]
    public void Setup()
    {
        Random.Shared.NextBytes(_bytes24K);
        _sandbox = Sandbox.Create(BenchFiles.SimpleGuest, BenchHost.Create());
        _echoI32 = _sandbox.GetFunction<int, int>("EchoI32");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _sandbox?.Dispose();
        _sandbox = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Hyperlight <c>guest_calls/call</c>: <c>Echo("hello")</c>.</summary>
    [Benchmark(Baseline = true)]
    public string CallEcho() => Sandbox.Call<string>("Echo", "hello");

    /// <summary>The smallest call with a value: one int in, one int out.</summary>
    [Benchmark]
    public int CallEchoI32() => Sandbox.Call<int>("EchoI32", 42);

    /// <summary>The same through a delegate bound once with <c>GetFunction</c>.</summary>
    [Benchmark]
    public int CallEchoI32Bound() => _echoI32!(42);

    /// <summary>A void call with no arguments.</summary>
    [Benchmark]
    public void CallNothing() => Sandbox.Call("Nothing");

    /// <summary>Hyperlight <c>guest_calls/call_with_host_function</c>: the guest calls host <c>HostAdd(1, 41)</c>.</summary>
    [Benchmark]
    public int CallWithHostFunction() => Sandbox.Call<int>("CallHostAdd", 1, 41);

    /// <summary>24 KiB in, the same 24 KiB back: kept for comparison with earlier runs.</summary>
    [Benchmark]
    public byte[] CallEchoBytes24K() => Sandbox.Call<byte[]>("EchoBytes", _bytes24K);

    /// <summary>Hyperlight <c>sample_workloads/24K_in_8K_out</c>: 24 KiB in, its first 8 KiB back.</summary>
    [Benchmark]
    public byte[] CallBytes24KIn8KOut() => Sandbox.Call<byte[]>("EchoFirst8KiB", _bytes24K);
}
