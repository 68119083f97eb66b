using System.CommandLine;
using System.Globalization;
using System.Reflection;

namespace HyperSharp.Cli.Commands;

/// <summary><c>hypersharp info</c>: whether this machine can run sandboxes, and the limits a sandbox works within.</summary>
internal static class InfoCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("info", "Shows hypervisor availability, the CPU, the guest ABI version and the sandbox size limits.");
        command.SetAction(parseResult => Execute(parseResult.InvocationConfiguration.Output));
        return command;
    }

    private static int Execute(TextWriter output)
    {
        var cpu = CpuInfo.Read();
        var defaults = SandboxOptions.Default;
        WriteTable(output,
        [
            ("Hypervisor", Hypervisor.IsAvailable ? $"{Hypervisor.Name}: available" : $"{Hypervisor.Name}: unavailable: {Hypervisor.UnavailableReason}"),
            ("CPU vendor", cpu?.Vendor ?? "unknown"),
            ("CPU model", cpu?.Model ?? "unknown"),
            ("Nested virtualization", cpu is null ? "unknown" : cpu.UnderHypervisor ? "yes: this machine is itself a VM" : "no: bare metal"),
            ("Guest ABI version", Sandbox.GuestAbiVersion.ToString(CultureInfo.InvariantCulture)),
            ("HyperSharp version", LibraryVersion()),
            ("Heap size", SizeWithLimits(defaults.HeapSize, SandboxOptions.MinHeapSize, SandboxOptions.MaxHeapSize)),
            ("Stack size", SizeWithLimits(defaults.StackSize, SandboxOptions.MinStackSize, SandboxOptions.MaxStackSize)),
            ("Input buffer", SizeWithLimits(defaults.InputBufferSize, SandboxOptions.MinBufferSize, SandboxOptions.MaxBufferSize)),
            ("Output buffer", SizeWithLimits(defaults.OutputBufferSize, SandboxOptions.MinBufferSize, SandboxOptions.MaxBufferSize)),
            ("Max guest binary", ByteSizes.Format(Sandbox.MaxGuestBinarySize)),
        ]);
        return ExitCodes.Success;
    }

    private static void WriteTable(TextWriter output, (string Key, string Value)[] rows)
    {
        var width = rows.Max(row => row.Key.Length) + 2;
        foreach (var (key, value) in rows)
        {
            output.WriteLine(key.PadRight(width) + value);
        }
    }

    private static string SizeWithLimits(ulong value, ulong min, ulong max) =>
        $"{ByteSizes.Format(value),-9} (default; {ByteSizes.Format(min)} to {ByteSizes.Format(max)}, multiples of 4 KiB)";

    /// <summary>The library's informational version, as packages and servers report it.</summary>
    internal static string LibraryVersion()
    {
        var assembly = typeof(Sandbox).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
    }
}
