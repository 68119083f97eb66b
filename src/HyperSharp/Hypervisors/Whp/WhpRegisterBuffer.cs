using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HyperSharp.Hypervisors.Whp;

/// <summary>
/// Room for <see cref="WhvRegisterValue"/>s at a 16-byte-aligned address, as C's <c>DECLSPEC_ALIGN(16)</c>
/// <c>WHV_REGISTER_VALUE</c> arrays always are (WHP may move them with aligned SSE instructions). A pinned managed
/// array, so there is nothing native to free; .NET only promises 8-byte alignment, so the values start at the first
/// 16-byte boundary inside it.
/// </summary>
internal sealed class WhpRegisterBuffer(int count)
{
    private const int Alignment = 16;

    private readonly byte[] _bytes = GC.AllocateArray<byte>((count * Alignment) + Alignment - 1, pinned: true);

    /// <summary>The first <paramref name="length"/> values, aligned; valid as long as this buffer is reachable.</summary>
    public unsafe Span<WhvRegisterValue> Values(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, count);
        // SAFETY: the array is pinned (allocated on the pinned object heap), so its address never changes; the address
        // is only used to compute how many bytes to skip, and the slice below stays inside the array.
        var skip = (int)((Alignment - ((nuint)Unsafe.AsPointer(ref _bytes[0]) % Alignment)) % Alignment);
        return MemoryMarshal.Cast<byte, WhvRegisterValue>(_bytes.AsSpan(skip, length * Alignment));
    }
}
