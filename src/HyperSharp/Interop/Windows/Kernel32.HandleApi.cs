using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace HyperSharp.Interop.Windows;

/// <summary><c>CloseHandle</c> (<c>handleapi.h</c>).</summary>
[SupportedOSPlatform("windows")]
internal static partial class Kernel32
{
    [LibraryImport("kernel32.dll", EntryPoint = "CloseHandle", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CloseHandle(nint hObject);
}
