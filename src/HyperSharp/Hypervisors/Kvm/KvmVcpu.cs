using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.Hypervisors.Kvm;

/// <summary>
/// A vCPU fd and its shared <c>kvm_run</c> page (the counterpart of kvm-ioctls' <c>VcpuFd</c>).
/// Each method wraps the ioctl it is named after and reports failures as errno.
/// </summary>
internal sealed unsafe class KvmVcpu : IDisposable
{
    /// <summary>KVM rejects <c>KVM_GET_MSRS</c>/<c>KVM_SET_MSRS</c> of <c>MAX_IO_MSRS</c> (256) entries or more.</summary>
    public const int MaxMsrsPerIoctl = 255;

    private readonly SafeFileDescriptor _fd;
    private readonly SafeMemoryMapping _runMapping;
    private readonly int _xsaveSize;

    /// <summary>Takes ownership of <paramref name="fd"/>; <paramref name="xsaveSize"/> is <see cref="KvmDevice.XsaveSize"/>.</summary>
    public KvmVcpu(SafeFileDescriptor fd, int mmapSize, int xsaveSize)
    {
        _fd = fd;
        _xsaveSize = xsaveSize;
        try
        {
            _runMapping = SafeMemoryMapping.Map("mmap(kvm_run)", (nuint)mmapSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The shared run structure. SAFETY: valid while this object is alive; the mapping is at least
    /// KVM_GET_VCPU_MMAP_SIZE bytes, which KvmDevice checked covers <see cref="KvmRun"/>.
    /// </summary>
    private KvmRun* Run => (KvmRun*)_runMapping.Address;

    /// <summary>Wraps <c>KVM_SET_CPUID2</c>.</summary>
    public void SetCpuid2(ReadOnlySpan<KvmCpuidEntry2> entries)
    {
        var bytes = sizeof(KvmCpuid2Header) + (entries.Length * sizeof(KvmCpuidEntry2));
        var buffer = (byte*)NativeMemory.AllocZeroed((nuint)bytes);
        try
        {
            // SAFETY: buffer is exactly a header plus entries.Length entries.
            ((KvmCpuid2Header*)buffer)->Nent = (uint)entries.Length;
            entries.CopyTo(new Span<KvmCpuidEntry2>(buffer + sizeof(KvmCpuid2Header), entries.Length));
            Check(Libc.Ioctl(_fd, KvmIoctls.KVM_SET_CPUID2, buffer), "KVM_SET_CPUID2");
        }
        finally
        {
            // SAFETY: allocated above and freed once.
            NativeMemory.Free(buffer);
        }
    }

    /// <summary>Wraps <c>KVM_RUN</c> and decodes the exit from the shared page.</summary>
    public VcpuExit RunOnce()
    {
        if (Libc.Ioctl(_fd, KvmIoctls.KVM_RUN, 0) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Libc.EINTR or Libc.EAGAIN)
            {
                return new VcpuExit(VcpuExitReason.Interrupted);
            }

            throw new HypervisorException("KVM_RUN", errno);
        }

        // SAFETY: Run points at the live kvm_run mapping (see the property); KVM_RUN has returned, so the
        // kernel is not writing it. One copy of the fixed part, then no more pointer use below.
        var run = *Run;
        return (int)run.ExitReason switch
        {
            KvmRun.KVM_EXIT_IO => DecodeIo(run),
            KvmRun.KVM_EXIT_HLT => new VcpuExit(VcpuExitReason.Halt),
            KvmRun.KVM_EXIT_MMIO => new VcpuExit(VcpuExitReason.Mmio, Address: run.MmioPhysAddr, Size: (int)run.MmioLen,
                Detail: run.MmioIsWrite != 0 ? "write" : "read"),
            KvmRun.KVM_EXIT_SHUTDOWN => new VcpuExit(VcpuExitReason.Shutdown),
            KvmRun.KVM_EXIT_INTR => new VcpuExit(VcpuExitReason.Interrupted),
            KvmRun.KVM_EXIT_FAIL_ENTRY => new VcpuExit(VcpuExitReason.Failed, Detail: $"KVM_EXIT_FAIL_ENTRY, hardware reason 0x{run.FailEntryHardwareReason:x}"),
            KvmRun.KVM_EXIT_INTERNAL_ERROR => new VcpuExit(VcpuExitReason.Failed, Detail: $"KVM_EXIT_INTERNAL_ERROR, suberror {run.InternalSuberror}"),
            _ => new VcpuExit(VcpuExitReason.Unknown, Detail: $"KVM exit reason {run.ExitReason}"),
        };
    }

    /// <summary>
    /// Wraps <c>KVM_RUN</c> with <c>kvm_run.immediate_exit</c> set: KVM completes the I/O or MMIO exit it last
    /// reported (RIP moves past an OUT; an IN's value, or an INS's data, is written) and returns <c>EINTR</c> without
    /// running guest code. The KVM API documentation requires this before saving vCPU state taken at an I/O exit.
    /// An emulated access that spans pages can need userspace once more per piece: KVM then reports another exit
    /// instead of <c>EINTR</c>, and the loop goes on, a bounded number of times.
    /// </summary>
    public void CompletePendingExit()
    {
        const int maxPieces = 16;
        // SAFETY: Run points at the live kvm_run mapping (see the property); no KVM_RUN is in flight on
        // this vCPU, because the owning sandbox serialises calls.
        Run->ImmediateExit = 1;
        try
        {
            for (var piece = 0; piece < maxPieces; piece++)
            {
                if (Libc.Ioctl(_fd, KvmIoctls.KVM_RUN, 0) == 0)
                {
                    continue;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.EINTR)
                {
                    throw new HypervisorException("KVM_RUN (immediate_exit)", errno);
                }

                return;
            }

            throw new HypervisorException($"KVM_RUN (immediate_exit): the pending exit still wanted userspace after {maxPieces} completions", Libc.EINVAL);
        }
        finally
        {
            // SAFETY: as above.
            Run->ImmediateExit = 0;
        }
    }

    /// <summary>
    /// Sets or clears <c>kvm_run.immediate_exit</c>, from any thread: while set, <c>KVM_RUN</c> returns <c>EINTR</c>
    /// before entering the guest. Set before a kick signal, it closes the race with a thread about to enter
    /// <c>KVM_RUN</c>: the signal interrupts a run already in the guest, the flag one that has not got there yet.
    /// </summary>
    public void SetImmediateExit(bool exit)
    {
        // SAFETY: Run points at the live kvm_run mapping (see the property); the owning sandbox keeps this vCPU alive
        // while any thread may call this (InterruptHandle only acts during a call). A one-byte volatile write is
        // the same access the kernel's READ_ONCE pairs with.
        Volatile.Write(ref Run->ImmediateExit, exit ? (byte)1 : (byte)0);
    }

    /// <summary>
    /// Hands regs, sregs and events to the next <c>KVM_RUN</c> through <c>kvm_run.s.regs</c> (KVM_CAP_SYNC_REGS):
    /// KVM loads them, in that order, before it enters the guest, as <c>KVM_SET_REGS</c>, <c>_SREGS</c> and
    /// <c>_VCPU_EVENTS</c> would, and clears the dirty bits. Saves those three ioctls.
    /// </summary>
    public void StageRegisters(in StandardRegisters registers, in SpecialRegisters specialRegisters, in VcpuEvents events)
    {
        // SAFETY: Run points at the live kvm_run mapping (see the property), which KvmDevice checked covers KvmRun,
        // s.regs included; no KVM_RUN is in flight on this vCPU, because the owning sandbox serialises calls.
        Run->SyncRegs = new KvmSyncRegs { Regs = registers, Sregs = specialRegisters, Events = events };
        Run->KvmDirtyRegs = KvmRun.KVM_SYNC_X86_REGS | KvmRun.KVM_SYNC_X86_SREGS | KvmRun.KVM_SYNC_X86_EVENTS;
    }

    /// <summary>
    /// The register sets <see cref="StageRegisters"/> handed over that no <c>KVM_RUN</c> has loaded yet, or null
    /// if there are none: while staged, the <c>KVM_GET_*</c> ioctls would report the vCPU's older values.
    /// </summary>
    public KvmSyncRegs? PendingStagedRegisters()
    {
        // SAFETY: as in StageRegisters.
        var run = Run;
        return run->KvmDirtyRegs == 0 ? null : run->SyncRegs;
    }

    /// <summary>Wraps <c>KVM_GET_REGS</c>.</summary>
    public StandardRegisters GetRegs() => Get<StandardRegisters>(KvmIoctls.KVM_GET_REGS, "KVM_GET_REGS");

    /// <summary>Wraps <c>KVM_GET_TSC_KHZ</c>: the vCPU's TSC frequency in kHz, which the ioctl returns as its result.</summary>
    public ulong GetTscKhz()
    {
        var khz = Libc.Ioctl(_fd, KvmIoctls.KVM_GET_TSC_KHZ, 0);
        Check(khz, "KVM_GET_TSC_KHZ");
        return (ulong)khz;
    }

    /// <summary>Wraps <c>KVM_SET_REGS</c>.</summary>
    public void SetRegs(in StandardRegisters registers) => Set(KvmIoctls.KVM_SET_REGS, registers, "KVM_SET_REGS");

    /// <summary>Wraps <c>KVM_GET_SREGS</c>.</summary>
    public SpecialRegisters GetSregs() => Get<SpecialRegisters>(KvmIoctls.KVM_GET_SREGS, "KVM_GET_SREGS");

    /// <summary>Wraps <c>KVM_SET_SREGS</c>.</summary>
    public void SetSregs(in SpecialRegisters registers) => Set(KvmIoctls.KVM_SET_SREGS, registers, "KVM_SET_SREGS");

    /// <summary>Wraps <c>KVM_GET_XSAVE</c>, or <c>KVM_GET_XSAVE2</c> when the area is larger than <c>struct kvm_xsave</c>.</summary>
    public byte[] GetXsave()
    {
        var area = new byte[_xsaveSize];
        var (request, operation) = _xsaveSize > sizeof(KvmXsave)
            ? (KvmIoctls.KVM_GET_XSAVE2, "KVM_GET_XSAVE2")
            : (KvmIoctls.KVM_GET_XSAVE, "KVM_GET_XSAVE");
        // SAFETY: fixed pins the array for the call; it is the XSAVE size KVM reported (KVM_CAP_XSAVE2), at least struct kvm_xsave.
        fixed (byte* pointer = area)
        {
            Check(Libc.Ioctl(_fd, request, pointer), operation);
        }

        return area;
    }

    /// <summary>Wraps <c>KVM_SET_XSAVE</c>, which reads the whole XSAVE area, however large.</summary>
    public void SetXsave(ReadOnlySpan<byte> area)
    {
        if (area.Length != _xsaveSize)
        {
            throw new ArgumentException($"An XSAVE area here is {_xsaveSize} bytes, not {area.Length}.", nameof(area));
        }

        // SAFETY: fixed pins the span for the call; its length is the size the kernel reads (checked above).
        fixed (byte* pointer = area)
        {
            Check(Libc.Ioctl(_fd, KvmIoctls.KVM_SET_XSAVE, pointer), "KVM_SET_XSAVE");
        }
    }

    /// <summary>Wraps <c>KVM_GET_XCRS</c>.</summary>
    public KvmXcrs GetXcrs() => Get<KvmXcrs>(KvmIoctls.KVM_GET_XCRS, "KVM_GET_XCRS");

    /// <summary>Wraps <c>KVM_SET_XCRS</c>.</summary>
    public void SetXcrs(in KvmXcrs xcrs) => Set(KvmIoctls.KVM_SET_XCRS, xcrs, "KVM_SET_XCRS");

    /// <summary>Wraps <c>KVM_GET_DEBUGREGS</c>.</summary>
    public KvmDebugregs GetDebugregs() => Get<KvmDebugregs>(KvmIoctls.KVM_GET_DEBUGREGS, "KVM_GET_DEBUGREGS");

    /// <summary>Wraps <c>KVM_SET_DEBUGREGS</c>.</summary>
    public void SetDebugregs(in KvmDebugregs debugregs) => Set(KvmIoctls.KVM_SET_DEBUGREGS, debugregs, "KVM_SET_DEBUGREGS");

    /// <summary>Wraps <c>KVM_GET_VCPU_EVENTS</c>.</summary>
    public VcpuEvents GetVcpuEvents() => Get<VcpuEvents>(KvmIoctls.KVM_GET_VCPU_EVENTS, "KVM_GET_VCPU_EVENTS");

    /// <summary>Wraps <c>KVM_SET_VCPU_EVENTS</c>.</summary>
    public void SetVcpuEvents(in VcpuEvents events) => Set(KvmIoctls.KVM_SET_VCPU_EVENTS, events, "KVM_SET_VCPU_EVENTS");

    /// <summary>Wraps <c>KVM_GET_MSRS</c>: reads every MSR in <paramref name="indices"/>, or throws naming the first KVM refused.</summary>
    public MsrValue[] GetMsrs(ReadOnlySpan<uint> indices)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(indices.Length, MaxMsrsPerIoctl);
        var buffer = stackalloc byte[sizeof(KvmMsrsHeader) + (indices.Length * sizeof(KvmMsrEntry))];
        // SAFETY: buffer (on the stack, never moves) is a header plus indices.Length entries, the count written in nmsrs.
        *(KvmMsrsHeader*)buffer = new KvmMsrsHeader { Nmsrs = (uint)indices.Length };
        var entries = new Span<KvmMsrEntry>(buffer + sizeof(KvmMsrsHeader), indices.Length);
        for (var i = 0; i < indices.Length; i++)
        {
            entries[i] = new KvmMsrEntry { Index = indices[i] };
        }

        CheckMsrCount(Libc.Ioctl(_fd, KvmIoctls.KVM_GET_MSRS, buffer), indices, "KVM_GET_MSRS");
        var values = new MsrValue[indices.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = new MsrValue(entries[i].Index, entries[i].Data);
        }

        return values;
    }

    /// <summary>Wraps <c>KVM_SET_MSRS</c>: writes every MSR in <paramref name="msrs"/>, in order, or throws naming the first KVM refused.</summary>
    public void SetMsrs(ReadOnlySpan<MsrValue> msrs)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(msrs.Length, MaxMsrsPerIoctl);
        var buffer = stackalloc byte[sizeof(KvmMsrsHeader) + (msrs.Length * sizeof(KvmMsrEntry))];
        // SAFETY: buffer (on the stack, never moves) is a header plus msrs.Length entries, the count written in nmsrs.
        *(KvmMsrsHeader*)buffer = new KvmMsrsHeader { Nmsrs = (uint)msrs.Length };
        var entries = new Span<KvmMsrEntry>(buffer + sizeof(KvmMsrsHeader), msrs.Length);
        Span<uint> indices = stackalloc uint[msrs.Length];
        for (var i = 0; i < msrs.Length; i++)
        {
            entries[i] = new KvmMsrEntry { Index = msrs[i].Index, Data = msrs[i].Value };
            indices[i] = msrs[i].Index;
        }

        CheckMsrCount(Libc.Ioctl(_fd, KvmIoctls.KVM_SET_MSRS, buffer), indices, "KVM_SET_MSRS");
    }

