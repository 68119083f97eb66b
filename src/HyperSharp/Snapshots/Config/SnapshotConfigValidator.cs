using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using HyperSharp.Calls;
using HyperSharp.Hypervisors;
using HyperSharp.Memory;

namespace HyperSharp.Snapshots.Config;

/// <summary>
/// Refuses a <see cref="SnapshotConfig"/> this host cannot resume, before anything is mapped: another format,
/// ABI, architecture, hypervisor or CPU vendor; a memory size or layout HyperSharp would never produce; an
/// instruction or stack pointer outside its region; a malformed vCPU state or function table.
/// </summary>
internal static class SnapshotConfigValidator
{
    /// <summary>No layout HyperSharp computes comes near this: 1 GiB image + 4 GiB heap + 256 MiB stack + 2 × 256 MiB buffers + tables.</summary>
    public const ulong MaxMemorySize = 8UL << 30;

    /// <summary>The largest image the ELF loader accepts.</summary>
    public const ulong MaxImageSize = 1UL << 30;

    private const int XsaveMinimumSize = 4096;

    /// <summary>
    /// The largest XSAVE area accepted: far above any CPU's (4 KiB without AVX-512 or AMX, about 11 KiB with both), and
    /// small next to the 1 MiB a config may be.
    /// </summary>
    public const int MaxXsaveSize = 64 * 1024;

    public static void Validate(SnapshotConfig config)
    {
        Require(config.FormatVersion == HostIdentity.FormatVersion, SnapshotFormatError.FormatVersionMismatch,
            $"The snapshot is format version {config.FormatVersion}; this library reads version {HostIdentity.FormatVersion} only.");
        Require(config.AbiVersion == GuestAbi.AbiVersion, SnapshotFormatError.AbiMismatch,
            $"The snapshot's guest speaks ABI version {config.AbiVersion}; this library speaks {GuestAbi.AbiVersion}.");
        Require(config.Architecture == HostIdentity.Architecture, SnapshotFormatError.ArchitectureMismatch,
            $"The snapshot was taken on {config.Architecture}; this host is {HostIdentity.Architecture}.");
        Require(config.Hypervisor == HostIdentity.Hypervisor, SnapshotFormatError.HypervisorMismatch,
            $"The snapshot was taken under {config.Hypervisor}; this host uses {HostIdentity.Hypervisor}.");
        Require(config.CpuVendor == HostIdentity.CpuVendor, SnapshotFormatError.CpuVendorMismatch,
            $"The snapshot was taken on a {config.CpuVendor} CPU; this host's is {HostIdentity.CpuVendor}.");
        Require(config.MemorySize is > 0 and <= MaxMemorySize && config.MemorySize % GuestAbi.PageSize == 0, SnapshotFormatError.BadMemorySize,
            $"memory_size 0x{config.MemorySize:x} is not a non-zero multiple of 4 KiB up to 0x{MaxMemorySize:x}.");
        ValidateLayout(config);
        ValidateVcpu(config);
        ValidateFunctions(config.GuestFunctions, "guest", allowEmptyNames: true);
        ValidateFunctions(config.HostFunctions, "host", allowEmptyNames: false);
    }

    private static void ValidateLayout(SnapshotConfig config)
    {
        var l = config.Layout;
        Require(l.ImageSize is > 0 and <= MaxImageSize && l.ImageSize % GuestAbi.PageSize == 0,
            SnapshotFormatError.BadLayout, $"The image size 0x{l.ImageSize:x} is not a non-zero multiple of 4 KiB up to 1 GiB.");

        // SandboxOptions' own rules (range and page alignment), so every loaded snapshot's Options are accepted by FromSnapshot.
        var options = l.Sizes;
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new SnapshotFormatException(SnapshotFormatError.BadLayout, $"The layout's region sizes are not valid SandboxOptions: {e.Message}", e);
        }

        var expected = MemoryLayout.Create(l.ImageSize, options);
        foreach (var field in MemoryLayout.Fields)
        {
            Require(l[field] == expected[field], SnapshotFormatError.BadLayout,
                $"The recorded layout's {field} is 0x{l[field]:x}, not the 0x{expected[field]:x} HyperSharp computes for its image and region sizes.");
        }

