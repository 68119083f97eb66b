using System.Text;
using Wasmtime;
using WasmMemory = Wasmtime.Memory;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>
/// One instance of benchguest.wat in a <see cref="Store"/> of its own, with its exports looked up: the
/// Wasmtime counterpart of a <see cref="Sandbox"/>. Disposing it drops the store and so the instance's memory;
/// a new one over the same compiled <see cref="Module"/> is Wasmtime's reset to clean.
/// </summary>
internal sealed class WasmGuest : IDisposable
{
    private const int InputOffset = 0;
    private const int OutputOffset = 64 << 10;

    private readonly Store _store;
    private readonly WasmMemory _memory;
    private readonly Func<int, int> _echo;
    private readonly Func<int, int, int> _callHostAdd;
    private readonly Func<int, int> _bytes24KIn8KOut;
    private readonly Func<int, int> _dirtyPages;

    public WasmGuest(Engine engine, Linker linker, Module module)
    {
        _store = new Store(engine);
        var instance = linker.Instantiate(_store, module);
        _memory = instance.GetMemory("memory") ?? throw Missing("memory");
        _echo = instance.GetFunction<int, int>("echo") ?? throw Missing("echo");
        _callHostAdd = instance.GetFunction<int, int, int>("call_host_add") ?? throw Missing("call_host_add");
        _bytes24KIn8KOut = instance.GetFunction<int, int>("bytes_24k_in_8k_out") ?? throw Missing("bytes_24k_in_8k_out");
        _dirtyPages = instance.GetFunction<int, int>("dirty_pages") ?? throw Missing("dirty_pages");
    }

    /// <summary>The text goes in through linear memory as UTF-8 and comes back as a new string, as <c>Call&lt;string&gt;("Echo")</c> does.</summary>
    public string Echo(string text)
    {
        var length = Encoding.UTF8.GetBytes(text, _memory.GetSpan(InputOffset, Encoding.UTF8.GetMaxByteCount(text.Length)));
        var echoed = _echo(length);
        return Encoding.UTF8.GetString(_memory.GetSpan(OutputOffset, echoed));
    }

    public int CallHostAdd(int a, int b) => _callHostAdd(a, b);

    /// <summary>All of <paramref name="input"/> in; the first 8 KiB out, as a new array.</summary>
    public byte[] Bytes24KIn8KOut(byte[] input)
    {
        input.CopyTo(_memory.GetSpan(InputOffset, input.Length));
        var length = _bytes24KIn8KOut(input.Length);
        return _memory.GetSpan(OutputOffset, length).ToArray();
    }

    public int DirtyPages(int count) => _dirtyPages(count);

    public void Dispose() => _store.Dispose();

    private static InvalidOperationException Missing(string export) => new($"benchguest.wat has no export '{export}'.");
}
