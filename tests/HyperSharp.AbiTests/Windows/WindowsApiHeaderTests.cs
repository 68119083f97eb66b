using HyperSharp.Interop.Windows;
using Xunit;

namespace HyperSharp.AbiTests.Windows;

/// <summary>
/// The kernel32 constants and structs the Windows memory provider and file system mirror equal the Windows SDK's
/// (<c>memoryapi.h</c>, <c>fileapi.h</c>, <c>winbase.h</c>, <c>winnt.h</c>, <c>winerror.h</c>), with mingw-w64 as the oracle.
/// </summary>
public sealed class WindowsApiHeaderTests
{
    [Fact]
    public void Kernel32ConstantsAndStructsMatchTheHeaders()
    {
        var asserts = new CAssertions("#include <windows.h>", windows: true);
        asserts.ConstantsOf(typeof(Kernel32));
        asserts.Struct<FileTime>("FILETIME", ("LowDateTime", "dwLowDateTime"), ("HighDateTime", "dwHighDateTime"));
        asserts.Struct<ByHandleFileInformation>("BY_HANDLE_FILE_INFORMATION",
            ("FileAttributes", "dwFileAttributes"), ("CreationTime", "ftCreationTime"), ("LastAccessTime", "ftLastAccessTime"),
            ("LastWriteTime", "ftLastWriteTime"), ("VolumeSerialNumber", "dwVolumeSerialNumber"), ("FileSizeHigh", "nFileSizeHigh"),
            ("FileSizeLow", "nFileSizeLow"), ("NumberOfLinks", "nNumberOfLinks"), ("FileIndexHigh", "nFileIndexHigh"), ("FileIndexLow", "nFileIndexLow"));
        asserts.CompileOrFail();
    }
}
