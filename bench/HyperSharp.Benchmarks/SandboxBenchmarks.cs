using BenchmarkDotNet.Attributes;

namespace HyperSharp.Benchmarks;

/// <summary>
/// Sandbox lifecycle, after Hyperlight's <c>sandboxes</c> Criterion group. Each operation includes
/// the dispose (Hyperlight's <c>create_initialized_and_drop</c>); <c>compare</c> reports the time to
/// ready without it.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Sandboxes")]
public class SandboxBenchmarks
{
    private string _guest = string.Empty;
    private HostFunctions _host = new();

    [GlobalSetup]
    public void Setup()
    {
        _guest = BenchFiles.SimpleGuest;
        _host = BenchHost.Create();
    }

    /// <summary>Hyperlight <c>sandboxes/create_initialized_and_drop</c>: ELF load, VM create, guest init, dispose.</summary>
    [Benchmark(Baseline = true)]
    public void CreateSandbox()
    {
        using var sandbox = Sandbox.Create(_guest, _host);
    }

    /// <summary>Hyperlight <c>snapshot_files/cold_start_via_evolve</c>: create, first <c>Echo("hello")</c>, dispose.</summary>
    [Benchmark]
    public string CreateSandboxAndCall()
    {
        using var sandbox = Sandbox.Create(_guest, _host);
        return sandbox.Call<string>("Echo", "hello");
    }
}
