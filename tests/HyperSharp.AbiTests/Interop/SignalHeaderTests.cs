using HyperSharp.Interop;
using Xunit;

namespace HyperSharp.AbiTests.Interop;

/// <summary>The <c>struct sigaction</c>, signal flags and errno values the vCPU kick signal mirrors equal glibc's, with gcc as the oracle.</summary>
public sealed class SignalHeaderTests
{
    [Fact]
    public void SigactionLayoutAndSignalConstantsMatchTheHeaders()
    {
        var asserts = new CAssertions("#define _GNU_SOURCE\n#include <signal.h>\n#include <errno.h>\n#include <sys/mman.h>");
        asserts.Struct<Libc.SigActionStruct>("struct sigaction",
            ("Handler", "sa_handler"), ("Mask", "sa_mask"), ("Flags", "sa_flags"), ("Restorer", "sa_restorer"));
        asserts.Equal("sizeof(sigset_t)", System.Runtime.CompilerServices.Unsafe.SizeOf<Libc.SigSet>());
        asserts.Equal("SA_RESTART", Libc.SA_RESTART);
        asserts.Equal("(long)SIG_DFL", Libc.SIG_DFL);
        asserts.Equal("ESRCH", Libc.ESRCH);
        asserts.Equal("EAGAIN", Libc.EAGAIN);
        asserts.Equal("SIGURG", Libc.SIGURG);
        asserts.Equal("PROT_EXEC", Libc.PROT_EXEC);
        asserts.CompileOrFail();
    }
}
