using System.Diagnostics;
using Wasmtime;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>
/// Wasmtime for .NET in the side-by-side table, running benchguest.wat with the default engine configuration.
/// The module is compiled once; a new <see cref="WasmGuest"/> (Store + Instance) over it is the cold start from
/// memory and the reset to clean; a precompiled .cwasm file is its snapshot file.
/// </summary>
internal sealed class WasmtimeContender : IContender
{
    private const string ModuleName = "benchguest";
    private const string Text = "hello";

    private readonly Engine _engine = new();
    private readonly Linker _linker;
    private readonly byte[] _wasm;
    private readonly Module _module;
    private readonly string _precompiledPath = Path.Combine(Path.GetTempPath(), $"hypersharp-bench-{Guid.NewGuid():N}.cwasm");
    private readonly byte[] _bytes24K;
    private readonly WasmGuest _warm;
    private readonly Dictionary<Workload, Cell> _cells;
    private WasmGuest _resetting;

    public WasmtimeContender(byte[] bytes24K)
    {
        _bytes24K = bytes24K;
        _linker = new Linker(_engine);
        _linker.DefineFunction("host", "add", (int a, int b) => a + b);
        _wasm = Module.ConvertText(ReadGuestText());
        _module = Module.FromBytes(_engine, ModuleName, _wasm);
        File.WriteAllBytes(_precompiledPath, _module.Serialize());
        _warm = NewGuest();
        _resetting = NewGuest();
        _cells = new()
        {
            [Workload.ColdStartFromBinary] = Cell.Single(ColdStartFromWasm),
            [Workload.ColdStartFromMemory] = Cell.Single(ColdStartFromModule),
            [Workload.StartFromSnapshotFile] = Cell.Single(StartFromFile),
            [Workload.WarmEcho] = Cell.Warm(() => _warm.Echo(Text)),
            [Workload.HostCallback] = Cell.Warm(() => _warm.CallHostAdd(1, 41)),
            [Workload.Bytes24KIn8KOut] = Cell.Warm(() => _warm.Bytes24KIn8KOut(_bytes24K)),
            [Workload.CallAndReset] = Cell.Warm(() =>
            {
                _ = _resetting.Echo(Text);
                Reset();
            }),
            [Workload.ResetAfterDirtying1] = Cell.Single(() => ResetAfterDirtying(1)),
            [Workload.ResetAfterDirtying64] = Cell.Single(() => ResetAfterDirtying(64)),
            [Workload.ResetAfterDirtying1024] = Cell.Single(() => ResetAfterDirtying(1024)),
        };
    }

    public string Name => "Wasmtime";

    public string ResetMeans => "a new Store + Instance of the compiled Module (the old Store disposed, its linear memory unmapped); same process";

    public Cell? CellFor(Workload workload) => _cells.GetValueOrDefault(workload);

    public SandboxDensity MeasureDensity(int count) => InProcessDensity.Measure(count, () =>
    {
        var guest = NewGuest();
        _ = guest.Echo(Text);
        return guest;
    });

    public void Dispose()
    {
        _warm.Dispose();
        _resetting.Dispose();
        _module.Dispose();
        _linker.Dispose();
        _engine.Dispose();
        File.Delete(_precompiledPath);
    }

    private static string ReadGuestText()
    {
        using var stream = typeof(WasmtimeContender).Assembly.GetManifestResourceStream("benchguest.wat")
            ?? throw new InvalidOperationException("benchguest.wat is not embedded in the benchmark assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private WasmGuest NewGuest() => new(_engine, _linker, _module);

    /// <summary>Reset to clean: drop the store, instantiate again.</summary>
    private void Reset()
    {
        _resetting.Dispose();
        _resetting = NewGuest();
    }

    /// <summary>Compile the WebAssembly binary (Cranelift), instantiate, first Echo; the disposes are not timed.</summary>
    private double ColdStartFromWasm() => TimeFirstEcho(() => Module.FromBytes(_engine, ModuleName, _wasm));

    /// <summary>Instantiate the compiled module in a new Store, first Echo; the dispose is not timed.</summary>
    private double ColdStartFromModule()
    {
        var start = Stopwatch.GetTimestamp();
        var guest = NewGuest();
        _ = guest.Echo(Text);
        var elapsed = Stopwatch.GetElapsedTime(start);
        guest.Dispose();
        return elapsed.TotalNanoseconds;
    }

    /// <summary><c>Module.DeserializeFile</c> of the .cwasm (page cache warm), instantiate, first Echo; the disposes are not timed.</summary>
    private double StartFromFile() => TimeFirstEcho(() => Module.DeserializeFile(_engine, ModuleName, _precompiledPath));

    /// <summary>Times getting a module, instantiating it and the first Echo; disposes both afterwards, untimed.</summary>
    private double TimeFirstEcho(Func<Module> loadModule)
    {
        var start = Stopwatch.GetTimestamp();
        var module = loadModule();
        var guest = new WasmGuest(_engine, _linker, module);
        _ = guest.Echo(Text);
        var elapsed = Stopwatch.GetElapsedTime(start);
        guest.Dispose();
        module.Dispose();
        return elapsed.TotalNanoseconds;
    }

    /// <summary><c>dirty_pages(pages)</c> untimed, then the reset timed.</summary>
    private double ResetAfterDirtying(int pages)
    {
        var dirtied = _resetting.DirtyPages(pages);
        var start = Stopwatch.GetTimestamp();
        Reset();
        var elapsed = Stopwatch.GetElapsedTime(start);
        return dirtied == pages ? elapsed.TotalNanoseconds : throw new InvalidOperationException($"dirty_pages({pages}) returned {dirtied}.");
    }
}
