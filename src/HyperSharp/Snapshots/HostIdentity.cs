using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace HyperSharp.Snapshots;

/// <summary>What a snapshot file must have been saved on to be loaded here: format version, architecture, hypervisor, CPU vendor.</summary>
internal static class HostIdentity
{
    /// <summary>The snapshot format version this library writes and the only one it reads (docs/snapshot-format.md, "Versioning").</summary>
    public const int FormatVersion = 1;

    /// <summary>The hypervisor backend in use (<see cref="Hypervisors.IHypervisorBackend.Name"/>).</summary>
    public static string Hypervisor => Hypervisors.HypervisorBackend.Current.Name;

    /// <summary><c>x86_64</c>, <c>aarch64</c>, or the runtime's name for any other architecture.</summary>
    public static string Architecture { get; } = RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "x86_64",
        System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The CPUID leaf 0 vendor string (EBX, EDX, ECX), e.g. <c>GenuineIntel</c>; <c>unknown</c> off x86.</summary>
    public static string CpuVendor { get; } = ReadCpuVendor();

    /// <summary>The library's informational version, recorded for people, never checked.</summary>
    public static string LibraryVersion { get; } =
        typeof(HostIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static string ReadCpuVendor()
    {
        if (!X86Base.IsSupported)
        {
            return "unknown";
        }

        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<byte> vendor = stackalloc byte[12];
        BitConverter.TryWriteBytes(vendor, ebx);
        BitConverter.TryWriteBytes(vendor[4..], edx);
        BitConverter.TryWriteBytes(vendor[8..], ecx);
        return Encoding.ASCII.GetString(vendor);
    }
}
