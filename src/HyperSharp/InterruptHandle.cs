using System.Diagnostics;
using HyperSharp.Hypervisors;

namespace HyperSharp;

/// <summary>
/// Stops a sandbox's running guest call from another thread. The one member of a sandbox that is safe to use
/// from any thread at any time, including after the sandbox is disposed.
/// </summary>
/// <remarks>
/// A kill applies to the call running at that moment only: one issued between calls is ignored, so it never
/// cancels a later call. The stopped call throws <see cref="GuestCallCanceledException"/>. A host function
/// running at that moment finishes; the guest is stopped before it resumes.
/// </remarks>
public sealed class InterruptHandle
{
    private readonly Lock _lock = new();
    private readonly IVirtualMachine _vm;
    private bool _running;
    private long _deadline;
    private CancellationToken _token;
    private CallCancellationReason? _requested;

    /// <summary>A stop was requested but the operating system refused the kick; the timer retries it.</summary>
    private bool _kickOwed;
    private Timer? _timer;

    /// <summary>How soon a refused kick is tried again: long enough for the kernel's signal queue to drain a little.</summary>
    private static readonly TimeSpan s_kickRetryDelay = TimeSpan.FromMilliseconds(1);

    internal InterruptHandle(IVirtualMachine vm) => _vm = vm;

    /// <summary>Stops the guest call running now, if there is one.</summary>
    /// <returns>
    /// True if a call was running: it has been told to stop and ends with <see cref="GuestCallCanceledException"/>,
    /// unless the guest finished in the microseconds the signal took to arrive. False if no call was running.
    /// </returns>
    public bool Kill() => Interrupt(CallCancellationReason.Killed);

    /// <summary>The reason the running call was asked to stop, or null if it was not.</summary>
    internal CallCancellationReason? Requested
    {
        get
        {
            lock (_lock)
            {
                return _requested;
            }
        }
    }

    /// <summary>The running call's token, for the exception that reports its cancellation.</summary>
    internal CancellationToken Token => _token;

    /// <summary>Starts a call on the calling thread: from now until <see cref="EndCall"/>, kills target it.</summary>
    /// <param name="timeout">The call's time limit, or null.</param>
    /// <param name="token">The call's token, reported in <see cref="GuestCallCanceledException"/>.</param>
    internal void BeginCall(TimeSpan? timeout, CancellationToken token)
    {
        lock (_lock)
        {
            _vm.PrepareToRun();
            _token = token;
            _requested = null;
            _kickOwed = false;
            _running = true;
            if (timeout is { } limit)
            {
                _deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
                Timer.Change(limit, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _deadline = long.MaxValue;
            }
        }
    }

    /// <summary>Ends the call: later kills find nothing to stop until the next <see cref="BeginCall"/>.</summary>
    internal void EndCall()
    {
        lock (_lock)
        {
            _running = false;
            _token = default;
            if (_deadline != long.MaxValue || _kickOwed)
            {
                _timer?.Change(Timeout.Infinite, Timeout.Infinite);
            }

            _kickOwed = false;
        }
    }

    /// <summary>Releases the timeout timer; called once the sandbox is released and no call can begin.</summary>
    internal void Release()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>Stops the running call for <paramref name="reason"/>; false if none is running.</summary>
    internal bool Interrupt(CallCancellationReason reason)
    {
        lock (_lock)
        {
            if (!_running)
            {
                return false;
            }

            if (_requested is null)
            {
                _requested = reason;
                Kick();
            }

            return true;
        }
    }

    /// <summary>The timer that enforces the timeout and retries refused kicks, made on first use; only touched under the lock.</summary>
    private Timer Timer => _timer ??= new Timer(static handle => ((InterruptHandle)handle!).OnTimer(), this, Timeout.Infinite, Timeout.Infinite);

    /// <summary>Tells the VM to stop; if the operating system refuses the kick now, the timer tries again until the call ends.</summary>
    private void Kick()
    {
        _kickOwed = !_vm.Interrupt();
        if (_kickOwed)
        {
            Timer.Change(s_kickRetryDelay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// The timer's callback: retries a refused kick, stops the running call if it is past its deadline, or re-arms the
    /// timer if it fired early. A callback that runs late, after its call ended, finds no call or one within its own
    /// deadline. The timer is only ever changed under the lock, so arming for one call never undoes another. It never
    /// throws: an exception on a timer thread would end the process.
    /// </summary>
    private void OnTimer()
    {
        lock (_lock)
        {
            if (!_running || _timer is null)
            {
                return;
            }

            if (_requested is not null)
            {
                if (_kickOwed)
                {
                    Kick();
                }

                return;
            }

            var remaining = _deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                _requested = CallCancellationReason.TimedOut;
                Kick();
            }
            else
            {
                _timer.Change(Stopwatch.GetElapsedTime(0, remaining), Timeout.InfiniteTimeSpan);
            }
        }
    }
}
