using System.Runtime.Versioning;

namespace HyperSharp.Hypervisors.Whp;

/// <summary>
/// One virtual processor of a <see cref="WhpPartition"/>, named by its index (the counterpart of <see cref="Kvm.KvmVcpu"/>):
/// each method wraps the function it is named after. It is not a handle of its own: deleting it is
/// <c>WHvDeleteVirtualProcessor</c> on dispose, and deleting the partition deletes it too, so the partition's finalizer
/// covers one nobody disposed.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed unsafe class WhpVirtualProcessor(SafeWhvPartitionHandle partition, uint index) : IDisposable
{
    private bool _deleted;

    /// <summary>Wraps <c>WHvRunVirtualProcessor</c>: runs until an exit, which <paramref name="exit"/> receives.</summary>
    public void RunVirtualProcessor(out WhvRunVpExitContext exit)
    {
        // SAFETY: fixed pins the caller's struct for the call, which writes at most its size (224 bytes, the header's,
        // checked by the ABI test), the size passed.
        fixed (WhvRunVpExitContext* pointer = &exit)
        {
            WinHvPlatform.Check(WinHvPlatform.WHvRunVirtualProcessor(partition, index, pointer, (uint)sizeof(WhvRunVpExitContext)), "WHvRunVirtualProcessor");
        }
    }

    /// <summary>
    /// Wraps <c>WHvCancelRunVirtualProcessor</c>, from any thread: a run in progress returns with
    /// <c>WHvRunVpExitReasonCanceled</c>. Never throws (it is called from timer threads); false if WHP refused.
    /// </summary>
    public bool CancelRunVirtualProcessor() => WinHvPlatform.WHvCancelRunVirtualProcessor(partition, index, 0) >= 0;

    /// <summary>Wraps <c>WHvGetVirtualProcessorRegisters</c>: the value of each of <paramref name="names"/>, in order.</summary>
    public void GetVirtualProcessorRegisters(ReadOnlySpan<WhpRegister> names, Span<WhvRegisterValue> values)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, names.Length);
        // SAFETY: fixed pins both spans for the call, which reads names.Length names and writes as many values; values
        // holds at least that many (checked above). WHV_REGISTER_VALUE is 16-byte aligned in C: callers pass a buffer
        // from WhpRegisterBuffer, which is.
        fixed (WhpRegister* namePointer = names)
        fixed (WhvRegisterValue* valuePointer = values)
        {
            WinHvPlatform.Check(WinHvPlatform.WHvGetVirtualProcessorRegisters(partition, index, namePointer, (uint)names.Length, valuePointer),
                "WHvGetVirtualProcessorRegisters");
        }
    }

    /// <summary>Wraps <c>WHvSetVirtualProcessorRegisters</c>: each of <paramref name="names"/> gets its value, in order.</summary>
    public void SetVirtualProcessorRegisters(ReadOnlySpan<WhpRegister> names, ReadOnlySpan<WhvRegisterValue> values)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, names.Length);
        // SAFETY: as in GetVirtualProcessorRegisters; the call only reads the values.
        fixed (WhpRegister* namePointer = names)
        fixed (WhvRegisterValue* valuePointer = values)
        {
            WinHvPlatform.Check(WinHvPlatform.WHvSetVirtualProcessorRegisters(partition, index, namePointer, (uint)names.Length, valuePointer),
                "WHvSetVirtualProcessorRegisters");
        }
    }

    /// <summary>Wraps <c>WHvGetVirtualProcessorXsaveState</c>: the bytes written into <paramref name="buffer"/>.</summary>
    public int GetVirtualProcessorXsaveState(Span<byte> buffer)
    {
        uint written;
        // SAFETY: fixed pins the buffer for the call, which writes at most its length (the size passed); `written` is a local.
        fixed (byte* pointer = buffer)
        {
            WinHvPlatform.Check(WinHvPlatform.WHvGetVirtualProcessorXsaveState(partition, index, pointer, (uint)buffer.Length, &written),
                "WHvGetVirtualProcessorXsaveState");
        }

        return (int)written;
    }

    /// <summary>Wraps <c>WHvSetVirtualProcessorXsaveState</c>.</summary>
    public void SetVirtualProcessorXsaveState(ReadOnlySpan<byte> area)
    {
        // SAFETY: fixed pins the area for the call, which reads exactly its length (the size passed).
        fixed (byte* pointer = area)
        {
            WinHvPlatform.Check(WinHvPlatform.WHvSetVirtualProcessorXsaveState(partition, index, pointer, (uint)area.Length), "WHvSetVirtualProcessorXsaveState");
        }
    }

    /// <summary>Wraps <c>WHvDeleteVirtualProcessor</c>, once; a partition already deleted took its processors with it.</summary>
    public void Dispose()
    {
        if (!_deleted && !partition.IsClosed)
        {
            _deleted = true;
            _ = WinHvPlatform.WHvDeleteVirtualProcessor(partition, index);
        }
    }
}
