using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace HyperSharp.Hypervisors.Whp;

/// <summary>
/// The Windows Hypervisor Platform functions HyperSharp calls (<c>winhvplatform.h</c>, <c>WinHvPlatform.dll</c>). Each
/// returns an HRESULT, negative on failure; <see cref="Check"/> turns one into a <see cref="HypervisorException"/>. The
/// DLL exists only where the "Windows Hypervisor Platform" feature is on, so nothing here is called before
/// <see cref="WhpPlatform"/> has loaded it. Structs and constants are checked against mingw-w64's headers.
/// </summary>
[SupportedOSPlatform("windows")]
internal static unsafe partial class WinHvPlatform
{
    public const string LibraryName = "WinHvPlatform.dll";

    [LibraryImport(LibraryName, EntryPoint = "WHvGetCapability")]
    public static partial int WHvGetCapability(WhpCapability capabilityCode, void* capabilityBuffer, uint capabilityBufferSizeInBytes, uint* writtenSizeInBytes);

    [LibraryImport(LibraryName, EntryPoint = "WHvCreatePartition")]
    public static partial int WHvCreatePartition(out SafeWhvPartitionHandle partition);

    [LibraryImport(LibraryName, EntryPoint = "WHvSetupPartition")]
    public static partial int WHvSetupPartition(SafeWhvPartitionHandle partition);

    [LibraryImport(LibraryName, EntryPoint = "WHvDeletePartition")]
    public static partial int WHvDeletePartition(nint partition);

    [LibraryImport(LibraryName, EntryPoint = "WHvSetPartitionProperty")]
    public static partial int WHvSetPartitionProperty(SafeWhvPartitionHandle partition, WhpPartitionProperty propertyCode, void* propertyBuffer, uint propertyBufferSizeInBytes);

    [LibraryImport(LibraryName, EntryPoint = "WHvMapGpaRange")]
    public static partial int WHvMapGpaRange(SafeWhvPartitionHandle partition, nint sourceAddress, ulong guestAddress, ulong sizeInBytes, WhpMapGpaRangeFlags flags);

    [LibraryImport(LibraryName, EntryPoint = "WHvQueryGpaRangeDirtyBitmap")]
    public static partial int WHvQueryGpaRangeDirtyBitmap(SafeWhvPartitionHandle partition, ulong guestAddress, ulong rangeSizeInBytes, ulong* bitmap, uint bitmapSizeInBytes);

    [LibraryImport(LibraryName, EntryPoint = "WHvCreateVirtualProcessor")]
    public static partial int WHvCreateVirtualProcessor(SafeWhvPartitionHandle partition, uint vpIndex, uint flags);

    [LibraryImport(LibraryName, EntryPoint = "WHvDeleteVirtualProcessor")]
    public static partial int WHvDeleteVirtualProcessor(SafeWhvPartitionHandle partition, uint vpIndex);

    [LibraryImport(LibraryName, EntryPoint = "WHvRunVirtualProcessor")]
    public static partial int WHvRunVirtualProcessor(SafeWhvPartitionHandle partition, uint vpIndex, WhvRunVpExitContext* exitContext, uint exitContextSizeInBytes);

    [LibraryImport(LibraryName, EntryPoint = "WHvCancelRunVirtualProcessor")]
    public static partial int WHvCancelRunVirtualProcessor(SafeWhvPartitionHandle partition, uint vpIndex, uint flags);

    [LibraryImport(LibraryName, EntryPoint = "WHvGetVirtualProcessorRegisters")]
    public static partial int WHvGetVirtualProcessorRegisters(SafeWhvPartitionHandle partition, uint vpIndex, WhpRegister* registerNames, uint registerCount, WhvRegisterValue* registerValues);

    [LibraryImport(LibraryName, EntryPoint = "WHvSetVirtualProcessorRegisters")]
    public static partial int WHvSetVirtualProcessorRegisters(SafeWhvPartitionHandle partition, uint vpIndex, WhpRegister* registerNames, uint registerCount, WhvRegisterValue* registerValues);

    [LibraryImport(LibraryName, EntryPoint = "WHvGetVirtualProcessorXsaveState")]
    public static partial int WHvGetVirtualProcessorXsaveState(SafeWhvPartitionHandle partition, uint vpIndex, byte* buffer, uint bufferSizeInBytes, uint* bytesWritten);

    [LibraryImport(LibraryName, EntryPoint = "WHvSetVirtualProcessorXsaveState")]
    public static partial int WHvSetVirtualProcessorXsaveState(SafeWhvPartitionHandle partition, uint vpIndex, byte* buffer, uint bufferSizeInBytes);

    /// <summary>Throws the <see cref="HypervisorException"/> for a failed <paramref name="operation"/>; S_OK and other successes pass.</summary>
    public static void Check(int hresult, string operation)
    {
        if (hresult < 0)
        {
            throw HypervisorException.FromHResult(operation, hresult);
        }
    }
}
