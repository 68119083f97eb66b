using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.Hypervisors.Kvm;

/// <summary>
/// The real-time signal that kicks a thread out of <c>KVM_RUN</c>. A signal pending on the thread makes KVM
/// return <c>EINTR</c> (from guest mode within microseconds, via the IPI the signal sends), and KVM_RUN is never
/// restarted. The signal's handler is a single <c>ret</c> instruction in a page of its own: it runs no managed
/// code, so it is safe at any instruction of any thread, and <c>SA_RESTART</c> restarts the other system calls
/// it may interrupt.
/// </summary>
/// <remarks>
/// The .NET runtime uses <c>SIGRTMIN</c> to suspend threads; this signal is <c>SIGRTMIN + 6</c>, chosen to keep
/// clear of it and of the low real-time signals other libraries tend to take. It is installed once per process,
/// and only over the default disposition: if something else already handles the signal, that is an error, not
/// something to overwrite.
/// </remarks>
internal static unsafe class VcpuKickSignal
{
    private const int OffsetFromSigRtMin = 6;

    private static readonly Lazy<int> s_signal = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The signal number, installing the handler on first use.</summary>
    /// <exception cref="HypervisorException">The signal is taken, or installing the handler failed.</exception>
    public static int Number => s_signal.Value;

    /// <summary>Sends <paramref name="signal"/> (<see cref="Number"/>) to thread <paramref name="threadId"/> of this process; false if that thread no longer exists.</summary>
    public static bool Send(int threadId, int signal)
    {
        if (Libc.TgKill(Environment.ProcessId, threadId, signal) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Libc.ESRCH ? false : throw new HypervisorException("tgkill", errno);
    }

    private static int Install()
    {
        var signal = Libc.CurrentSigRtMin() + OffsetFromSigRtMin;
        if (signal > Libc.CurrentSigRtMax())
        {
            throw new HypervisorException($"choosing the vCPU kick signal (SIGRTMIN + {OffsetFromSigRtMin} is past SIGRTMAX)", Libc.EINVAL);
        }

        var handler = MapReturnInstruction();
        var action = new Libc.SigActionStruct { Handler = handler, Flags = Libc.SA_RESTART };
        Libc.SigActionStruct previous;
        // SAFETY: both structs are locals (never move) of glibc's struct sigaction size (checked by an ABI test).
        if (Libc.SigAction(signal, null, &previous) != 0)
        {
            throw new HypervisorException("sigaction (read)", Marshal.GetLastPInvokeError());
        }

        if (previous.Handler != Libc.SIG_DFL)
        {
            throw new HypervisorException($"installing the vCPU kick signal: signal {signal} already has a handler", Libc.EEXIST);
        }

        // SAFETY: as above; `handler` is an executable page holding `ret`, which lives as long as the process.
        if (Libc.SigAction(signal, &action, null) != 0)
        {
            throw new HypervisorException("sigaction (install)", Marshal.GetLastPInvokeError());
        }

        return signal;
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
