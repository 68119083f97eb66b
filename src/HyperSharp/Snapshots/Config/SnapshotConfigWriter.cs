using System.Buffers;
using System.Text.Json;
using HyperSharp.Hypervisors;

namespace HyperSharp.Snapshots.Config;

/// <summary>Writes a <see cref="SnapshotConfig"/> as compact JSON, following the field tables in <see cref="ConfigFields"/>.</summary>
internal static class SnapshotConfigWriter
{
    public static byte[] Write(SnapshotConfig config)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format_version"u8, config.FormatVersion);
            writer.WriteNumber("abi_version"u8, config.AbiVersion);
            writer.WriteString("architecture"u8, config.Architecture);
            writer.WriteString("hypervisor"u8, config.Hypervisor);
            writer.WriteString("cpu_vendor"u8, config.CpuVendor);
            writer.WriteString("library_version"u8, config.LibraryVersion);
            writer.WriteNumber("generation"u8, config.Generation);
            writer.WriteNumber("memory_size"u8, config.MemorySize);
            writer.WritePropertyName("layout"u8);
            var layout = config.Layout.Values.ToArray();
            WriteNumbers(writer, ConfigFields.Layout, layout);
            writer.WritePropertyName("vcpu"u8);
            WriteVcpu(writer, config.Vcpu);
            WriteFunctions(writer, "guest_functions"u8, config.GuestFunctions);
            WriteFunctions(writer, "host_functions"u8, config.HostFunctions);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteVcpu(Utf8JsonWriter writer, VcpuState vcpu)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("registers"u8);
        WriteNumbers(writer, ConfigFields.Registers, vcpu.Registers);
        writer.WritePropertyName("special_registers"u8);
        WriteSpecialRegisters(writer, vcpu.SpecialRegisters);
        writer.WriteBase64String("xsave"u8, vcpu.Xsave.AsSpan());
        writer.WriteNumber("xcr0"u8, vcpu.Xcr0);
        writer.WritePropertyName("debug_registers"u8);
        WriteNumbers(writer, ConfigFields.DebugRegisters, vcpu.DebugRegisters);
        writer.WriteStartArray("msrs"u8);
        foreach (var msr in vcpu.Msrs)
        {
            WriteNumbers(writer, ConfigFields.Msr, msr);
        }

        writer.WriteEndArray();
        writer.WritePropertyName("events"u8);
        WriteNumbers(writer, ConfigFields.Events, vcpu.Events);
        writer.WriteEndObject();
    }

    private static void WriteSpecialRegisters(Utf8JsonWriter writer, in SpecialRegisters special)
    {
        writer.WriteStartObject();
        foreach (var segment in SpecialRegisterParts.Segments)
        {
            writer.WritePropertyName(segment.Name);
            WriteNumbers(writer, ConfigFields.Segment, segment.Get(special));
        }

        foreach (var table in SpecialRegisterParts.Tables)
        {
            writer.WritePropertyName(table.Name);
            WriteNumbers(writer, ConfigFields.DescriptorTable, table.Get(special));
        }

        foreach (var field in ConfigFields.ControlRegisters)
        {
            writer.WriteNumber(field.Utf8Name, field.Get(special));
        }

        writer.WriteStartArray("interrupt_bitmap"u8);
        foreach (var word in special.InterruptBitmap)
        {
            writer.WriteNumberValue(word);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>A record whose fields are all numbers, in its table's order; signed fields as signed numbers.</summary>
    private static void WriteNumbers<T>(Utf8JsonWriter writer, NumberField<T>[] fields, in T value)
    {
        writer.WriteStartObject();
        foreach (var field in fields)
        {
            var number = field.Get(value);
            if (field.Width == NumberWidth.I32)
            {
                writer.WriteNumber(field.Utf8Name, (int)number);
            }
            else
            {
                writer.WriteNumber(field.Utf8Name, number);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteFunctions(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<GuestFunctionSignature> functions)
    {
        writer.WriteStartArray(name);
        foreach (var function in functions)
        {
            FunctionEntries.Write(writer, function);
        }

        writer.WriteEndArray();
    }
}
