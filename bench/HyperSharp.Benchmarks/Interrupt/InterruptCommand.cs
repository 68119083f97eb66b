using System.Diagnostics;
using System.Globalization;
using HyperSharp.Benchmarks.Compare;

namespace HyperSharp.Benchmarks.Interrupt;

/// <summary>
/// <c>interrupt [--count n]</c>: interrupt latency, from <see cref="InterruptHandle.Kill"/> (or a token's
/// <c>Cancel</c>) on one thread to the spinning guest call returning on another. Before each kill the guest
/// has been spinning for about a millisecond, so the signal finds the thread inside <c>KVM_RUN</c>. Prints
/// median, p90 and p99 for both, and restores the sandbox after every sample (not timed).
/// </summary>
internal static class InterruptCommand
{
    private const string Usage = "usage: interrupt [--count n]";

    public static int Run(string[] args)
    {
        var count = 1000;
        if (args.Length == 2 && args[0] == "--count" && int.TryParse(args[1], CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            count = n;
        }
        else if (args.Length != 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        using var sandbox = Sandbox.Create(BenchFiles.SimpleGuest);
        using var clean = sandbox.Snapshot();
        var kill = Measure(sandbox, count, _ => sandbox.InterruptHandle.Kill());
        var token = Measure(sandbox, count, source =>
        {
            source.Cancel();
            return true;
        });

        Console.WriteLine($"Interrupt latency: stop request → Call returns on the calling thread ({count} samples each)");
        Console.WriteLine();
        Console.WriteLine("| Stopped by | median | p90 | p99 |");
        Console.WriteLine("|---|---:|---:|---:|");
        Print("InterruptHandle.Kill()", kill);
        Print("CancellationTokenSource.Cancel()", token);
        return 0;
    }

    /// <summary>One worker thread spins the guest; this thread stops it and times the stop.</summary>
    private static Samples Measure(Sandbox sandbox, int count, Func<CancellationTokenSource, bool> stop)
    {
        var samples = new Samples();
        using var go = new SemaphoreSlim(0);
        using var returned = new SemaphoreSlim(0);
        var source = new CancellationTokenSource();
        long returnedAt = 0;
        var worker = new Thread(() =>
        {
            for (var i = 0; i < count; i++)
            {
                go.Wait();
                try
                {
                    sandbox.Call("Spin", source.Token);
                }
                catch (GuestCallCanceledException)
                {
                    returnedAt = Stopwatch.GetTimestamp();
                }

                returned.Release();
            }
        });
        worker.Start();
        for (var i = 0; i < count; i++)
        {
            go.Release();
            Thread.Sleep(1);
            long requestedAt;
            do
            {
                requestedAt = Stopwatch.GetTimestamp();
            }
            while (!stop(source));

            returned.Wait();
            samples.Add(Stopwatch.GetElapsedTime(requestedAt, Volatile.Read(ref returnedAt)).TotalNanoseconds);
            sandbox.Restore();
            if (source.IsCancellationRequested)
            {
                source.Dispose();
                source = new CancellationTokenSource();
            }
        }

        worker.Join();
        source.Dispose();
        return samples;
    }

    private static void Print(string what, Samples samples) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {what} | {samples.Median / 1000:F1} µs | {samples.P90 / 1000:F1} µs | {samples.Percentile(0.99) / 1000:F1} µs |"));
}
