using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace HyperSharp.Interop.Windows;

/// <summary><c>CreateFileMappingW</c>, <c>MapViewOfFile</c>, <c>UnmapViewOfFile</c> (<c>memoryapi.h</c>).</summary>
[SupportedOSPlatform("windows")]
internal static partial class Kernel32
{
    public const uint PAGE_WRITECOPY = 0x08;

    public const uint FILE_MAP_COPY = 0x0001;

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
}
