using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace HyperSharp.Interop.Windows;

/// <summary>
/// <c>CreateFileW</c>, <c>GetFileInformationByHandle</c>, <c>GetFileType</c>, <c>GetFinalPathNameByHandleW</c>,
/// <c>CreateDirectoryW</c>, <c>MoveFileExW</c> (<c>fileapi.h</c>, <c>winbase.h</c>) and their constants, which the
/// mingw-w64 headers check (<c>tests/HyperSharp.AbiTests/Windows</c>).
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class Kernel32
{
    public const uint GENERIC_READ = 0x80000000;
    public const uint GENERIC_WRITE = 0x40000000;
    public const uint DELETE = 0x00010000;
    public const uint FILE_SHARE_READ = 0x1;
    public const uint FILE_SHARE_WRITE = 0x2;
    public const uint FILE_SHARE_DELETE = 0x4;
    public const uint CREATE_NEW = 1;
    public const uint CREATE_ALWAYS = 2;
    public const uint OPEN_EXISTING = 3;
    public const uint FILE_ATTRIBUTE_DIRECTORY = 0x10;
    public const uint FILE_ATTRIBUTE_NORMAL = 0x80;
    public const uint FILE_ATTRIBUTE_TEMPORARY = 0x100;
    public const uint FILE_ATTRIBUTE_REPARSE_POINT = 0x400;
    public const uint FILE_FLAG_DELETE_ON_CLOSE = 0x04000000;
    public const uint FILE_FLAG_BACKUP_SEMANTICS = 0x02000000;
    public const uint FILE_FLAG_OPEN_REPARSE_POINT = 0x00200000;
    public const uint FILE_TYPE_DISK = 0x0001;
    public const uint FILE_TYPE_CHAR = 0x0002;
    public const uint FILE_TYPE_PIPE = 0x0003;
    public const uint FILE_NAME_NORMALIZED = 0x0;
    public const uint VOLUME_NAME_DOS = 0x0;
    public const uint MOVEFILE_REPLACE_EXISTING = 0x1;
    public const uint MOVEFILE_WRITE_THROUGH = 0x8;
    public const int ERROR_FILE_NOT_FOUND = 2;
    public const int ERROR_PATH_NOT_FOUND = 3;
    public const int ERROR_NOT_ENOUGH_MEMORY = 8;
    public const int ERROR_INVALID_NAME = 123;
    public const int ERROR_ALREADY_EXISTS = 183;

    /// <summary>NOTE: failure is an invalid handle (<c>INVALID_HANDLE_VALUE</c>); the reason is in <c>GetLastError</c>.</summary>
    [LibraryImport("kernel32.dll", EntryPoint = "CreateFileW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    public static partial SafeFileHandle CreateFileW(
        string lpFileName, uint dwDesiredAccess, uint dwShareMode, nint lpSecurityAttributes, uint dwCreationDisposition, uint dwFlagsAndAttributes, nint hTemplateFile);

    [LibraryImport("kernel32.dll", EntryPoint = "GetFileInformationByHandle", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool GetFileInformationByHandle(SafeHandle hFile, out ByHandleFileInformation lpFileInformation);

    /// <summary>NOTE: <c>FILE_TYPE_UNKNOWN</c> (0) is also what a failure returns; then <c>GetLastError</c> is not 0.</summary>
    [LibraryImport("kernel32.dll", EntryPoint = "GetFileType", SetLastError = true)]
    public static partial uint GetFileType(SafeHandle hFile);

    /// <summary>Returns the characters written, or the buffer size needed (with the terminator) when it is too small, or 0 on failure.</summary>
    [LibraryImport("kernel32.dll", EntryPoint = "GetFinalPathNameByHandleW", SetLastError = true)]
    public static unsafe partial uint GetFinalPathNameByHandleW(SafeHandle hFile, char* lpszFilePath, uint cchFilePath, uint dwFlags);

    [LibraryImport("kernel32.dll", EntryPoint = "CreateDirectoryW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CreateDirectoryW(string lpPathName, nint lpSecurityAttributes);

    [LibraryImport("kernel32.dll", EntryPoint = "MoveFileExW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool MoveFileExW(string lpExistingFileName, string lpNewFileName, uint dwFlags);
}

/// <summary><c>FILETIME</c>: 100 ns intervals since 1601, as two 32-bit halves (so the struct is 4-byte aligned, as in C).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FileTime
{
    public uint LowDateTime, HighDateTime;
}

/// <summary><c>BY_HANDLE_FILE_INFORMATION</c> (<c>fileapi.h</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ByHandleFileInformation
{
    public uint FileAttributes;
    public FileTime CreationTime, LastAccessTime, LastWriteTime;
    public uint VolumeSerialNumber;
    public uint FileSizeHigh, FileSizeLow;
    public uint NumberOfLinks;
    public uint FileIndexHigh, FileIndexLow;

    /// <summary>The file's size, from its two halves.</summary>
    public readonly long FileSize => (long)(((ulong)FileSizeHigh << 32) | FileSizeLow);
}