        Require(expected.MemorySize == config.MemorySize, SnapshotFormatError.BadLayout,
            $"The layout covers 0x{expected.MemorySize:x} bytes but memory_size is 0x{config.MemorySize:x}.");
    }

    private static void ValidateVcpu(SnapshotConfig config)
    {
        var l = config.Layout;
        var v = config.Vcpu;
        var rip = v.Registers.Rip;
        var rsp = v.Registers.Rsp;
        Require(rip >= l.ImageBase && rip - l.ImageBase < l.ImageSize, SnapshotFormatError.BadEntryPoint,
            $"RIP 0x{rip:x} is outside the guest image [0x{l.ImageBase:x}, 0x{l.ImageBase + l.ImageSize:x}).");
        Require(rsp >= l.StackBase && rsp - l.StackBase <= l.StackSize, SnapshotFormatError.BadEntryPoint,
            $"RSP 0x{rsp:x} is outside the stack [0x{l.StackBase:x}, 0x{l.StackBase + l.StackSize:x}].");
        Require(v.Xsave.Length is >= XsaveMinimumSize and <= MaxXsaveSize && v.Xsave.Length % 64 == 0,
            SnapshotFormatError.BadVcpuState, $"The XSAVE area is {v.Xsave.Length} bytes, not a multiple of 64 from {XsaveMinimumSize} to {MaxXsaveSize}.");
        var maxMsrs = HypervisorBackend.Current.MaxMsrs;
        Require(v.Msrs.Length <= maxMsrs, SnapshotFormatError.BadVcpuState,
            $"The snapshot records {v.Msrs.Length} MSRs; at most {maxMsrs} are carried.");
    }

    /// <summary>
    /// Accepts exactly the signatures a sandbox can hold, so every snapshot HyperSharp saves loads again and no loaded
    /// one holds a function that cannot be called: names and parameter counts within the wire format's limits, and
    /// empty names only for guest functions (the wire format allows a guest to announce one; host function names
    /// cannot be empty).
    /// </summary>
    private static void ValidateFunctions(IReadOnlyList<GuestFunctionSignature> functions, string kind, bool allowEmptyNames)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in functions)
        {
            Require((allowEmptyNames || f.Name.Length > 0) && names.Add(f.Name), SnapshotFormatError.BadFunctionSignature,
                $"A {kind} function name is {(f.Name.Length == 0 ? "empty" : "recorded twice")}: '{f.Name}'.");
            Require(Encoding.UTF8.GetByteCount(f.Name) <= WireFormat.MaxNameSize && f.ParameterTypes.Count <= WireFormat.MaxParameters,
                SnapshotFormatError.BadFunctionSignature,
                $"The {kind} function '{f.Name}' exceeds the wire format's limits of {WireFormat.MaxNameSize} name bytes and {WireFormat.MaxParameters} parameters.");
            Require(Enum.IsDefined(f.ReturnType) && f.ParameterTypes.All(t => Enum.IsDefined(t) && t != GuestValueType.Void),
                SnapshotFormatError.BadFunctionSignature, $"The {kind} function '{f.Name}' has a type that does not exist or a void parameter.");
        }
    }

    private static void Require(bool condition, SnapshotFormatError reason, [InterpolatedStringHandlerArgument(nameof(condition))] ref FailureMessage message)
    {
        if (!condition)
        {
            throw new SnapshotFormatException(reason, message.ToStringAndClear());
        }
    }

    /// <summary>
    /// Formats a failure message only when the condition failed: a load checks a few hundred conditions, and
    /// formatting each message up front cost more than the checks.
    /// </summary>
    [InterpolatedStringHandler]
    private ref struct FailureMessage
    {
        private DefaultInterpolatedStringHandler _inner;

        public FailureMessage(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
        {
            shouldAppend = !condition;
            _inner = shouldAppend ? new DefaultInterpolatedStringHandler(literalLength, formattedCount, CultureInfo.InvariantCulture) : default;
        }

        public void AppendLiteral(string value) => _inner.AppendLiteral(value);

        public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

        public void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);

        public string ToStringAndClear() => _inner.ToStringAndClear();
    }
}
