using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using HyperSharp.Execution;
using HyperSharp.Hypervisors;
using HyperSharp.Memory;
using HyperSharp.Telemetry;

namespace HyperSharp;

/// <summary>
/// A guest running in its own hardware-isolated micro-VM, whose functions the host calls like methods.
/// </summary>
/// <remarks>
/// A sandbox serves one call at a time: a call from a second thread while one runs throws
/// <see cref="SandboxBusyException"/> and changes nothing. Different sandboxes run in parallel freely.
/// After an abort, a CPU fault or a protocol violation the sandbox is <see cref="SandboxState.Poisoned"/>
/// and refuses calls. Disposing while a call runs on another thread is safe: the memory and the VM are
/// released when that call returns. To stop a call from another thread, use <see cref="InterruptHandle"/>,
/// a <see cref="CancellationToken"/> or <see cref="SandboxOptions.CallTimeout"/>.
/// </remarks>
public sealed partial class Sandbox : IDisposable
{
    /// <summary>Guest binaries larger than this are refused before they are read.</summary>
    public const long MaxGuestBinarySize = 256L << 20;

    /// <summary>The guest ABI version this library speaks (docs/guest-abi.md); a guest built with another SDK is refused.</summary>
    public const uint GuestAbiVersion = Memory.GuestAbi.AbiVersion;

    private static long s_seedGeneration = Random.Shared.NextInt64();

    /// <summary>The registry of a sandbox created without one: just <c>HostPrint</c>, frozen once for all of them.</summary>
    private static readonly HostFunctions s_defaultHostFunctions = new();

    private static readonly Action<object?> s_cancelFromToken =
        static handle => ((InterruptHandle)handle!).Interrupt(CallCancellationReason.TokenCanceled);

    private readonly IVirtualMachine _vm;
    private readonly GuestMemory _memory;
    private readonly MemoryLayout _layout;
    private readonly GuestBuffers _buffers;
    private readonly HostCallDispatcher _hostCalls;
    private readonly RunLoop _runLoop;
    private readonly GuestClock _clock;
    private readonly FrozenDictionary<string, GuestFunctionSignature> _hostFunctions;
    private readonly DirtyPageLog _dirtyPages;
    private readonly TimeSpan? _callTimeout;
    private readonly SandboxObserver _observer;
    private IReadOnlyDictionary<string, GuestFunctionSignature> _guestFunctions = FrozenDictionary<string, GuestFunctionSignature>.Empty;
    private Snapshot? _current;
    private ulong _generation;
    private Exception? _poisonCause;

    /// <summary>
    /// Nothing ran since the last restore to (or snapshot of) the current snapshot: memory and vCPU state are still
    /// the snapshot's, so restoring it again — a pool returning a sandbox its renter already restored — has nothing to do.
    /// A second restore would also break <see cref="DirtyPageLog"/>'s two-intervals-in-a-row rule with an empty interval.
    /// </summary>
    private bool _unchangedSinceRestore;
    private Exception? _unrecoverableCause;
    private int _busy;
    private int _released;
    private volatile bool _disposeRequested;

    private Sandbox(IVirtualMachine vm, GuestMemory memory, MemoryLayout layout, HostFunctionTable hostFunctions, SandboxOptions? options)
    {
        _vm = vm;
        _memory = memory;
        _layout = layout;
        _callTimeout = options?.CallTimeout;
        _observer = new SandboxObserver(options);
        InterruptHandle = new InterruptHandle(vm);
        _buffers = new GuestBuffers(memory, layout);
        _hostCalls = new HostCallDispatcher(_buffers, hostFunctions.Functions, this);
        _runLoop = new RunLoop(vm, _buffers, layout, _hostCalls, InterruptHandle);
        _clock = new GuestClock(memory, vm.GetTscKhz());
        _hostFunctions = hostFunctions.Signatures;
        _dirtyPages = new DirtyPageLog(vm, memory.DirtyBitmapLength);
    }

    /// <summary>Whether the sandbox accepts calls.</summary>
    public SandboxState State =>
        _disposeRequested ? SandboxState.Disposed
        : _unrecoverableCause is not null ? SandboxState.Unrecoverable
        : _poisonCause is not null ? SandboxState.Poisoned
        : SandboxState.Ready;

    /// <summary>How many snapshots lie behind the sandbox's current state: 0 until it takes or is made from one.</summary>
    public ulong Generation => _generation;

    /// <summary>The functions the guest exports, as it announced them after initialisation, ordered by name.</summary>
    public IReadOnlyList<GuestFunctionSignature> GuestFunctions => [.. _guestFunctions.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];

    /// <summary>Bytes of guest memory.</summary>
    public ulong MemorySize => _layout.MemorySize;

    /// <summary>VM exits the guest has caused so far (tests prove with it what costs no exit).</summary>
    internal long GuestExits => _runLoop.GuestExits;

    /// <summary>Stops this sandbox's running call from any thread; the one member safe to use concurrently.</summary>
    public InterruptHandle InterruptHandle { get; }

    /// <summary>
    /// Whatever the application attaches to this sandbox for its host functions, which see it as <see cref="Caller.Data"/>:
    /// a request's state, a pool lease, a script run's tools. Not used by HyperSharp; safe to set between calls.
    /// </summary>
    public object? Data { get; set; }

    /// <summary>Releases the VM and guest memory; if a call is running on another thread, when that call returns.</summary>
    public void Dispose()
    {
        _disposeRequested = true;
        if (Interlocked.CompareExchange(ref _busy, 1, 0) == 0)
        {
            Release();
        }
    }

    private void ThrowIfNotReady()
    {
        ThrowIfUnrecoverable();
        if (_poisonCause is not null)
        {
            throw new SandboxPoisonedException($"The sandbox is poisoned by an earlier failure and refuses calls until restored: {_poisonCause.Message}", _poisonCause);
        }
    }

    private void ThrowIfUnrecoverable()
    {
        if (_unrecoverableCause is not null)
        {
            throw new SandboxUnrecoverableException("The sandbox is unrecoverable after a failed restore; dispose it.", _unrecoverableCause);
        }
    }

    private SandboxUnrecoverableException BecomeUnrecoverable(string what, Exception cause)
    {
        _unrecoverableCause = cause;
        return new SandboxUnrecoverableException($"{what}; the sandbox is unrecoverable: {cause.Message}", cause);
    }

    private void Enter()
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            ThrowBusyOrDisposed();
        }

        if (_disposeRequested)
        {
            Release();
            ThrowBusyOrDisposed();
        }
    }

    private void Exit()
    {
        Volatile.Write(ref _busy, 0);
        if (_disposeRequested && Interlocked.CompareExchange(ref _busy, 1, 0) == 0)
        {
            Release();
        }
    }

    /// <summary>Frees the VM and memory once; the caller holds <see cref="_busy"/>, which then stays set forever.</summary>
    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            InterruptHandle.Release();
            _vm.Dispose();
            _memory.Dispose();
            _observer.Disposed();
        }
    }

    /// <summary>What the default <c>HostPrint</c> and <c>HostPrintError</c> do: log the text if a logger is configured, else write it to the console.</summary>
    /// <returns>The text's length in UTF-8 bytes, as C's output functions count.</returns>
    internal int PrintGuestOutput(string text, bool isError)
    {
        if (!_observer.TryLogGuestOutput(text, isError))
        {
            (isError ? Console.Error : Console.Out).Write(text);
        }

        return System.Text.Encoding.UTF8.GetByteCount(text);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowBusyOrDisposed()
    {
        ObjectDisposedException.ThrowIf(_disposeRequested, this);
        throw new SandboxBusyException();
    }
}
