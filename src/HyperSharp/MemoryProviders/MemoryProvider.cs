using HyperSharp.MemoryProviders.Linux;
using HyperSharp.MemoryProviders.Windows;

namespace HyperSharp.MemoryProviders;

/// <summary>The one place that chooses the memory provider for the OS this process runs on.</summary>
internal static class MemoryProvider
{
    public static IMemoryProvider Current { get; } = OperatingSystem.IsWindows() ? new WindowsMemoryProvider() : new LinuxMemoryProvider();
}
