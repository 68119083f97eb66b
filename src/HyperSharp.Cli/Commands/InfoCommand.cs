using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace HyperSharp.Cli.Commands;

/// <summary>
/// <c>hypersharp info</c>: whether this machine can run sandboxes, and the limits a sandbox works within. Exits with
/// <see cref="ExitCodes.HypervisorUnavailable"/> when no hypervisor is usable, so it serves as a health probe.
/// </summary>
internal static class InfoCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var json = JsonOutput.CreateOption();
        var command = new Command("info", "Shows hypervisor availability, the CPU, the guest ABI version and the sandbox size limits. "
            + "Exits with 4 when no hypervisor is usable (a health probe).")
        {
            json,
        };
        command.SetAction(parseResult => Execute(parseResult.GetValue(json), parseResult.InvocationConfiguration.Output));
        return command;
    }

    private static int Execute(bool json, TextWriter output)
    {
        var cpu = CpuInfo.Read();
        if (json)
        {
            JsonOutput.Write(output, writer => WriteJson(writer, cpu));
        }
        else
        {
            WriteTable(output, cpu);
        }

        return Hypervisor.IsAvailable ? ExitCodes.Success : ExitCodes.HypervisorUnavailable;
    }

    private static void WriteTable(TextWriter output, CpuInfo? cpu)
    {
        var defaults = SandboxOptions.Default;
        WriteRows(output,
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
    }

    /// <summary>The same facts with numbers as numbers (bytes) and null for what is unknown.</summary>
    private static void WriteJson(Utf8JsonWriter writer, CpuInfo? cpu)
    {
        var defaults = SandboxOptions.Default;
        writer.WriteStartObject();
        writer.WriteStartObject("hypervisor");
        writer.WriteString("name", Hypervisor.Name);
        writer.WriteBoolean("available", Hypervisor.IsAvailable);
        writer.WriteString("unavailableReason", Hypervisor.IsAvailable ? null : Hypervisor.UnavailableReason);
        writer.WriteEndObject();
        writer.WriteStartObject("cpu");
        writer.WriteString("vendor", cpu?.Vendor);
        writer.WriteString("model", cpu?.Model);
        if (cpu is null)
        {
            writer.WriteNull("nestedVirtualization");
        }
        else
        {
            writer.WriteBoolean("nestedVirtualization", cpu.UnderHypervisor);
        }

        writer.WriteEndObject();
        writer.WriteNumber("guestAbiVersion", Sandbox.GuestAbiVersion);
        writer.WriteString("hyperSharpVersion", LibraryVersion());
        Limits(writer, "heapSize", defaults.HeapSize, SandboxOptions.MinHeapSize, SandboxOptions.MaxHeapSize);
        Limits(writer, "stackSize", defaults.StackSize, SandboxOptions.MinStackSize, SandboxOptions.MaxStackSize);
        Limits(writer, "inputBufferSize", defaults.InputBufferSize, SandboxOptions.MinBufferSize, SandboxOptions.MaxBufferSize);
        Limits(writer, "outputBufferSize", defaults.OutputBufferSize, SandboxOptions.MinBufferSize, SandboxOptions.MaxBufferSize);
        writer.WriteNumber("maxGuestBinarySize", Sandbox.MaxGuestBinarySize);
        writer.WriteEndObject();
    }

    private static void Limits(Utf8JsonWriter writer, string name, ulong value, ulong min, ulong max)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("default", value);
        writer.WriteNumber("min", min);
        writer.WriteNumber("max", max);
        writer.WriteEndObject();
    }

    private static void WriteRows(TextWriter output, (string Key, string Value)[] rows)
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
