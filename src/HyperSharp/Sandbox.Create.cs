using HyperSharp.Calls;
using HyperSharp.Elf;
using HyperSharp.Execution;
using HyperSharp.Hypervisors;
using HyperSharp.Memory;
using HyperSharp.Telemetry;

namespace HyperSharp;

/// <summary>Making sandboxes: from a guest ELF (boot and initialisation) or from a snapshot (no ELF, no initialisation).</summary>
public sealed partial class Sandbox
{
    private const string OriginElf = "elf";
    private const string OriginSnapshot = "snapshot";

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
        var backend = RequireBackend();
        var create = SandboxObserver.StartCreate(OriginElf);
        try
        {
            var sandbox = Boot(backend, elf, hostFunctions, options);
            sandbox._observer.Created(create, OriginElf, sandbox.MemorySize);
            return sandbox;
        }
        catch (Exception e)
        {
            SandboxObserver.CreationFailed(create, OriginElf, e);
            throw;
        }
    }

    private static Sandbox Boot(IHypervisorBackend backend, ReadOnlySpan<byte> elf, HostFunctions? hostFunctions, SandboxOptions options)
    {
        var image = ElfImage.Parse(elf.ToArray());
        var functions = (hostFunctions ?? s_defaultHostFunctions).Freeze();
        var boot = GuestImageBuilder.Build(image, options);
        var vm = StartVirtualMachine(backend, boot.Memory, vm =>
        {
            vm.SetSpecialRegisters(InitialCpuState.SpecialRegisters(vm.GetSpecialRegisters(), boot.ThreadPointer));
            vm.SetRegisters(InitialCpuState.EntryRegisters(boot.EntryPoint, boot.Layout));
        });
        var sandbox = new Sandbox(vm, boot.Memory, boot.Layout, functions, options);
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
            if (options.SizeDifferences(snapshot.Options).FirstOrDefault() is { Name: not null } difference)
            {
                throw new ArgumentException(
                    $"SandboxOptions.{difference.Name} is {difference.Ours}, but the snapshot's memory layout has {difference.Theirs}; pass null options or the snapshot's sizes.",
                    nameof(options));
            }
        }

        var backend = RequireBackend();
        var functions = (hostFunctions ?? s_defaultHostFunctions).Freeze();
        var missing = snapshot.MissingHostFunctions(functions.Signatures);
        missing.AddRange(backend.StateMismatches(snapshot.Vcpu));
        if (missing.Count > 0)
        {
            throw new SnapshotMismatchException("The snapshot does not fit these host functions or this host", missing);
        }

        var create = SandboxObserver.StartCreate(OriginSnapshot);
        try
        {
            var memory = GuestMemory.FromImage(snapshot.Memory);
            var vm = StartVirtualMachine(backend, memory, vm =>
            {
                vm.RestoreState(snapshot.Vcpu);
                Reseed(memory);
            });
            var sandbox = new Sandbox(vm, memory, snapshot.Layout, functions, options)
            {
                _guestFunctions = snapshot.GuestFunctionTable,
                _current = snapshot,
                _generation = snapshot.Generation,
            };
            sandbox._observer.Created(create, OriginSnapshot, sandbox.MemorySize);
            return sandbox;
        }
        catch (Exception e)
        {
            SandboxObserver.CreationFailed(create, OriginSnapshot, e);
            throw;
        }
    }

    private void Initialize()
    {
        Enter();
        try
        {
            RunGuest(replyOffset: 0, CancellationToken.None);
            var reader = _buffers.ReadOutput();
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

    /// <summary>The process's hypervisor backend, checked before anything is allocated for a sandbox.</summary>
    /// <exception cref="HypervisorUnavailableException">No sandbox can run here.</exception>
    private static IHypervisorBackend RequireBackend()
    {
        var backend = HypervisorBackend.Current;
        return backend.UnavailableReason is { } reason ? throw new HypervisorUnavailableException(reason) : backend;
    }

    /// <summary>
    /// A VM whose memory is <paramref name="memory"/> and whose vCPU <paramref name="prepare"/> set up; on any failure the VM
    /// and the memory are released, so the caller owns both only once this returns.
    /// </summary>
    private static IVirtualMachine StartVirtualMachine(IHypervisorBackend backend, GuestMemory memory, Action<IVirtualMachine> prepare)
    {
        IVirtualMachine? vm = null;
        try
        {
            vm = backend.CreateVirtualMachine(memory);
            prepare(vm);
            return vm;
        }
        catch
        {
            vm?.Dispose();
            memory.Dispose();
            throw;
        }
    }
}
