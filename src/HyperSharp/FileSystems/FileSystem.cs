using HyperSharp.FileSystems.Linux;
using HyperSharp.FileSystems.Windows;

namespace HyperSharp.FileSystems;

/// <summary>The one place that chooses the file system provider for the OS this process runs on.</summary>
internal static class FileSystem
{
    public static IFileSystem Current { get; } = OperatingSystem.IsWindows() ? new WindowsFileSystem() : new LinuxFileSystem();
}
