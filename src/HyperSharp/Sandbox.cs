using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using HyperSharp.Calls;
using HyperSharp.Elf;
using HyperSharp.Execution;
using HyperSharp.Hypervisors;
using HyperSharp.Hypervisors.Kvm;
using HyperSharp.Memory;

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

    private static long s_seedGeneration = Random.Shared.NextInt64();

    /// <summary>The registry of a sandbox created without one: just <c>HostPrint</c>, frozen once for all of them.</summary>
    private static readonly HostFunctions s_defaultHostFunctions = new();

    private static readonly Action<object?> s_cancelFromToken =
        static handle => ((InterruptHandle)handle!).Interrupt(CallCancellationReason.TokenCanceled);

    private readonly IVirtualMachine _vm;
    private readonly GuestMemory _memory;
    private readonly MemoryLayout _layout;
    private readonly HostCallDispatcher _hostCalls;
    private readonly RunLoop _runLoop;
    private readonly GuestClock _clock;
    private readonly FrozenDictionary<string, GuestFunctionSignature> _hostFunctions;
    private readonly ulong[] _dirtyPages;
    private readonly TimeSpan? _callTimeout;
    private IReadOnlyDictionary<string, GuestFunctionSignature> _guestFunctions = FrozenDictionary<string, GuestFunctionSignature>.Empty;
    private Snapshot? _current;
    private ulong _generation;
    private Exception? _poisonCause;
    private Exception? _unrecoverableCause;
    private int _busy;
    private int _released;
    private volatile bool _disposeRequested;

    private Sandbox(IVirtualMachine vm, GuestMemory memory, MemoryLayout layout, HostFunctionTable hostFunctions, TimeSpan? callTimeout)
    {
        _vm = vm;
        _memory = memory;
        _layout = layout;
        _callTimeout = callTimeout;
        InterruptHandle = new InterruptHandle(vm);
        _hostCalls = new HostCallDispatcher(memory, layout, hostFunctions.Functions);
        _runLoop = new RunLoop(vm, memory, layout, _hostCalls, InterruptHandle);
        _clock = new GuestClock(memory, vm.GetTscKhz());
        _hostFunctions = hostFunctions.Signatures;
        _dirtyPages = new ulong[memory.DirtyBitmapLength];
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

    /// <summary>Loads the guest ELF at <paramref name="path"/>, boots it in a new micro-VM and runs its initialisation.</summary>
    /// <param name="path">A static-PIE x86-64 guest built against the HyperSharp guest SDK.</param>
    /// <param name="hostFunctions">The host functions the guest may call; null for just the default <c>HostPrint</c>. The sandbox keeps a copy.</param>
    /// <param name="options">Memory sizes; null for <see cref="SandboxOptions.Default"/>.</param>
    /// <exception cref="GuestBinaryException">
    /// The file is not a loadable guest: not an ELF HyperSharp accepts, larger than <see cref="MaxGuestBinarySize"/>, or
    /// not a regular file at all (a directory, FIFO, device or socket, refused without blocking).
    /// </exception>
    /// <exception cref="SandboxIOException">The file does not exist or cannot be opened or read (permissions, I/O errors).</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or holds a NUL character.</exception>
    /// <exception cref="HypervisorUnavailableException">KVM cannot be used on this machine.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="SandboxException">The guest failed during initialisation (abort, fault, protocol violation).</exception>
    public static Sandbox Create(string path, HostFunctions? hostFunctions = null, SandboxOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Create(GuestBinaryFile.Read(path), hostFunctions, options);
    }

    /// <summary>Boots the guest ELF held in <paramref name="elf"/> in a new micro-VM and runs its initialisation.</summary>
    /// <inheritdoc cref="Create(string, HostFunctions?, SandboxOptions?)"/>
    public static Sandbox Create(ReadOnlySpan<byte> elf, HostFunctions? hostFunctions = null, SandboxOptions? options = null)
    {
        options ??= SandboxOptions.Default;
        options.Validate();
        var device = KvmDevice.Shared;
        var image = ElfImage.Parse(elf.ToArray());
        var functions = (hostFunctions ?? s_defaultHostFunctions).Freeze();
        var boot = GuestImageBuilder.Build(image, options);
        KvmVirtualMachine? vm = null;
        try
        {
            vm = new KvmVirtualMachine(device);
            vm.MapMemory(0, 0, boot.Memory.HostAddress, boot.Layout.MemorySize);
            vm.SetSpecialRegisters(InitialCpuState.SpecialRegisters(vm.GetSpecialRegisters(), boot.ThreadPointer));
            vm.SetRegisters(InitialCpuState.EntryRegisters(boot.EntryPoint, boot.Layout));
        }
        catch
        {
            vm?.Dispose();
            boot.Memory.Dispose();
            throw;
        }

        var sandbox = new Sandbox(vm, boot.Memory, boot.Layout, functions, options.CallTimeout);
        try
        {
            sandbox.Initialize();
            return sandbox;
        }
        catch
        {
            sandbox.Dispose();
            throw;
        }
    }

    /// <summary>Calls guest function <paramref name="name"/> and returns its result.</summary>
    /// <typeparam name="TResult">
    /// <see cref="int"/>, <see cref="uint"/>, <see cref="long"/>, <see cref="ulong"/>, <see cref="float"/>,
    /// <see cref="double"/>, <see cref="bool"/>, <see cref="string"/> or <c>byte[]</c>: the function's return type.
    /// </typeparam>
    /// <exception cref="GuestFunctionNotFoundException">The guest exports no such function.</exception>
    /// <exception cref="GuestArgumentException">The arguments or <typeparamref name="TResult"/> do not match the function, or the arguments do not fit the input buffer.</exception>
    /// <exception cref="GuestErrorException">The guest function reported an error.</exception>
    /// <exception cref="HostFunctionException">A host function failed and the guest passed the failure on.</exception>
    /// <exception cref="GuestAbortedException">The guest aborted; the sandbox is now poisoned.</exception>
    /// <exception cref="GuestFaultException">The guest raised a CPU exception; the sandbox is now poisoned.</exception>
    /// <exception cref="GuestProtocolException">The guest broke the protocol; the sandbox is now poisoned.</exception>
    /// <exception cref="SandboxPoisonedException">An earlier failure poisoned the sandbox.</exception>
    /// <exception cref="SandboxBusyException">Another thread is using the sandbox.</exception>
    /// <exception cref="GuestCallCanceledException">The call was killed or ran past <see cref="SandboxOptions.CallTimeout"/>; the sandbox is now poisoned.</exception>
    public TResult Call<TResult>(string name, params ReadOnlySpan<GuestValue> args) => Call<TResult>(name, CancellationToken.None, args);

    /// <summary>Calls guest function <paramref name="name"/> and returns its result, stopping it if <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <exception cref="GuestCallCanceledException">
    /// The token was cancelled before the call started (nothing ran), or while it ran, or the call was killed or timed
    /// out (the sandbox is now poisoned).
    /// </exception>
    /// <inheritdoc cref="Call{TResult}(string, ReadOnlySpan{GuestValue})"/>
    public TResult Call<TResult>(string name, CancellationToken cancellationToken, params ReadOnlySpan<GuestValue> args)
    {
        var value = Invoke(name, ValueConversion.GetType<TResult>(), args, cancellationToken);
        return ValueConversion.FromValue<TResult>(value);
    }

    /// <summary>Calls guest function <paramref name="name"/>, which returns nothing.</summary>
    /// <inheritdoc cref="Call{TResult}(string, ReadOnlySpan{GuestValue})"/>
    public void Call(string name, params ReadOnlySpan<GuestValue> args) => Invoke(name, GuestValueType.Void, args, CancellationToken.None);

    /// <summary>Calls guest function <paramref name="name"/>, which returns nothing, stopping it if <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <inheritdoc cref="Call{TResult}(string, CancellationToken, ReadOnlySpan{GuestValue})"/>
    public void Call(string name, CancellationToken cancellationToken, params ReadOnlySpan<GuestValue> args) =>
        Invoke(name, GuestValueType.Void, args, cancellationToken);

    /// <summary>Calls guest function <paramref name="name"/> with the return type known only at run time.</summary>
    /// <returns>The result; <c>default</c> (type <see cref="GuestValueType.Void"/>) for void functions.</returns>
    /// <inheritdoc cref="Call{TResult}(string, ReadOnlySpan{GuestValue})"/>
    public GuestValue Call(string name, GuestValueType returnType, params ReadOnlySpan<GuestValue> args) =>
        Invoke(name, returnType, args, CancellationToken.None);

    /// <summary>Calls guest function <paramref name="name"/> with the return type known only at run time, stopping it if <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <returns>The result; <c>default</c> (type <see cref="GuestValueType.Void"/>) for void functions.</returns>
    /// <inheritdoc cref="Call{TResult}(string, CancellationToken, ReadOnlySpan{GuestValue})"/>
    public GuestValue Call(string name, GuestValueType returnType, CancellationToken cancellationToken, params ReadOnlySpan<GuestValue> args) =>
        Invoke(name, returnType, args, cancellationToken);

    /// <summary>
    /// Creates a sandbox straight from <paramref name="snapshot"/>: a new VM whose memory maps the snapshot
    /// copy-on-write and whose vCPU resumes exactly where the snapshot was taken. No ELF is parsed and no
    /// guest initialisation runs. The snapshot becomes the sandbox's current one, so <see cref="Restore()"/>
    /// returns to it.
    /// </summary>
    /// <param name="snapshot">The snapshot; it must not be disposed.</param>
    /// <param name="hostFunctions">Host functions for the guest; they must include every function the snapshot recorded, with the same signature.</param>
    /// <param name="options">
    /// Null, or options whose sizes equal the snapshot's (start from <see cref="HyperSharp.Snapshot.Options"/>, e.g.
    /// <c>snapshot.Options with { CallTimeout = … }</c>): memory layout is part of the snapshot, so any other size is
    /// rejected with <see cref="ArgumentException"/> naming the option.
    /// </param>
    /// <exception cref="SnapshotMismatchException">
    /// A recorded host function is missing or has another signature, or the vCPU state was captured on a CPU whose
    /// XSAVE area or features differ from this host's.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The snapshot was disposed.</exception>
    /// <exception cref="HypervisorUnavailableException">KVM cannot be used on this machine.</exception>
    public static Sandbox FromSnapshot(Snapshot snapshot, HostFunctions? hostFunctions = null, SandboxOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ObjectDisposedException.ThrowIf(snapshot.IsDisposed, snapshot);
        if (options is not null)
        {
            options.Validate();
            CheckOptionsMatch(snapshot.Layout, options);
        }

        var functions = (hostFunctions ?? s_defaultHostFunctions).Freeze();
        var device = KvmDevice.Shared;
        var missing = snapshot.MissingHostFunctions(functions.Signatures);
        missing.AddRange(KvmStateCompatibility.Mismatches(snapshot.Vcpu, device));
        if (missing.Count > 0)
        {
            throw new SnapshotMismatchException("The snapshot does not fit these host functions or this host", missing);
        }

        var memory = GuestMemory.FromImage(snapshot.Memory);
        KvmVirtualMachine? vm = null;
        try
        {
            vm = new KvmVirtualMachine(device);
            vm.MapMemory(0, 0, memory.HostAddress, memory.Size);
            vm.RestoreState(snapshot.Vcpu);
            Reseed(memory);
        }
        catch
        {
            vm?.Dispose();
            memory.Dispose();
            throw;
        }

        return new Sandbox(vm, memory, snapshot.Layout, functions, options?.CallTimeout)
        {
            _guestFunctions = snapshot.GuestFunctionTable,
            _current = snapshot,
            _generation = snapshot.Generation,
        };
    }

    /// <summary>
    /// Captures guest memory and vCPU state. Afterwards the sandbox's memory is a copy-on-write view of
    /// the snapshot, so <see cref="Restore()"/> back to it costs in proportion to the pages dirtied since.
    /// </summary>
    /// <returns>A snapshot owned by the caller; dispose it when no longer needed for new sandboxes or restores.</returns>
    /// <exception cref="SandboxPoisonedException">The sandbox is poisoned: its state is not worth keeping.</exception>
    /// <exception cref="SandboxBusyException">Another thread is using the sandbox.</exception>
    public Snapshot Snapshot()
    {
        Enter();
        try
        {
            ThrowIfNotReady();
            var vcpu = _vm.CaptureState();
            var image = _memory.Capture();
            var snapshot = new Snapshot(image, _layout, vcpu, _guestFunctions, [.. _hostFunctions.Values], _generation + 1);
            try
            {
                _memory.Remap(image);
                ForgetDirtyPages();
            }
            catch (Exception e)
            {
                snapshot.Dispose();
                throw BecomeUnrecoverable("Remapping guest memory onto the new snapshot failed", e);
            }

            _current = snapshot;
            _generation = snapshot.Generation;
            return snapshot;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Returns to the snapshot this sandbox last took, restored or was created from. Recovers a poisoned sandbox.</summary>
    /// <exception cref="InvalidOperationException">The sandbox has no snapshot yet.</exception>
    /// <inheritdoc cref="Restore(HyperSharp.Snapshot)"/>
    public void Restore() => Restore(_current ?? throw new InvalidOperationException("The sandbox has no snapshot to return to: take one with Snapshot() first."));

    /// <summary>
    /// Returns guest memory and all guest-visible vCPU state to <paramref name="snapshot"/>, which may come
    /// from another sandbox with the same layout and host functions. Recovers a poisoned sandbox. The guest's
    /// random source is reseeded.
    /// </summary>
    /// <exception cref="SnapshotMismatchException">The layout or recorded host functions differ, or the vCPU state does not fit this host; the sandbox is unchanged.</exception>
    /// <exception cref="SandboxUnrecoverableException">The restore failed halfway; the sandbox refuses everything from now on.</exception>
    /// <exception cref="ObjectDisposedException">The snapshot, not current to this sandbox, was disposed.</exception>
    public void Restore(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Enter();
        try
        {
            ThrowIfUnrecoverable();
            // The current snapshot was checked when it became current; only another one needs checking.
            var current = ReferenceEquals(snapshot, _current);
            if (!current)
            {
                var mismatches = snapshot.LayoutMismatches(_layout);
                mismatches.AddRange(snapshot.MissingHostFunctions(_hostFunctions));
                mismatches.AddRange(KvmStateCompatibility.Mismatches(snapshot.Vcpu, KvmDevice.Shared));
                if (mismatches.Count > 0)
                {
                    throw new SnapshotMismatchException("The snapshot cannot be restored into this sandbox", mismatches);
                }

                ObjectDisposedException.ThrowIf(snapshot.IsDisposed, snapshot);
            }

            try
            {
                if (current)
                {
                    DropDirtyPages();
                }
                else
                {
                    _memory.Remap(snapshot.Memory);
                    ForgetDirtyPages();
                }

                _vm.RestoreState(snapshot.Vcpu);
                Reseed(_memory);
            }
            catch (Exception e)
            {
                throw BecomeUnrecoverable("Restoring the snapshot failed halfway", e);
            }

            _current = snapshot;
            _guestFunctions = snapshot.GuestFunctionTable;
            _generation = snapshot.Generation;
            _poisonCause = null;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Releases the VM and guest memory; if a call is running on another thread, when that call returns.</summary>
    public void Dispose()
    {
        _disposeRequested = true;
        if (Interlocked.CompareExchange(ref _busy, 1, 0) == 0)
        {
            Release();
        }
    }

    /// <summary>
    /// Returns memory to the current snapshot by copying back the pages written since it was taken or last
    /// restored: those KVM's dirty log reports for the guest, plus the ones only the host writes (the PEB,
    /// which <see cref="Reseed"/> rewrites, and the input buffer).
    /// </summary>
    private void DropDirtyPages()
    {
        _vm.GetDirtyPages(0, _dirtyPages);
        PageBitmap.MarkRange(_dirtyPages, GuestAbi.PebAddress, GuestAbi.PageSize);
        PageBitmap.MarkRange(_dirtyPages, _layout.InputBase, _layout.InputSize);
        _memory.Reset(_dirtyPages);
    }

    /// <summary>After a remap every page is the snapshot's again: start a new dirty-log interval.</summary>
    private void ForgetDirtyPages() => _vm.GetDirtyPages(0, _dirtyPages);

    /// <summary>Gives the guest a new random seed; it reseeds on its next call, so restored sandboxes never repeat a sequence.</summary>
    private static void Reseed(GuestMemory memory) =>
        ParameterBlock.Reseed(memory, GuestImageBuilder.NewSeed(), (ulong)Interlocked.Increment(ref s_seedGeneration));

    private static void CheckOptionsMatch(MemoryLayout layout, SandboxOptions options)
    {
        (string Name, ulong Asked, ulong Snapshot)[] sizes =
        [
            (nameof(SandboxOptions.HeapSize), options.HeapSize, layout.HeapSize),
            (nameof(SandboxOptions.StackSize), options.StackSize, layout.StackSize),
            (nameof(SandboxOptions.InputBufferSize), options.InputBufferSize, layout.InputSize),
            (nameof(SandboxOptions.OutputBufferSize), options.OutputBufferSize, layout.OutputSize),
        ];
        foreach (var (name, asked, snapshot) in sizes.Where(s => s.Asked != s.Snapshot))
        {
            throw new ArgumentException(
                $"SandboxOptions.{name} is {asked}, but the snapshot's memory layout has {snapshot}; pass null options or the snapshot's sizes.",
                nameof(options));
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

    private void Initialize()
    {
        Enter();
        try
        {
            RunGuest(replyOffset: 0, CancellationToken.None);
            var reader = MessageReader.Open(_memory.GetSpan(_layout.OutputBase, _layout.OutputSize));
            if (reader.Kind != MessageKind.Functions)
            {
                throw new GuestProtocolException($"The guest finished initialising without announcing its functions: the output buffer holds a {reader.Kind} message.");
            }

            var functions = new Dictionary<string, GuestFunctionSignature>(StringComparer.Ordinal);
            foreach (var signature in reader.ReadFunctions())
            {
                if (!functions.TryAdd(signature.Name, signature))
                {
                    throw new GuestProtocolException($"The guest announced function '{signature.Name}' twice.");
                }
            }

            _guestFunctions = functions;
        }
        finally
        {
            Exit();
        }
    }

    private GuestValue Invoke(string name, GuestValueType returnType, ReadOnlySpan<GuestValue> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        Enter();
        try
        {
            ThrowIfNotReady();
            CheckCall(name, returnType, args);
            if (cancellationToken.IsCancellationRequested)
            {
                throw new GuestCallCanceledException(
                    $"The call to '{name}' was cancelled by its CancellationToken before it started; nothing ran.",
                    CallCancellationReason.TokenCanceled,
                    guestRan: false,
                    cancellationToken);
            }

            var input = _memory.GetSpan(_layout.InputBase, _layout.InputSize);
            if (!MessageWriter.TryWriteCall(input, name, returnType, args, out var callSize))
            {
                throw new GuestArgumentException(name,
                    $"The arguments of '{name}' need {MessageWriter.MeasureCall(name, args)} bytes, but the input buffer holds {_layout.InputSize} bytes (SandboxOptions.InputBufferSize).");
            }

            _hostCalls.ClearParkedFailure();
            RunGuest(callSize, cancellationToken);
            return ReadResult(name, returnType);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Runs the guest, killable for the duration; any failure that leaves it in an unknown state, a stop
    /// part-way included, poisons the sandbox.
    /// </summary>
    private void RunGuest(int replyOffset, CancellationToken cancellationToken)
    {
        InterruptHandle.BeginCall(_callTimeout, cancellationToken);
        // Disposing the registration waits for a callback already running, so none outlives this call.
        var registration = cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(s_cancelFromToken, InterruptHandle) : default;
        try
        {
            _clock.Update();
            _runLoop.RunUntilDone(replyOffset);
        }
        catch (Exception e)
        {
            // The guest stopped at an unknown point, possibly inside a host call whose reply never came.
            _poisonCause = e;
            SettlePendingExit(e);
            throw;
        }
        finally
        {
            registration.Dispose();
            InterruptHandle.EndCall();
        }
    }

    /// <summary>
    /// Lets the hypervisor finish the exit the failed run stopped at now, before anything can be restored: completed
    /// later, an IN or INS would write its data over restored registers or memory. If even that fails, the vCPU holds
    /// state nothing can clear, and the sandbox becomes unrecoverable.
    /// </summary>
    private void SettlePendingExit(Exception failure)
    {
        try
        {
            _vm.SettlePendingExit();
        }
        catch (HypervisorException e)
        {
            _unrecoverableCause = new AggregateException(failure, e);
        }
    }

    private GuestValue ReadResult(string name, GuestValueType returnType)
    {
        try
        {
            var reader = MessageReader.Open(_memory.GetSpan(_layout.OutputBase, _layout.OutputSize));
            if (reader.Kind == MessageKind.Error)
            {
                var (code, message) = reader.ReadError();
                throw ErrorFromGuest(name, code, message);
            }

            reader.ReadReturn(returnType, out var value);
            return value;
        }
        catch (GuestProtocolException e)
        {
            _poisonCause = e;
            throw;
        }
    }

    private Exception ErrorFromGuest(string name, int code, string message) => (WireErrorCode)code switch
    {
        WireErrorCode.HostFunction => new HostFunctionException(_hostCalls.ParkedFunctionName ?? string.Empty, message, _hostCalls.ParkedException),
        WireErrorCode.FunctionNotFound => new GuestFunctionNotFoundException(name),
        _ => new GuestErrorException(code, message),
    };

    /// <summary>Checks a call against the signature the guest announced, before the guest runs.</summary>
    private void CheckCall(string name, GuestValueType returnType, ReadOnlySpan<GuestValue> args)
    {
        if (!_guestFunctions.TryGetValue(name, out var signature))
        {
            throw new GuestFunctionNotFoundException(name);
        }

        if (signature.ParameterTypes.Count != args.Length)
        {
            throw new GuestArgumentException(name, $"Function '{name}' takes {signature.ParameterTypes.Count} parameter(s), but the call passed {args.Length}.");
        }

        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].Type != signature.ParameterTypes[i])
            {
                throw new GuestArgumentException(name,
                    $"Parameter {i} of function '{name}' is {signature.ParameterTypes[i]}, but the call passed {args[i].Type}.");
            }
        }

        if (signature.ReturnType != returnType)
        {
            throw new GuestArgumentException(name, $"Function '{name}' returns {signature.ReturnType}, but the call expects {returnType}.");
        }
    }

    /// <summary>Used by the generated <c>GetFunction</c> overloads: checks the signature once, when binding.</summary>
    private void Bind(string name, GuestValueType returnType, GuestValueType[] parameterTypes)
    {
        ObjectDisposedException.ThrowIf(_disposeRequested, this);
        if (!_guestFunctions.TryGetValue(name, out var signature))
        {
            throw new GuestFunctionNotFoundException(name);
        }

        var wanted = new GuestFunctionSignature(name, returnType, parameterTypes);
        if (!signature.Equals(wanted))
        {
            throw new GuestArgumentException(name, $"The guest function is {signature}, but the delegate is {wanted}.");
        }
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
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowBusyOrDisposed()
    {
        ObjectDisposedException.ThrowIf(_disposeRequested, this);
        throw new SandboxBusyException();
    }
}