    public void Dispose()
    {
        _runMapping.Dispose();
        _fd.Dispose();
    }

    private VcpuExit DecodeIo(in KvmRun run)
    {
        var size = run.IoSize;
        if (run.IoDirection == KvmRun.KVM_EXIT_IO_IN)
        {
            return new VcpuExit(VcpuExitReason.IoIn, Port: run.IoPort, Size: size);
        }

        if (run.IoCount != 1 || size is not (1 or 2 or 4) || run.IoDataOffset > _runMapping.Length - 4)
        {
            return new VcpuExit(VcpuExitReason.IoOut, Port: run.IoPort, Size: -1,
                Detail: $"string or repeated OUT (count {run.IoCount}, size {size})");
        }

        // SAFETY: the kernel put the OUT's `size` (1, 2 or 4) data bytes at data_offset inside the live kvm_run
        // mapping, and data_offset + 4 <= the mapping's length was checked above. Unaligned reads are fine on x86.
        var data = (byte*)Run + run.IoDataOffset;
        uint value = size switch
        {
            1 => *data,
            2 => Unsafe.ReadUnaligned<ushort>(data),
            _ => Unsafe.ReadUnaligned<uint>(data),
        };
        return new VcpuExit(VcpuExitReason.IoOut, Port: run.IoPort, Value: value, Size: size);
    }

