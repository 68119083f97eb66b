using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.Hypervisors.Kvm;

/// <summary>
/// The signals that kick a thread out of <c>KVM_RUN</c>. A signal pending on the thread makes KVM return
/// <c>EINTR</c> (from guest mode within microseconds, via the IPI the signal sends), and KVM_RUN is never
/// restarted. Each signal's handler is a single <c>ret</c> instruction in a page of its own: it runs no managed
/// code, so it is safe at any instruction of any thread, and <c>SA_RESTART</c> restarts the other system calls
/// it may interrupt.
/// </summary>
/// <remarks>
/// <para>
/// The kick is <c>SIGRTMIN + 6</c>: the .NET runtime uses <c>SIGRTMIN</c> to suspend threads, and the low real-time
/// signals are the ones other libraries tend to take. A real-time signal sent with <c>tgkill</c> needs a queue
/// entry, though, and the kernel refuses it (<c>EAGAIN</c>) when the user's pending signals reach
/// <c>RLIMIT_SIGPENDING</c>, which another process of the same user can bring about. The fallback is
/// <c>SIGURG</c>: a standard signal is never refused for lack of queue space (the kernel marks it pending without
/// an entry), and its default action is to ignore it, so an unexpected one is harmless.
/// </para>
/// <para>
/// Both are installed once per process, and only over the default disposition: if something else already
/// handles the kick, that is an error; if something else handles <c>SIGURG</c>, there is no fallback and a refused
/// kick is retried (<see cref="InterruptHandle"/>).
/// </para>
/// </remarks>
internal static unsafe class VcpuKickSignal
{
    private const int OffsetFromSigRtMin = 6;

    private static readonly Lazy<(int Signal, bool Fallback)> s_signals = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The kick signal, installing the handlers on first use.</summary>
    /// <exception cref="HypervisorException">The signal is taken, or installing the handler failed.</exception>
    public static int Number => s_signals.Value.Signal;

    /// <summary>
    /// Sends <paramref name="signal"/> (<see cref="Number"/>) to thread <paramref name="threadId"/> of this process, or
    /// the fallback signal if the kernel refuses it for lack of queue space. Never throws: false means no signal could
    /// be sent now (retry later); true means one was sent, or the thread no longer exists.
    /// </summary>
    public static bool TrySend(int threadId, int signal)
    {
        if (Send(threadId, signal) is { } sent)
        {
            return sent;
        }

        return s_signals.Value.Fallback && Send(threadId, Libc.SIGURG) == true;
    }

    /// <summary>True if sent or the thread is gone, null if refused for lack of queue space, false on any other error.</summary>
    private static bool? Send(int threadId, int signal)
    {
        if (Libc.TgKill(Environment.ProcessId, threadId, signal) == 0)
        {
            return true;
        }

        return Marshal.GetLastPInvokeError() switch
        {
            Libc.ESRCH => true,
            Libc.EAGAIN => null,
            _ => false,
        };
    }

    private static (int, bool) Install()
    {
        var signal = Libc.CurrentSigRtMin() + OffsetFromSigRtMin;
        if (signal > Libc.CurrentSigRtMax())
        {
            throw new HypervisorException($"choosing the vCPU kick signal (SIGRTMIN + {OffsetFromSigRtMin} is past SIGRTMAX)", Libc.EINVAL);
        }

        var handler = MapReturnInstruction();
        if (!TryInstall(signal, handler))
        {
            throw new HypervisorException($"installing the vCPU kick signal: signal {signal} already has a handler", Libc.EEXIST);
        }

        return (signal, TryInstall(Libc.SIGURG, handler));
    }

    /// <summary>Installs <paramref name="handler"/> for <paramref name="signal"/>; false if another disposition is already set.</summary>
    private static bool TryInstall(int signal, nint handler)
    {
        var action = new Libc.SigActionStruct { Handler = handler, Flags = Libc.SA_RESTART };
        Libc.SigActionStruct previous;
        // SAFETY: both structs are locals (never move) of glibc's struct sigaction size (checked by an ABI test).
        if (Libc.SigAction(signal, null, &previous) != 0)
        {
            throw new HypervisorException("sigaction (read)", Marshal.GetLastPInvokeError());
        }

        if (previous.Handler != Libc.SIG_DFL)
        {
            return false;
        }

        // SAFETY: as above; `handler` is an executable page holding `ret`, which lives as long as the process.
        if (Libc.SigAction(signal, &action, null) != 0)
        {
            throw new HypervisorException("sigaction (install)", Marshal.GetLastPInvokeError());
        }

        return true;
    }

    /// <summary>
    /// Maps a page holding one x86-64 <c>ret</c>, then makes it read-and-execute only. It is never unmapped:
    /// the handler must stay valid for as long as the signal may arrive, which is the life of the process.
    /// </summary>
    private static nint MapReturnInstruction()
    {
        const nuint pageSize = 4096;
        const byte ret = 0xC3;
        var page = Libc.MMap(0, pageSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        if (page == Libc.MAP_FAILED)
        {
            throw new HypervisorException("mmap (kick signal handler)", Marshal.GetLastPInvokeError());
        }

        // SAFETY: `page` is a fresh, private, writable mapping of pageSize bytes; one byte is written at its start.
        *(byte*)page = ret;
        if (Libc.MProtect(page, pageSize, Libc.PROT_READ | Libc.PROT_EXEC) != 0)
        {
            throw new HypervisorException("mprotect (kick signal handler)", Marshal.GetLastPInvokeError());
        }

        return page;
    }
}
