using HyperSharp.Interop;
using Xunit;

namespace HyperSharp.AbiTests.Memory;

/// <summary>The part of <c>struct stat</c> and the open flags the snapshot loader mirrors equal glibc's, with gcc as the oracle.</summary>
public sealed class StatHeaderTests
{
    [Fact]
    public void StatOffsetsFileTypeBitsAndOpenFlagsMatchTheHeaders()
    {
        var asserts = new CAssertions("#define _GNU_SOURCE\n#include <sys/stat.h>\n#include <fcntl.h>\n#include <errno.h>");
        asserts.Struct<Libc.Stat>("struct stat", ("StMode", "st_mode"), ("StSize", "st_size"));
        asserts.Equal("S_IFMT", Libc.S_IFMT);
        asserts.Equal("S_IFREG", Libc.S_IFREG);
        asserts.Equal("S_IFDIR", Libc.S_IFDIR);
        asserts.Equal("S_IFIFO", Libc.S_IFIFO);
        asserts.Equal("S_IFCHR", Libc.S_IFCHR);
        asserts.Equal("S_IFBLK", Libc.S_IFBLK);
        asserts.Equal("S_IFSOCK", Libc.S_IFSOCK);
        asserts.Equal("O_NONBLOCK", Libc.O_NONBLOCK);
        asserts.Equal("O_DIRECTORY", Libc.O_DIRECTORY);
        asserts.Equal("O_NOFOLLOW", Libc.O_NOFOLLOW);
        asserts.Equal("O_CLOEXEC", Libc.O_CLOEXEC);
        asserts.Equal("ELOOP", Libc.ELOOP);
        asserts.Equal("ENOTDIR", Libc.ENOTDIR);
        asserts.Equal("ENOENT", Libc.ENOENT);
        asserts.CompileOrFail();
    }
}
