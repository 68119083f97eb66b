using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace HyperSharp.Hypervisors.Whp;

/// <summary>
/// HyperSharp's use of a WHP partition (<see cref="WhpPartition"/>) and its single virtual processor
/// (<see cref="WhpVirtualProcessor"/>): the policy on top of the function wrappers. WHP, unlike KVM, does not complete
/// an I/O exit by itself: the host moves RIP past the instruction, which here happens on the next run, on a settle or
/// before a capture, so the vCPU looks to the rest of HyperSharp as KVM's does. A stop request is a flag the run thread
/// checks before entering, plus <c>WHvCancelRunVirtualProcessor</c> for a run already inside, repeated until the run
/// has returned (WHP's documentation does not say whether a cancel before the run starts is remembered).
/// </summary>
/// <remarks>
/// Compiled and checked against the Windows SDK headers only: no machine HyperSharp's CI runs on has WHP.
/// </remarks>
[SupportedOSPlatform("windows")]
internal sealed class WhpVirtualMachine : IVirtualMachine
{
    /// <summary>Registers in the largest batch: a whole <see cref="VcpuState"/> but its XSAVE area.</summary>
    private static readonly int s_stateRegisterCount =
        WhpRegisters.Standard.Length + WhpRegisters.Special.Length + WhpRegisters.Debug.Length + 1 + WhpMsrs.VcpuState.Length + WhpRegisters.Events.Length;

    private readonly WhpPartition _partition;
    private readonly WhpVirtualProcessor _processor;
    private readonly WhpPlatform _platform;
    private readonly WhpRegisterBuffer _values = new(s_stateRegisterCount);
    private readonly WhpRegister[] _stateNames = StateNames();
    private readonly byte[] _xsave;

    /// <summary>
    /// The RIP the last I/O exit's instruction ends at, or 0: WHP leaves RIP on the IN or OUT, and the host completes it
    /// by moving RIP past it, as KVM does on its next <c>KVM_RUN</c>. A register write by the host replaces it.
    /// </summary>
    private ulong _pendingRip;

    /// <summary>Bytes mapped at guest-physical 0: the range whose dirty pages <see cref="GetDirtyPages"/> reads.</summary>
    private ulong _mappedSize;

    /// <summary>Set by <see cref="Interrupt"/>, cleared by <see cref="PrepareToRun"/>; the run thread checks it before entering.</summary>
    private int _stopRequested;

    /// <summary>1 while the run thread is inside <see cref="Run"/>'s window that a cancel must reach.</summary>
    private int _running;

    public WhpVirtualMachine(WhpPlatform platform)
    {
        _platform = platform;
        _xsave = new byte[platform.XsaveSize];
        _partition = WhpPartition.CreatePartition();
        try
        {
            _partition.SetPartitionProperty(WhpPartitionProperty.WHvPartitionPropertyCodeProcessorCount, 1);
            _partition.SetupPartition();
            _processor = _partition.CreateVirtualProcessor(0);
        }
        catch
        {
            _partition.Dispose();
            throw;
        }
    }

