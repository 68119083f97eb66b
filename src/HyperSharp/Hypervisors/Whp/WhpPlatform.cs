using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Versioning;

namespace HyperSharp.Hypervisors.Whp;

/// <summary>
/// The Windows Hypervisor Platform on this machine (the counterpart of <see cref="Kvm.KvmDevice"/>): whether it is there
/// and usable, and the facts every VM shares, read once per process. Usable means <c>WinHvPlatform.dll</c> loads (the
/// "Windows Hypervisor Platform" optional feature is on), <c>WHvGetCapability</c> reports a hypervisor present, and its
/// features include dirty-page tracking (restores copy back only the pages the guest wrote) and XSAVE state.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed unsafe class WhpPlatform
{
    /// <summary>Room for any XSAVE area: <see cref="Snapshots.Config.SnapshotConfigValidator.MaxXsaveSize"/>.</summary>
    private const int MaxXsaveSize = Snapshots.Config.SnapshotConfigValidator.MaxXsaveSize;

    /// <summary>CPUID leaf 0xD subleaf 0: EDX:EAX is the XCR0 bits the processor supports.</summary>
    private const uint XsaveLeaf = 0xD;

    private static readonly Lazy<(WhpPlatform? Platform, string? Problem)> s_shared = new(Open);

    private WhpPlatform(ulong tscKhz, int xsaveSize, ulong supportedXcr0)
    {
        TscKhz = tscKhz;
        XsaveSize = xsaveSize;
        SupportedXcr0 = supportedXcr0;
    }

    /// <summary>The processor clock WHP reports (<c>WHvCapabilityCodeProcessorClockFrequency</c>), in kHz: the guest's TSC rate.</summary>
    public ulong TscKhz { get; }

    /// <summary>Bytes of a virtual processor's XSAVE state as <c>WHvGetVirtualProcessorXsaveState</c> returns it.</summary>
    public int XsaveSize { get; }

    /// <summary>The XCR0 bits this host's processor supports (CPUID leaf 0xD): a partition offers no more.</summary>
    public ulong SupportedXcr0 { get; }

    /// <summary>The process-wide platform, examined on first use.</summary>
    /// <exception cref="HypervisorUnavailableException">WHP cannot be used here; the message says why.</exception>
    public static WhpPlatform Shared => s_shared.Value.Platform ?? throw new HypervisorUnavailableException(s_shared.Value.Problem!);

    /// <summary>Why WHP cannot be used, or null when it can.</summary>
    public static string? UnavailableReason => s_shared.Value.Problem;

    private static (WhpPlatform?, string?) Open()
    {
        // The DLL is missing unless the optional feature is on (and always under Wine): ask before any call needs it.
        if (!NativeLibrary.TryLoad(WinHvPlatform.LibraryName, typeof(WhpPlatform).Assembly, DllImportSearchPath.System32, out _))
        {
            return (null, $"{WinHvPlatform.LibraryName} cannot be loaded: turn on the Windows optional feature \"Windows Hypervisor Platform\" (Windows 10 1803 or later) to run sandboxes on Windows.");
        }

        try
        {
            if (Capability(WhpCapability.WHvCapabilityCodeHypervisorPresent) == 0)
            {
                return (null, "The Windows Hypervisor Platform reports no hypervisor present: turn on virtualization in the firmware and the \"Windows Hypervisor Platform\" feature, then restart.");
            }

            var features = Capability(WhpCapability.WHvCapabilityCodeFeatures);
            if ((features & WhvBits.FeatureDirtyPageTracking) == 0 || (features & WhvBits.FeatureXsave) == 0)
            {
                return (null, $"This Windows Hypervisor Platform lacks dirty-page tracking or XSAVE state (features 0x{features:x}); HyperSharp needs both (Windows 10 1809 or later).");
            }

            var tscKhz = Capability(WhpCapability.WHvCapabilityCodeProcessorClockFrequency) / 1000;
            return (new WhpPlatform(tscKhz, ProbeXsaveSize(), SupportedXcr0Of()), null);
        }
        catch (HypervisorException e)
        {
            return (null, $"The Windows Hypervisor Platform is not usable: {e.Message}");
        }
    }

    /// <summary>Wraps <c>WHvGetCapability</c> for a capability of at most 8 bytes (a BOOL, a bit set, a frequency).</summary>
    private static ulong Capability(WhpCapability code)
    {
        ulong value = 0;
        uint written;
        // SAFETY: `value` and `written` are locals; the call writes at most sizeof(ulong) bytes into value, the size passed.
        WinHvPlatform.Check(WinHvPlatform.WHvGetCapability(code, &value, sizeof(ulong), &written), $"WHvGetCapability({code})");
        return value;
    }

    /// <summary>The XSAVE state's size, from a partition with one processor made for the purpose and deleted at once.</summary>
    private static int ProbeXsaveSize()
    {
        using var partition = WhpPartition.CreatePartition();
        partition.SetPartitionProperty(WhpPartitionProperty.WHvPartitionPropertyCodeProcessorCount, 1);
        partition.SetupPartition();
        using var processor = partition.CreateVirtualProcessor(0);
        return processor.GetVirtualProcessorXsaveState(new byte[MaxXsaveSize]);
    }

    private static ulong SupportedXcr0Of()
    {
        if (!X86Base.IsSupported)
        {
            return 1;
        }

        var (eax, _, _, edx) = X86Base.CpuId((int)XsaveLeaf, 0);
        return (uint)eax | ((ulong)(uint)edx << 32);
    }
}
