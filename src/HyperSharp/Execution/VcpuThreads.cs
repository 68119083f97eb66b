using System.Collections.Concurrent;

namespace HyperSharp.Execution;

/// <summary>
/// The threads HyperSharp owns for running guests on behalf of async callers (<see cref="Sandbox.CallAsync{TResult}(string, GuestValue[], CancellationToken)"/>),
/// so that no thread-pool thread ever blocks in <c>KVM_RUN</c>. A work item goes to an idle thread; with none idle a new
/// one starts (up to <see cref="MaxThreads"/>), so one long guest call never delays another. A thread that finds no
/// work spins briefly (back-to-back calls then cost no wake-up), waits, and ends after a minute idle.
/// </summary>
internal static class VcpuThreads
{
    /// <summary>More guests than this never run at once from async callers; more wait in the queue.</summary>
    public const int MaxThreads = 512;

    private static readonly TimeSpan s_idleLifetime = TimeSpan.FromMinutes(1);
    private static readonly ConcurrentQueue<IWorkItem> s_queue = new();
    private static readonly SemaphoreSlim s_available = new(0);
    private static int s_threads;
    private static int s_idle;

    /// <summary>Work a vCPU thread runs once.</summary>
    public interface IWorkItem
    {
        void Run();
    }

    /// <summary>Queues <paramref name="item"/> and makes sure a thread will take it.</summary>
    public static void Queue(IWorkItem item)
    {
        s_queue.Enqueue(item);
        if (TryClaimIdle())
        {
            // The claimed slot is one waiting thread's: this release wakes exactly one.
            s_available.Release();
            return;
        }

        while (true)
        {
            var threads = Volatile.Read(ref s_threads);
            if (threads >= MaxThreads)
            {
                // Every thread is busy; the first to finish takes the item from the queue.
                return;
            }

            if (Interlocked.CompareExchange(ref s_threads, threads + 1, threads) == threads)
            {
                new Thread(Work) { IsBackground = true, Name = "HyperSharp vCPU" }.Start();
                return;
            }
        }
    }

    /// <summary>
    /// Takes one idle thread off <see cref="s_idle"/>, for a queuer about to wake it, or for an idle thread about to
    /// leave. Each claim is matched by one release or one departure, so no item waits for a thread that left.
    /// </summary>
    private static bool TryClaimIdle()
    {
        while (true)
        {
            var idle = Volatile.Read(ref s_idle);
            if (idle == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref s_idle, idle - 1, idle) == idle)
            {
                return true;
            }
        }
    }

    private static void Work()
    {
        while (true)
        {
            while (s_queue.TryDequeue(out var item))
            {
                item.Run();
            }

            Interlocked.Increment(ref s_idle);
            if (!s_queue.IsEmpty && TryClaimIdle())
            {
                // Queued after the drain but before this thread counted as idle, while no thread could be started.
                continue;
            }

            if (!WaitForWork())
            {
                return;
            }
        }
    }

    /// <summary>Waits idle until woken (true) or, after a minute without work, leaves the pool of threads (false).</summary>
    private static bool WaitForWork()
    {
        while (true)
        {
            // SemaphoreSlim spins a little before it blocks, so a call queued right behind the last one wakes nothing.
            if (s_available.Wait(s_idleLifetime))
            {
                return true;
            }

            if (!TryClaimIdle())
            {
                // A queuer claimed the last idle slot, counting on a thread that is still here: its release is coming.
                continue;
            }

            Interlocked.Decrement(ref s_threads);
            if (s_queue.IsEmpty)
            {
                return false;
            }

            // Items queued while every thread was busy wait for a thread to finish; this one is still here to take them.
            Interlocked.Increment(ref s_threads);
            return true;
        }
    }
}