    /// <summary>One range, readable, writable and executable by the guest (its own page tables restrict it), with dirty-page tracking.</summary>
    public void MapMemory(uint slot, ulong guestAddress, nint hostAddress, ulong size)
    {
        if (slot != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slot), "A HyperSharp VM has one memory range, slot 0.");
        }

        _partition.MapGpaRange(hostAddress, guestAddress, size,
            WhpMapGpaRangeFlags.WHvMapGpaRangeFlagRead | WhpMapGpaRangeFlags.WHvMapGpaRangeFlagWrite
            | WhpMapGpaRangeFlags.WHvMapGpaRangeFlagExecute | WhpMapGpaRangeFlags.WHvMapGpaRangeFlagTrackDirtyPages);
        _mappedSize = size;
    }

    public void GetDirtyPages(uint slot, Span<ulong> bitmap) => _partition.QueryGpaRangeDirtyBitmap(0, _mappedSize, bitmap);

    /// <summary>Nothing to do: querying the dirty bitmap resets it, protecting every page.</summary>
    public void ProtectPages(uint slot, ReadOnlySpan<ulong> bitmap)
    {
    }

    public VcpuExit Run()
    {
        CompletePendingExit();
        Interlocked.Exchange(ref _running, 1);
        WhvRunVpExitContext exit;
        try
        {
            if (Volatile.Read(ref _stopRequested) != 0)
            {
                return new VcpuExit(VcpuExitReason.Interrupted);
            }

            _processor.RunVirtualProcessor(out exit);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }

        return Decode(exit);
    }

    public void PrepareToRun() => Volatile.Write(ref _stopRequested, 0);

    /// <summary>
    /// Sets the flag, then cancels a run that may be inside WHP and asks to be called again until it has returned:
    /// whichever of the flag and the cancel the run thread meets first stops it.
    /// </summary>
    public bool Interrupt()
    {
        Interlocked.Exchange(ref _stopRequested, 1);
        if (Volatile.Read(ref _running) == 0)
        {
            return true;
        }

        _processor.CancelRunVirtualProcessor();
        return false;
    }

    public void SettlePendingExit() => CompletePendingExit();

    public StandardRegisters GetRegisters()
    {
        var values = Get(WhpRegisters.Standard);
        return WhpRegisters.ToStandard(values);
    }

    public void SetRegisters(in StandardRegisters registers)
    {
        var values = _values.Values(WhpRegisters.Standard.Length);
        WhpRegisters.FromStandard(registers, values);
        _processor.SetVirtualProcessorRegisters(WhpRegisters.Standard, values);
        _pendingRip = 0;
    }

    public SpecialRegisters GetSpecialRegisters() => WhpRegisters.ToSpecial(Get(WhpRegisters.Special));

    public void SetSpecialRegisters(in SpecialRegisters registers)
    {
        var values = _values.Values(WhpRegisters.Special.Length);
        WhpRegisters.FromSpecial(registers, values);
        _processor.SetVirtualProcessorRegisters(WhpRegisters.Special, values);
    }

    public ulong GetTscKhz() => _platform.TscKhz;

    /// <summary>Completes the pending exit first (so RIP is past the guest's last OUT), then one register read and the XSAVE state.</summary>
    public VcpuState CaptureState()
    {
        CompletePendingExit();
        var values = Get(_stateNames);
        var (standard, special, debug, xcr0, msrs, events) = StateRanges();
        var msrValues = new MsrValue[WhpMsrs.VcpuState.Length];
        for (var i = 0; i < msrValues.Length; i++)
        {
            msrValues[i] = new MsrValue(WhpMsrs.VcpuState[i].Index, values[msrs + i].Reg64);
        }

        var written = _processor.GetVirtualProcessorXsaveState(_xsave);
        return new VcpuState
        {
            Registers = WhpRegisters.ToStandard(values[standard..]),
            SpecialRegisters = WhpRegisters.ToSpecial(values[special..]),
            Xsave = [.. _xsave.AsSpan(0, written)],
            Xcr0 = values[xcr0].Reg64,
            DebugRegisters = WhpRegisters.ToDebug(values[debug..]),
            // The array is fresh and never escapes, so wrapping it without a copy keeps the state immutable.
            Msrs = ImmutableCollectionsMarshal.AsImmutableArray(msrValues),
            Events = WhpRegisters.ToEvents(values[events..]),
        };
    }

    /// <summary>
    /// XCR0 and every register in one call (XCR0 before the XSAVE state, which WHP checks against it), then the XSAVE
    /// state. The pending exit is dropped: the restored RIP is where the guest goes on. MSRs a snapshot names that WHP
    /// does not carry are refused, as KVM refuses MSRs it does not know.
    /// </summary>
    public void RestoreState(VcpuState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var values = _values.Values(_stateNames.Length);
        var (standard, special, debug, xcr0, msrs, events) = StateRanges();
        WhpRegisters.FromStandard(state.Registers, values[standard..]);
        WhpRegisters.FromSpecial(state.SpecialRegisters, values[special..]);
        WhpRegisters.FromDebug(state.DebugRegisters, values[debug..]);
        values[xcr0] = new WhvRegisterValue { Reg64 = state.Xcr0 };
        for (var i = 0; i < WhpMsrs.VcpuState.Length; i++)
        {
            values[msrs + i] = new WhvRegisterValue { Reg64 = MsrValueOf(state, WhpMsrs.VcpuState[i].Index) };
        }

        WhpRegisters.FromEvents(state.Events, values[events..]);
        _processor.SetVirtualProcessorRegisters(_stateNames, values);
        _processor.SetVirtualProcessorXsaveState(state.Xsave.AsSpan());
        _pendingRip = 0;
    }

    public void Dispose()
    {
        _processor.Dispose();
        _partition.Dispose();
    }

    /// <summary>The whole state's register names, XCR0 first (WHP checks the XSAVE state against it): <see cref="StateRanges"/> says where each part starts.</summary>
    private static WhpRegister[] StateNames() =>
    [
        WhpRegister.WHvX64RegisterXCr0, .. WhpRegisters.Standard, .. WhpRegisters.Special, .. WhpRegisters.Debug,
        .. WhpMsrs.VcpuState.ToArray().Select(m => m.Register), .. WhpRegisters.Events,
    ];

    private static (int Standard, int Special, int Debug, int Xcr0, int Msrs, int Events) StateRanges()
    {
        const int xcr0 = 0;
        var standard = xcr0 + 1;
        var special = standard + WhpRegisters.Standard.Length;
        var debug = special + WhpRegisters.Special.Length;
        var msrs = debug + WhpRegisters.Debug.Length;
        return (standard, special, debug, xcr0, msrs, msrs + WhpMsrs.VcpuState.Length);
    }

    private static ulong MsrValueOf(VcpuState state, uint index)
    {
        foreach (var msr in state.Msrs)
        {
            if (msr.Index == index)
            {
                return msr.Value;
            }
        }

        throw new ArgumentException($"The vCPU state has no value for MSR 0x{index:X}, which every WHP vCPU state carries.", nameof(state));
    }

    private Span<WhvRegisterValue> Get(ReadOnlySpan<WhpRegister> names)
    {
        var values = _values.Values(names.Length);
        _processor.GetVirtualProcessorRegisters(names, values);
        return values;
    }

    /// <summary>Moves RIP past the I/O instruction the last run stopped at, if it has not been moved or overwritten yet.</summary>
    private void CompletePendingExit()
    {
        if (_pendingRip == 0)
        {
            return;
        }

        var values = _values.Values(1);
        values[0] = new WhvRegisterValue { Reg64 = _pendingRip };
        _processor.SetVirtualProcessorRegisters([WhpRegister.WHvX64RegisterRip], values);
        _pendingRip = 0;
    }

    /// <summary>
    /// The exit in <see cref="VcpuExit"/> terms. An I/O exit records where its instruction ends; an OUT's value is RAX's low
    /// bytes (WHP does not emulate it); a string or REP access is reported with size -1, which the run loop refuses.
    /// </summary>
    private VcpuExit Decode(in WhvRunVpExitContext exit)
    {
        switch (exit.ExitReason)
        {
            case WhpExitReason.WHvRunVpExitReasonX64IoPortAccess:
                var io = exit.IoPortAccess;
                var size = (int)((io.AccessInfo >> WhvBits.IoAccessSizeShift) & 0x7);
                _pendingRip = exit.VpContext.Rip + (ulong)(exit.VpContext.InstructionLengthCr8 & WhvBits.InstructionLengthMask);
                if ((io.AccessInfo & WhvBits.IoIsWrite) == 0)
                {
                    return new VcpuExit(VcpuExitReason.IoIn, Port: io.PortNumber, Size: size);
                }

                if ((io.AccessInfo & (WhvBits.IoStringOp | WhvBits.IoRepPrefix)) != 0 || size is not (1 or 2 or 4))
                {
                    return new VcpuExit(VcpuExitReason.IoOut, Port: io.PortNumber, Size: -1, Detail: $"string or repeated OUT (size {size})");
                }

                var mask = size == 4 ? uint.MaxValue : (1U << (size * 8)) - 1;
                return new VcpuExit(VcpuExitReason.IoOut, Port: io.PortNumber, Value: (uint)io.Rax & mask, Size: size);
            case WhpExitReason.WHvRunVpExitReasonMemoryAccess:
                var access = exit.MemoryAccess;
                return new VcpuExit(VcpuExitReason.Mmio, Address: access.Gpa,
                    Detail: (access.AccessInfo & WhvBits.MemoryAccessTypeMask) == WhvBits.WHvMemoryAccessWrite ? "write" : "read");
            case WhpExitReason.WHvRunVpExitReasonX64Halt:
                return new VcpuExit(VcpuExitReason.Halt);
            case WhpExitReason.WHvRunVpExitReasonUnrecoverableException:
                // A triple fault: the processor could not deliver an exception.
                return new VcpuExit(VcpuExitReason.Shutdown);
            case WhpExitReason.WHvRunVpExitReasonCanceled:
                return new VcpuExit(VcpuExitReason.Interrupted);
            case WhpExitReason.WHvRunVpExitReasonInvalidVpRegisterValue or WhpExitReason.WHvRunVpExitReasonUnsupportedFeature:
                return new VcpuExit(VcpuExitReason.Failed, Detail: $"WHP exit reason {exit.ExitReason}");
            case WhpExitReason.WHvRunVpExitReasonException:
                var exception = exit.VpException;
                return new VcpuExit(VcpuExitReason.Unknown, Detail: $"exception {exception.ExceptionType} (error code 0x{exception.ErrorCode:x}) at RIP 0x{exit.VpContext.Rip:x}");
            default:
                return new VcpuExit(VcpuExitReason.Unknown, Detail: $"WHP exit reason 0x{(uint)exit.ExitReason:x}");
        }
    }
}
