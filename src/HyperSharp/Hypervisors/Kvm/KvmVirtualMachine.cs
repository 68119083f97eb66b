using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.Hypervisors.Kvm;

/// <summary>
/// HyperSharp's use of a KVM VM (<see cref="KvmVm"/>) and its single vCPU (<see cref="KvmVcpu"/>): the policy on top of
/// the ioctl wrappers. Registers restored with <c>KVM_CAP_SYNC_REGS</c> ride on the next <c>KVM_RUN</c>; ioctls that
/// would only write reset values again are left out; a stop request sets <c>immediate_exit</c> and kicks the run thread
/// with a signal; an exit KVM would complete later is settled when a run fails.
/// </summary>
internal sealed class KvmVirtualMachine : IVirtualMachine
{
    private readonly KvmVm _vm;
    private readonly KvmVcpu _vcpu;
    private readonly uint[] _stateMsrs;
    private readonly int _kickSignal;
    private readonly bool _syncRegs;

    /// <summary>
    /// <c>KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2</c> is on: <c>KVM_GET_DIRTY_LOG</c> only reads the log and
    /// <see cref="ProtectPages"/> protects what the caller chooses.
    /// </summary>
    private readonly bool _manualDirtyLogProtect;

    /// <summary>The dirty log has one bit per 4 KiB page.</summary>
    private const ulong DirtyLogPageSize = 4096;

    /// <summary>Pages in the one memory slot, for <c>KVM_CLEAR_DIRTY_LOG</c>'s range.</summary>
    private uint _slotPages;
    private int _runThreadId;

    /// <summary>
    /// The last run stopped at an I/O or MMIO exit, which KVM completes at the next KVM_RUN: it moves RIP past an
    /// OUT, writes an IN's value into RAX, an INS's data into memory, and continues a string instruction's loop.
    /// </summary>
    private bool _exitPending;

    /// <summary>
    /// Nothing has run or been restored on the vCPU yet, so XCR0 and the debug registers hold their reset values
    /// and a restore can leave out the ioctls that would only write those values again.
    /// </summary>
    private bool _atReset = true;

    /// <summary>XCR0 after reset: x87 state only (<c>XFEATURE_MASK_FP</c>).</summary>
    private const ulong ResetXcr0 = 1;

    /// <summary>DR0–DR3 clear, DR6 and DR7 at their reset values (<c>DR6_ACTIVE_LOW</c>, <c>DR7_FIXED_1</c>).</summary>
    private static readonly DebugRegisters s_resetDebugRegisters = new(0, 0, 0, 0, 0xFFFF_0FF0, 0x400);

    /// <summary>The OS thread id of the current thread, fetched once per thread (<c>gettid</c> is a system call).</summary>
    [ThreadStatic]
    private static int t_threadId;

    public KvmVirtualMachine(KvmDevice device)
    {
        _vm = device.CreateVm();
        try
        {
            _vcpu = new KvmVcpu(_vm.CreateVcpu(0), device.VcpuMmapSize, device.XsaveSize);
            _stateMsrs = device.VcpuStateMsrs;
            _kickSignal = VcpuKickSignal.Number;
            _syncRegs = device.SyncRegs;
            if (device.ManualDirtyLogProtect)
            {
                _vm.EnableCap(KvmCapability.KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, KvmEnableCap.KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE);
                _manualDirtyLogProtect = true;
            }
            _vcpu.SetCpuid2(device.GuestCpuid);
        }
        catch
        {
            _vcpu?.Dispose();
            _vm.Dispose();
            throw;
        }
    }