    /// <summary>An ioctl that fills a <typeparamref name="T"/>, whose size the request number encodes.</summary>
    private T Get<T>(nuint request, string operation)
        where T : unmanaged
    {
        CheckArgumentSize<T>(request);
        T value;
        // SAFETY: `value` is a local (never moves) of exactly the size the request number names (checked above).
        Check(Libc.Ioctl(_fd, request, &value), operation);
        return value;
    }

    /// <summary>An ioctl that reads a <typeparamref name="T"/>, whose size the request number encodes.</summary>
    private void Set<T>(nuint request, in T value, string operation)
        where T : unmanaged
    {
        CheckArgumentSize<T>(request);
        // SAFETY: fixed pins `value` for the call; its size is the one the request number names (checked above).
        fixed (T* pointer = &value)
        {
            Check(Libc.Ioctl(_fd, request, pointer), operation);
        }
    }

    /// <summary>_IOR/_IOW requests carry the argument size in bits 16–29; a mismatch would let the kernel overrun the struct.</summary>
    private static void CheckArgumentSize<T>(nuint request)
        where T : unmanaged
    {
        if ((int)((request >> 16) & 0x3FFF) != sizeof(T))
        {
            throw new InvalidOperationException($"ioctl 0x{request:x} takes {(request >> 16) & 0x3FFF} bytes, not sizeof({typeof(T).Name}) = {sizeof(T)}.");
        }
    }

    /// <summary>KVM_GET/SET_MSRS return how many entries they processed and stop at the first MSR KVM refuses.</summary>
    private static void CheckMsrCount(int result, ReadOnlySpan<uint> indices, string operation)
    {
        Check(result, operation);
        if (result < indices.Length)
        {
            // KVM gives no errno for a refused MSR; EINVAL stands for "refused".
            throw new HypervisorException($"{operation} of MSR 0x{indices[result]:X}", Libc.EINVAL);
        }
    }

    private static void Check(int result, string operation)
    {
        if (result < 0)
        {
            throw new HypervisorException(operation, Marshal.GetLastPInvokeError());
        }
    }
}
