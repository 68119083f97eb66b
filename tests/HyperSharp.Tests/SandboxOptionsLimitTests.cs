using Xunit;

namespace HyperSharp.Tests;

/// <summary>
/// Guest memory is bounded by the per-region maxima of <see cref="SandboxOptions"/>; anything outside them is refused
/// with an <see cref="ArgumentOutOfRangeException"/> naming the option, before KVM is even opened.
/// </summary>
public sealed class SandboxOptionsLimitTests
{
    private const ulong Page = 4096;

    public static TheoryData<string, SandboxOptions> OutOfRange => new()
    {
        { "HeapSize", new SandboxOptions { HeapSize = 0 } },
        { "HeapSize", new SandboxOptions { HeapSize = SandboxOptions.MinHeapSize - Page } },
        { "HeapSize", new SandboxOptions { HeapSize = SandboxOptions.MaxHeapSize + Page } },
        { "HeapSize", new SandboxOptions { HeapSize = (1 << 20) + 1 } },
        { "StackSize", new SandboxOptions { StackSize = SandboxOptions.MinStackSize - Page } },
        { "StackSize", new SandboxOptions { StackSize = SandboxOptions.MaxStackSize + Page } },
        { "InputBufferSize", new SandboxOptions { InputBufferSize = 0 } },
        { "InputBufferSize", new SandboxOptions { InputBufferSize = SandboxOptions.MaxBufferSize + Page } },
        { "OutputBufferSize", new SandboxOptions { OutputBufferSize = 2048 } },
        { "OutputBufferSize", new SandboxOptions { OutputBufferSize = ulong.MaxValue } },
        { "GuestOutputLogLevel", new SandboxOptions { GuestOutputLogLevel = (Microsoft.Extensions.Logging.LogLevel)42 } },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void EachOptionOutsideItsLimitsIsRefusedBeforeAnythingIsAllocated(string option, SandboxOptions options)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Sandbox.Create(ReadOnlySpan<byte>.Empty, options: options));
        Assert.Equal($"SandboxOptions.{option}", e.ParamName);
    }

    [Fact]
    public void TheLimitsThemselvesAreAccepted()
    {
        new SandboxOptions
        {
            HeapSize = SandboxOptions.MaxHeapSize,
            StackSize = SandboxOptions.MaxStackSize,
            InputBufferSize = SandboxOptions.MaxBufferSize,
            OutputBufferSize = SandboxOptions.MaxBufferSize,
        }.Validate();
        new SandboxOptions
        {
            HeapSize = SandboxOptions.MinHeapSize,
            StackSize = SandboxOptions.MinStackSize,
            InputBufferSize = SandboxOptions.MinBufferSize,
            OutputBufferSize = SandboxOptions.MinBufferSize,
        }.Validate();
    }
}