    /// <summary>One memory slot, with dirty-page logging on.</summary>
    public void MapMemory(uint slot, ulong guestAddress, nint hostAddress, ulong size)
    {
        _vm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion
        {
            Slot = slot,
            Flags = KvmDirtyLog.KVM_MEM_LOG_DIRTY_PAGES,
            GuestPhysAddr = guestAddress,
            MemorySize = size,
            UserspaceAddr = (ulong)hostAddress,
        });
        _slotPages = checked((uint)(size / DirtyLogPageSize));
    }

    public void GetDirtyPages(uint slot, Span<ulong> bitmap) => _vm.GetDirtyLog(slot, bitmap);

    /// <summary>
    /// Clears only the words of the log from the first to the last with a page to protect, so a large slot with a few
    /// pages written costs the kernel a few words, and a restore that protects nothing makes no ioctl.
    /// </summary>
    public void ProtectPages(uint slot, ReadOnlySpan<ulong> bitmap)
    {
        if (!_manualDirtyLogProtect)
        {
            return;
        }

        var first = bitmap.IndexOfAnyExcept(0UL);
        if (first < 0)
        {
            return;
        }

        var last = bitmap.LastIndexOfAnyExcept(0UL);
        // KVM wants a range starting at a multiple of 64 pages, and a multiple of 64 long unless it ends the slot.
        var firstPage = (uint)first * 64;
        var endPage = Math.Min((uint)(last + 1) * 64, _slotPages);
        _vm.ClearDirtyLog(slot, firstPage, endPage - firstPage, bitmap[first..(last + 1)]);
    }

    public VcpuExit Run()
    {
        _atReset = false;
        var exit = _vcpu.RunOnce();
        _exitPending = exit.Reason is VcpuExitReason.IoIn or VcpuExitReason.IoOut or VcpuExitReason.Mmio;
        return exit;
    }

    public void PrepareToRun()
    {
        if (t_threadId == 0)
        {
            t_threadId = Libc.GetTid();
        }

        _runThreadId = t_threadId;
        _vcpu.SetImmediateExit(false);
    }

    /// <summary>
    /// Sets <c>immediate_exit</c>, then signals the run thread: the signal stops a run already in the guest,
    /// the flag one the thread is about to start. A thread that has already left needs neither.
    /// </summary>
    public bool Interrupt()
    {
        _vcpu.SetImmediateExit(true);
        return VcpuKickSignal.TrySend(_runThreadId, _kickSignal);
    }

    public void SettlePendingExit()
    {
        if (_exitPending)
        {
            _vcpu.CompletePendingExit();
            _exitPending = false;
        }
    }

    // Registers staged for the next KVM_RUN (RestoreState with SYNC_REGS) are the vCPU's registers as far as
    // everyone else is concerned: the getters read them, the setters amend them rather than being overwritten.
    public StandardRegisters GetRegisters() => _vcpu.PendingStagedRegisters() is { } staged ? staged.Regs : _vcpu.GetRegs();

    public void SetRegisters(in StandardRegisters registers)
    {
        if (_vcpu.PendingStagedRegisters() is { } staged)
        {
            _vcpu.StageRegisters(registers, staged.Sregs, staged.Events);
        }
        else
        {
            _vcpu.SetRegs(registers);
        }
    }

    public SpecialRegisters GetSpecialRegisters() => _vcpu.PendingStagedRegisters() is { } staged ? staged.Sregs : _vcpu.GetSregs();

    public void SetSpecialRegisters(in SpecialRegisters registers)
    {
        if (_vcpu.PendingStagedRegisters() is { } staged)
        {
            _vcpu.StageRegisters(staged.Regs, registers, staged.Events);
        }
        else
        {
            _vcpu.SetSregs(registers);
        }
    }

    /// <inheritdoc/>
    public ulong GetTscKhz() => _vcpu.GetTscKhz();

    /// <summary>
    /// Completes the pending exit first (so RIP is past the guest's last OUT), then seven ioctls:
    /// KVM_GET_REGS, _SREGS, _XSAVE, _XCRS, _DEBUGREGS, _MSRS, _VCPU_EVENTS. Registers a restore staged and
    /// no run has loaded yet are taken from the staging area instead.
    /// </summary>
    public VcpuState CaptureState()
    {
        _vcpu.CompletePendingExit();
        _exitPending = false;
        var staged = _vcpu.PendingStagedRegisters();
        var debugregs = _vcpu.GetDebugregs();
        return new VcpuState
        {
            Registers = staged?.Regs ?? _vcpu.GetRegs(),
            SpecialRegisters = staged?.Sregs ?? _vcpu.GetSregs(),
            // The arrays are fresh and never escape, so wrapping them without a copy keeps the state immutable.
            Xsave = ImmutableCollectionsMarshal.AsImmutableArray(_vcpu.GetXsave()),
            Xcr0 = Xcr0Of(_vcpu.GetXcrs()),
            DebugRegisters = new DebugRegisters(debugregs.Db[0], debugregs.Db[1], debugregs.Db[2], debugregs.Db[3], debugregs.Dr6, debugregs.Dr7),
            Msrs = ImmutableCollectionsMarshal.AsImmutableArray(_vcpu.GetMsrs(_stateMsrs)),
            Events = staged?.Events ?? _vcpu.GetVcpuEvents(),
        };
    }

    /// <summary>
    /// The matching seven setters. Events go last: KVM_SET_REGS and KVM_SET_SREGS would clear a pending exception.
    /// With KVM_CAP_SYNC_REGS, regs, sregs and events (in that order) ride on the next KVM_RUN instead, so a
    /// restore makes four ioctls, and two on a vCPU that has neither run nor been restored when XCR0 and the debug
    /// registers are at their reset values (as in every snapshot so far). A failure part-way leaves the vCPU partly
    /// restored; the caller must not run it. An exit still pending is left alone: after a call that ended normally
    /// it is the guest's last OUT, whose completion only moves RIP past it if RIP still points at it; every other
    /// exit ended its call with an error, and the caller settled it then (<see cref="SettlePendingExit"/>).
    /// </summary>
    public void RestoreState(VcpuState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var xcrs = new KvmXcrs { NrXcrs = 1 };
        xcrs.Xcrs[0] = new KvmXcr { Xcr = 0, Value = state.Xcr0 };
        var debug = state.DebugRegisters;
        var debugregs = new KvmDebugregs { Dr6 = debug.Dr6, Dr7 = debug.Dr7 };
        debugregs.Db[0] = debug.Dr0;
        debugregs.Db[1] = debug.Dr1;
        debugregs.Db[2] = debug.Dr2;
        debugregs.Db[3] = debug.Dr3;

        // On a vCPU that has neither run nor been restored, writing reset values again is two ioctls for nothing.
        var setXcrs = !_atReset || state.Xcr0 != ResetXcr0;
        var setDebugregs = !_atReset || debug != s_resetDebugRegisters;
        _atReset = false;
        if (_syncRegs)
        {
            SetXcrsXsaveDebugregs(setXcrs, xcrs, state.Xsave.AsSpan(), setDebugregs, debugregs);
            _vcpu.SetMsrs(state.Msrs.AsSpan());
            _vcpu.StageRegisters(state.Registers, state.SpecialRegisters, state.Events);
            return;
        }

        _vcpu.SetSregs(state.SpecialRegisters);
        _vcpu.SetRegs(state.Registers);
        SetXcrsXsaveDebugregs(setXcrs, xcrs, state.Xsave.AsSpan(), setDebugregs, debugregs);
        _vcpu.SetMsrs(state.Msrs.AsSpan());
        _vcpu.SetVcpuEvents(state.Events);
    }

    /// <summary>XCR0 before the XSAVE area, which KVM checks against it; the debug registers when asked.</summary>
    private void SetXcrsXsaveDebugregs(bool setXcrs, in KvmXcrs xcrs, ReadOnlySpan<byte> xsave, bool setDebugregs, in KvmDebugregs debugregs)
    {
        if (setXcrs)
        {
            _vcpu.SetXcrs(xcrs);
        }

        _vcpu.SetXsave(xsave);
        if (setDebugregs)
        {
            _vcpu.SetDebugregs(debugregs);
        }
    }

    public void Dispose()
    {
        _vcpu.Dispose();
        _vm.Dispose();
    }

    /// <summary>XCR0 is the only XCR KVM reports (index 0, <c>XCR_XFEATURE_ENABLED_MASK</c>).</summary>
    private static ulong Xcr0Of(in KvmXcrs xcrs)
    {
        for (var i = 0; i < Math.Min(xcrs.NrXcrs, (uint)KvmXcrs.KVM_MAX_XCRS); i++)
        {
            if (xcrs.Xcrs[i].Xcr == 0)
            {
                return xcrs.Xcrs[i].Value;
            }
        }

        throw new HypervisorException("KVM_GET_XCRS (no XCR0)", Libc.EINVAL);
    }
}
