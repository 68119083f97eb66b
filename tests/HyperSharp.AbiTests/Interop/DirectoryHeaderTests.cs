using HyperSharp.Interop;
using Xunit;

namespace HyperSharp.AbiTests.Interop;

/// <summary>The flags, modes and errno values the descriptor-relative layout writes mirror equal glibc's, with gcc as the oracle.</summary>
public sealed class DirectoryHeaderTests
{
    [Fact]
    public void OpenatFlagsModesAndErrnoValuesMatchTheHeaders()
    {
        var asserts = new CAssertions("#define _GNU_SOURCE\n#include <fcntl.h>\n#include <errno.h>\n#include <sys/stat.h>");
        asserts.Equal("O_WRONLY", Libc.O_WRONLY);
        asserts.Equal("O_CREAT", Libc.O_CREAT);
        asserts.Equal("O_EXCL", Libc.O_EXCL);
        asserts.Equal("S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH", Libc.NewFileMode);
        asserts.Equal("S_IRWXU | S_IRWXG | S_IRWXO", Libc.NewDirectoryMode);
        asserts.Equal("EEXIST", Libc.EEXIST);
        asserts.Equal("EINTR", Libc.EINTR);
        asserts.CompileOrFail();
    }
}
