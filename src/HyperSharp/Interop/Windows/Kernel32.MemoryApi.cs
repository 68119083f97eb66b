using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace HyperSharp.Interop.Windows;

/// <summary>
/// <c>CreateFileMappingW</c>, <c>MapViewOfFile</c>, <c>UnmapViewOfFile</c>, <c>VirtualAlloc</c>, <c>VirtualFree</c>
/// (<c>memoryapi.h</c>) and their constants, which the mingw-w64 headers check (<c>tests/HyperSharp.AbiTests/Windows</c>).
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class Kernel32
{
    public const uint PAGE_READONLY = 0x02;
    public const uint PAGE_READWRITE = 0x04;
    public const uint PAGE_WRITECOPY = 0x08;
    public const uint FILE_MAP_COPY = 0x0001;
    public const uint FILE_MAP_READ = 0x0004;
    public const uint MEM_COMMIT = 0x00001000;
    public const uint MEM_RESERVE = 0x00002000;
    public const uint MEM_RELEASE = 0x00008000;

    /// <summary>NOTE: failure is a null handle, not <c>INVALID_HANDLE_VALUE</c>; the reason is in <c>GetLastError</c>.</summary>
    [LibraryImport("kernel32.dll", EntryPoint = "CreateFileMappingW", SetLastError = true)]
    public static partial SafeFileMappingHandle CreateFileMappingW(
        SafeHandle hFile, nint lpFileMappingAttributes, uint flProtect, uint dwMaximumSizeHigh, uint dwMaximumSizeLow, nint lpName);

    /// <summary>NOTE: failure is a null address; the reason is in <c>GetLastError</c>.</summary>
    [LibraryImport("kernel32.dll", EntryPoint = "MapViewOfFile", SetLastError = true)]
    public static partial nint MapViewOfFile(
        SafeFileMappingHandle hFileMappingObject, uint dwDesiredAccess, uint dwFileOffsetHigh, uint dwFileOffsetLow, nuint dwNumberOfBytesToMap);

    [LibraryImport("kernel32.dll", EntryPoint = "UnmapViewOfFile", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool UnmapViewOfFile(nint lpBaseAddress);

    /// <summary>NOTE: failure is a null address; the reason is in <c>GetLastError</c>.</summary>
    [LibraryImport("kernel32.dll", EntryPoint = "VirtualAlloc", SetLastError = true)]
    public static partial nint VirtualAlloc(nint lpAddress, nuint dwSize, uint flAllocationType, uint flProtect);

    [LibraryImport("kernel32.dll", EntryPoint = "VirtualFree", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool VirtualFree(nint lpAddress, nuint dwSize, uint dwFreeType);
}
