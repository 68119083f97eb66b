using System.Diagnostics;
using HyperSharp.Memory;

namespace HyperSharp.Execution;

/// <summary>
/// Gives the guest the time before init and before every call (docs/guest-abi.md §5), so that reading the
/// clock inside the guest costs no exit: the guest extrapolates from these values with RDTSC and the vCPU's
/// TSC frequency, read once per VM. The values come from the host's clocks at each call, so time moves on
/// across <c>Restore()</c>: a restored guest never sees its snapshot's clock.
/// </summary>
internal sealed class GuestClock(GuestMemory memory, ulong tscKhz)
{
    private const long NanosecondsPerSecond = 1_000_000_000;

    /// <summary>Writes the current wall-clock and monotonic time into the PEB. Allocation-free.</summary>
    public void Update() => ParameterBlock.WriteClock(memory, RealtimeNanoseconds(), MonotonicNanoseconds(), tscKhz);

    private static long RealtimeNanoseconds() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * (NanosecondsPerSecond / TimeSpan.TicksPerSecond);

    /// <summary>The monotonic Stopwatch timestamp in nanoseconds, split so the product cannot overflow.</summary>
    private static ulong MonotonicNanoseconds()
    {
        var ticks = (ulong)Stopwatch.GetTimestamp();
        var frequency = (ulong)Stopwatch.Frequency;
        return (ticks / frequency * NanosecondsPerSecond) + (ticks % frequency * NanosecondsPerSecond / frequency);
    }
}
