using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HyperSharp.Interop;

/// <summary><c>sigaction</c>, <c>tgkill</c>, <c>gettid</c> and the real-time signal range (<c>signal.h</c>, x86-64 glibc).</summary>
internal static partial class Libc
{
    public const int SA_RESTART = 0x10000000;

    /// <summary>The <c>SIG_DFL</c> disposition: a null handler.</summary>
    public const nint SIG_DFL = 0;

    public const int ESRCH = 3;

    /// <summary>Urgent data on a socket; ignored by default, and used by nothing in the .NET runtime.</summary>
    public const int SIGURG = 23;

    /// <summary>The first real-time signal glibc leaves to applications (<c>SIGRTMIN</c> is this function, not a constant).</summary>
    [LibraryImport("libc", EntryPoint = "__libc_current_sigrtmin")]
    public static partial int CurrentSigRtMin();

    [LibraryImport("libc", EntryPoint = "__libc_current_sigrtmax")]
    public static partial int CurrentSigRtMax();

    /// <summary>
    /// glibc's <c>sigaction</c> wrapper, which also installs its own <c>sa_restorer</c>: a handler installed
    /// through it returns to the interrupted code through the kernel's <c>rt_sigreturn</c>.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    public static unsafe partial int SigAction(int signal, SigActionStruct* action, SigActionStruct* oldAction);

    [LibraryImport("libc", EntryPoint = "tgkill", SetLastError = true)]
    public static partial int TgKill(int processId, int threadId, int signal);

    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int GetTid();

    /// <summary>glibc's <c>struct sigaction</c>: handler, a 1024-bit mask, flags, restorer.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 152)]
    internal struct SigActionStruct
    {
        /// <summary><c>sa_handler</c> (a union with <c>sa_sigaction</c>).</summary>
        [FieldOffset(0)]
        public nint Handler;

        /// <summary><c>sa_mask</c>: signals blocked while the handler runs; left empty here.</summary>
        [FieldOffset(8)]
        public SigSet Mask;

        [FieldOffset(136)]
        public int Flags;

        [FieldOffset(144)]
        public nint Restorer;
    }

    /// <summary>glibc's <c>sigset_t</c>: 1024 bits.</summary>
    [InlineArray(16)]
    internal struct SigSet
    {
        private ulong _word;
    }
}
