using Xunit;

namespace HyperSharp.IntegrationTests.Control;

/// <summary>
/// Twenty sandboxes on ten threads, killed and cancelled at random from other threads over thousands of calls:
/// every targeted infinite loop stops, and no call that was never targeted reports cancellation.
/// </summary>
public sealed class CancellationStressTests
{
    private const int Workers = 10;
    private const int RoundsPerWorker = 150;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [KvmFact]
    public void RandomKillsAndCancellationsStopExactlyTheTargetedCalls()
    {
        // Each worker thread owns a pair: `target` only ever runs Spin and is killed or cancelled; `bystander`
        // runs on the same thread between the target's calls (so stray kick signals land in its KVM_RUN) and
        // is never targeted.
        var targets = new Sandbox[Workers];
        var bystanders = new Sandbox[Workers];
        var snapshots = new Snapshot[Workers];
        try
        {
            for (var i = 0; i < Workers; i++)
            {
                targets[i] = Sandbox.Create(Guests.SimpleGuest);
                snapshots[i] = targets[i].Snapshot();
                bystanders[i] = Sandbox.Create(Guests.SimpleGuest);
            }

            var stopped = 0;
            var bystanderCalls = 0;
            var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
            using var done = new CancellationTokenSource();

            var killers = Enumerable.Range(0, 2).Select(seed => new Thread(() =>
            {
                var random = new Random(seed);
                while (!done.IsCancellationRequested)
                {
                    targets[random.Next(Workers)].InterruptHandle.Kill();
                    Thread.SpinWait(random.Next(2000));
                }
            })).ToArray();

            var workers = Enumerable.Range(0, Workers).Select(index => new Thread(() =>
            {
                var random = new Random(100 + index);
                var target = targets[index];
                var bystander = bystanders[index];
                using var never = new CancellationTokenSource();
                for (var round = 0; round < RoundsPerWorker && !done.IsCancellationRequested; round++)
                {
                    // Half the spins are stopped by the killers, half by their own token.
                    using var token = new CancellationTokenSource();
                    if (random.Next(2) == 0)
                    {
                        token.CancelAfter(random.Next(1, 5));
                    }

                    try
                    {
                        target.Call("Spin", token.Token);
                        failures.Enqueue($"worker {index}: Spin returned");
                    }
                    catch (GuestCallCanceledException)
                    {
                        Interlocked.Increment(ref stopped);
                    }

                    target.Restore();

                    var text = $"{index}/{round}";
                    try
                    {
                        if (bystander.Call<string>("Echo", never.Token, text) != text)
                        {
                            failures.Enqueue($"worker {index}: wrong echo");
                        }

                        Interlocked.Increment(ref bystanderCalls);
                    }
                    catch (Exception e)
                    {
                        failures.Enqueue($"worker {index}: untargeted call failed: {e.GetType().Name}: {e.Message}");
                    }
                }
            })).ToArray();

            foreach (var thread in killers.Concat(workers))
            {
                thread.Start();
            }

            var allJoined = workers.All(w => w.Join(Deadline));
            done.Cancel();
            foreach (var killer in killers)
            {
                killer.Join();
            }

            Assert.True(allJoined, "a targeted infinite loop was never stopped");
            Assert.Empty(failures);
            Assert.Equal(Workers * RoundsPerWorker, stopped);
            Assert.Equal(Workers * RoundsPerWorker, bystanderCalls);
        }
        finally
        {
            foreach (var disposable in targets.Concat(bystanders).Concat<IDisposable?>(snapshots))
            {
                disposable?.Dispose();
            }
        }
    }
}
