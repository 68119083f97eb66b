using System.Runtime.InteropServices;
using HyperSharp.Interop;
using HyperSharp.Interop.Windows;
using HyperSharp.Memory;
using HyperSharp.MemoryProviders;
using HyperSharp.MemoryProviders.Windows;
using Xunit;

namespace HyperSharp.WindowsTests;

/// <summary>
/// Every operation of the Windows memory provider, on real kernel32 (Wine's): fresh memory, images made from memory,
/// read-only and copy-on-write views of them, the remap that keeps the address, and the refusals.
/// </summary>
public sealed class WindowsMemoryProviderTests
{
    private const int PageSize = 4096;
    private const int Pages = 32;

    private static readonly WindowsMemoryProvider s_provider = new();

    [Fact]
    public async Task TheProviderForThisOsIsTheWindowsOne()
    {
        await Task.Yield();
        Assert.IsType<WindowsMemoryProvider>(MemoryProvider.Current);
    }

    [Fact]
    public async Task FreshMemoryIsZeroAndWritable()
    {
        await Task.Yield();
        using var memory = s_provider.AllocateZeroed(Pages * PageSize);
        var span = Span(memory);

        Assert.False(span.ContainsAnyExcept((byte)0));
        span[^1] = 7;
        Assert.Equal(7, Span(memory)[^1]);
    }

    [Fact]
    public async Task AnImageHoldsItsRunsAndZeroElsewhere()
    {
        await Task.Yield();
        var content = Content();
        using var image = CreateImage(content);
        using var view = s_provider.MapReadOnly(image, (ulong)content.Length);

        Assert.True(Span(view).SequenceEqual(content));
    }

    [Fact]
    public async Task CopyOnWriteViewsOfAnImageAreIndependent()
    {
        await Task.Yield();
        var content = Content();
        using var image = CreateImage(content);
        using var first = s_provider.MapCopyOnWrite(image, (ulong)content.Length);
        using var second = s_provider.MapCopyOnWrite(image, (ulong)content.Length);
        using var pristine = s_provider.MapReadOnly(image, (ulong)content.Length);

        Span(first).Fill(0x5A);

        Assert.True(Span(second).SequenceEqual(content));
        Assert.True(Span(pristine).SequenceEqual(content));
    }

    [Fact]
    public async Task NoOtherHandleCanWriteAnImage()
    {
        await Task.Yield();
        using var image = CreateImage(Content());
        var path = FinalPath(image);

        var error = Assert.Throws<IOException>(() => new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete));

        const int ErrorSharingViolation = 32;
        Assert.Equal(ErrorSharingViolation, error.HResult & 0xFFFF);
    }

    [Fact]
    public async Task RemapMakesMemoryReadAsTheImageAtTheSameAddress()
    {
        await Task.Yield();
        var content = Content();
        using var image = CreateImage(content);
        using var memory = s_provider.AllocateZeroed((ulong)content.Length);
        Span(memory).Fill(0xCC);
        var address = memory.Address;

        s_provider.RemapCopyOnWrite(memory, image, (ulong)content.Length);

        Assert.Equal(address, memory.Address);
        Assert.True(Span(memory).SequenceEqual(content));
    }

    [Fact]
    public async Task CaptureRemapAndResetRoundTripThroughGuestMemory()
    {
        await Task.Yield();
        using var memory = GuestMemory.Allocate(Pages * PageSize);
        memory.GetSpan(5 * PageSize, PageSize).Fill(0x11);
        using var image = memory.Capture();
        memory.Remap(image);

        memory.GetSpan(5 * PageSize, 8).Fill(0x99);
        var dirty = new ulong[memory.DirtyBitmapLength];
        dirty[0] = 1UL << 5;
        memory.Reset(dirty);

        // Every page was read (Windows cannot tell which were touched), but only the one holding data was written.
        Assert.Equal(1UL, image.DataPages);
        Assert.False(memory.GetSpan(5 * PageSize, PageSize).ContainsAnyExcept((byte)0x11));
        Assert.False(memory.GetSpan(6 * PageSize, PageSize).ContainsAnyExcept((byte)0));
    }

    [Fact]
    public async Task AViewLargerThanItsFileIsRefused()
    {
        await Task.Yield();
        var content = Content();
        using var image = CreateImage(content);

        var error = Assert.Throws<HypervisorException>(() => s_provider.MapCopyOnWrite(image, (ulong)content.Length * 2));

        Assert.StartsWith("CreateFileMappingW(PAGE_WRITECOPY)", error.Operation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WindowsCannotTellWhichPagesWereTouchedSoCaptureReadsThemAll()
    {
        await Task.Yield();
        var bitmap = new ulong[1];

        Assert.False(s_provider.TryMarkTouchedPages(0, Pages, bitmap));
    }

    /// <summary>Pages 0–3 random, page 7 a pattern, the rest zero: data runs around holes.</summary>
    private static byte[] Content()
    {
        var content = new byte[Pages * PageSize];
        new Random(18).NextBytes(content.AsSpan(0, 4 * PageSize));
        content.AsSpan(7 * PageSize, PageSize).Fill(0x42);
        return content;
    }

    private static unsafe SafeHandle CreateImage(byte[] content)
    {
        // SAFETY: fixed pins content for the call, which reads the runs inside its length.
        fixed (byte* pointer = content)
        {
            return s_provider.CreateImage(pointer, (ulong)content.Length, [(0, 4 * PageSize), (7 * PageSize, 8 * PageSize)]);
        }
    }

    /// <summary>SAFETY: the view maps Length bytes; callers use the span only while the view is alive (their using scope).</summary>
    private static unsafe Span<byte> Span(SafeMappedView view) => new((void*)view.Address, (int)view.Length);

    /// <summary>The image's temporary file, by name, as another program would open it.</summary>
    private static unsafe string FinalPath(SafeHandle image)
    {
        var buffer = new char[1024];
        uint length;
        // SAFETY: fixed pins the buffer, which the call writes at most buffer.Length characters of.
        fixed (char* pointer = buffer)
        {
            length = Kernel32.GetFinalPathNameByHandleW(image, pointer, (uint)buffer.Length, Kernel32.FILE_NAME_NORMALIZED | Kernel32.VOLUME_NAME_DOS);
        }

        Assert.InRange(length, 1u, (uint)buffer.Length - 1);
        return new string(buffer, 0, (int)length);
    }
}
