using Microsoft.Extensions.Logging;

namespace HyperSharp;

/// <summary>
/// Sizes of a sandbox's guest memory regions, its call time limit and where it logs. Every size is a multiple of 4 KiB within
/// the limits documented on each property; <see cref="Sandbox.Create(string, HostFunctions?, SandboxOptions?)"/>
/// rejects anything else with an <see cref="ArgumentOutOfRangeException"/> naming the option.
/// </summary>
/// <remarks>A record, so a variant is one <c>with</c> expression away: <c>snapshot.Options with { CallTimeout = … }</c>.</remarks>
public sealed record SandboxOptions
{
    /// <summary>The defaults: 1 MiB heap, 128 KiB stack, 64 KiB input and output buffers.</summary>
    public static SandboxOptions Default { get; } = new();

    /// <summary>Bytes of guest heap (<c>malloc</c>). Default 1 MiB; 4 KiB to 4 GiB.</summary>
    public ulong HeapSize { get; init; } = 1UL << 20;

    /// <summary>Bytes of guest stack, below which lies an unmapped guard page. Default 128 KiB; 16 KiB to 256 MiB.</summary>
    public ulong StackSize { get; init; } = 128UL << 10;

    /// <summary>Bytes of the host → guest buffer: call arguments and host-function results. Default 64 KiB; 4 KiB to 256 MiB.</summary>
    public ulong InputBufferSize { get; init; } = 64UL << 10;

    /// <summary>Bytes of the guest → host buffer: results and host-function arguments. Default 64 KiB; 4 KiB to 256 MiB.</summary>
    public ulong OutputBufferSize { get; init; } = 64UL << 10;

    /// <summary>
    /// How long one guest call (or the guest's initialisation) may run before it is stopped with
    /// <see cref="GuestCallCanceledException"/> (<see cref="CallCancellationReason.TimedOut"/>), host-function
    /// time included. Null, the default, for no limit; otherwise 1 ms to 49 days.
    /// </summary>
    public TimeSpan? CallTimeout { get; init; }

    /// <summary>
    /// Where the sandbox logs its lifecycle (<see cref="HyperSharpTelemetry.SandboxLogCategory"/>: creation, disposal,
    /// faults, cancellations, restores) and its guest's output (<see cref="HyperSharpTelemetry.GuestOutputLogCategory"/>).
    /// With a factory, the default <c>HostPrint</c> and <c>HostPrintError</c> log what the guest prints, escaped and cut
    /// to 4096 characters a print, instead of writing it to the console. Null, the default, for no logging.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The level at which guest output is logged when <see cref="LoggerFactory"/> is set. Default <see cref="LogLevel.Debug"/>; <see cref="LogLevel.None"/> discards it.</summary>
    public LogLevel GuestOutputLogLevel { get; init; } = LogLevel.Debug;

    /// <summary>The longest <see cref="CallTimeout"/>: what a <see cref="Timer"/> accepts.</summary>
    public static readonly TimeSpan MaxCallTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>The smallest <see cref="HeapSize"/>.</summary>
    public const ulong MinHeapSize = 4UL << 10;

    /// <summary>The largest <see cref="HeapSize"/>.</summary>
    public const ulong MaxHeapSize = 4UL << 30;

    /// <summary>The smallest <see cref="StackSize"/>.</summary>
    public const ulong MinStackSize = 16UL << 10;

    /// <summary>The largest <see cref="StackSize"/>.</summary>
    public const ulong MaxStackSize = 256UL << 20;

    /// <summary>The smallest <see cref="InputBufferSize"/> and <see cref="OutputBufferSize"/>.</summary>
    public const ulong MinBufferSize = 4UL << 10;

    /// <summary>The largest <see cref="InputBufferSize"/> and <see cref="OutputBufferSize"/>.</summary>
    public const ulong MaxBufferSize = 256UL << 20;

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming the first option that is out of range or not page-aligned,
    /// as creating a sandbox would: for checking options from configuration before anything starts.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        Check(HeapSize, MinHeapSize, MaxHeapSize, nameof(HeapSize));
        Check(StackSize, MinStackSize, MaxStackSize, nameof(StackSize));
        Check(InputBufferSize, MinBufferSize, MaxBufferSize, nameof(InputBufferSize));
        Check(OutputBufferSize, MinBufferSize, MaxBufferSize, nameof(OutputBufferSize));
        if (CallTimeout is { } timeout && (timeout < TimeSpan.FromMilliseconds(1) || timeout > MaxCallTimeout))
        {
            throw new ArgumentOutOfRangeException(
                $"{nameof(SandboxOptions)}.{nameof(CallTimeout)}",
                timeout,
                $"{nameof(SandboxOptions)}.{nameof(CallTimeout)} must be null or between 1 ms and {MaxCallTimeout}.");
        }

        if (!Enum.IsDefined(GuestOutputLogLevel))
        {
            throw new ArgumentOutOfRangeException(
                $"{nameof(SandboxOptions)}.{nameof(GuestOutputLogLevel)}",
                GuestOutputLogLevel,
                $"{nameof(SandboxOptions)}.{nameof(GuestOutputLogLevel)} must be a defined LogLevel.");
        }
    }

    /// <summary>The memory sizes in which these options differ from <paramref name="other"/>: the one comparison of layouts by size.</summary>
    internal IEnumerable<(string Name, ulong Ours, ulong Theirs)> SizeDifferences(SandboxOptions other)
    {
        (string, ulong, ulong)[] sizes =
        [
            (nameof(HeapSize), HeapSize, other.HeapSize),
            (nameof(StackSize), StackSize, other.StackSize),
            (nameof(InputBufferSize), InputBufferSize, other.InputBufferSize),
            (nameof(OutputBufferSize), OutputBufferSize, other.OutputBufferSize),
        ];
        return sizes.Where(s => s.Item2 != s.Item3);
    }

    private static void Check(ulong value, ulong min, ulong max, string name)
    {
        if (value < min || value > max || value % 4096 != 0)
        {
            throw new ArgumentOutOfRangeException(
                $"{nameof(SandboxOptions)}.{name}",
                value,
                $"{nameof(SandboxOptions)}.{name} must be a multiple of 4096 between {min} and {max} bytes.");
        }
    }
}
