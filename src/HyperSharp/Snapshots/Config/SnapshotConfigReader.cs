using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using HyperSharp.Hypervisors;
using HyperSharp.Memory;

namespace HyperSharp.Snapshots.Config;

/// <summary>
/// Reads a snapshot config in one pass of <see cref="Utf8JsonReader"/> straight into the library's own types, following
/// the field tables in <see cref="ConfigFields"/>: every field present exactly once, no unknown fields, no nulls (not
/// even as array entries), numbers only as plain integers that fit their field. Anything else is a
/// <see cref="JsonException"/>; whether the values make sense is <see cref="SnapshotConfigValidator"/>'s job.
/// </summary>
internal static class SnapshotConfigReader
{
    private static readonly FieldNames s_config = new(
        "format_version", "abi_version", "architecture", "hypervisor", "cpu_vendor", "library_version", "generation", "memory_size",
        "layout", "vcpu", "guest_functions", "host_functions");

    private static readonly FieldNames s_vcpu = new("registers", "special_registers", "xsave", "xcr0", "debug_registers", "msrs", "events");

    private static readonly FieldNames s_specialRegisters = new(
        [.. SpecialRegisterParts.Segments.Select(p => p.Name), .. SpecialRegisterParts.Tables.Select(p => p.Name),
            .. ConfigFields.ControlRegisters.Select(f => f.Utf8Name), "interrupt_bitmap"u8.ToArray()]);

    private static readonly FieldNames s_layout = FieldNames.Of(ConfigFields.Layout);
    private static readonly FieldNames s_registers = FieldNames.Of(ConfigFields.Registers);
    private static readonly FieldNames s_segment = FieldNames.Of(ConfigFields.Segment);
    private static readonly FieldNames s_descriptorTable = FieldNames.Of(ConfigFields.DescriptorTable);
    private static readonly FieldNames s_debugRegisters = FieldNames.Of(ConfigFields.DebugRegisters);
    private static readonly FieldNames s_msr = FieldNames.Of(ConfigFields.Msr);
    private static readonly FieldNames s_events = FieldNames.Of(ConfigFields.Events);

    private const int InterruptBitmapWords = 4;

    /// <summary>Reads one whole config; anything that breaks a rule is a <see cref="JsonException"/>.</summary>
    public static SnapshotConfig Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        Advance(ref reader);
        var config = ReadConfig(ref reader);
        if (reader.Read())
        {
            throw new JsonException("The config has content after its object.");
        }

        return config;
    }

    private static SnapshotConfig ReadConfig(ref Utf8JsonReader reader)
    {
        int formatVersion = 0;
        uint abiVersion = 0;
        ulong generation = 0, memorySize = 0;
        string? architecture = null, hypervisor = null, cpuVendor = null, libraryVersion = null;
        MemoryLayout? layout = null;
        VcpuState? vcpu = null;
        List<GuestFunctionSignature>? guestFunctions = null, hostFunctions = null;
        var fields = FieldCursor.Open(ref reader, s_config, "config");
        for (var field = fields.Next(ref reader); field >= 0; field = fields.Next(ref reader))
        {
            switch (field)
            {
                case 0: formatVersion = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var v) ? v : throw NotA("format_version", "i32 integer"); break;
                case 1: abiVersion = (uint)ReadNumber(ref reader, NumberWidth.U32, "abi_version"); break;
                case 2: architecture = ReadString(ref reader, "architecture"); break;
                case 3: hypervisor = ReadString(ref reader, "hypervisor"); break;
                case 4: cpuVendor = ReadString(ref reader, "cpu_vendor"); break;
                case 5: libraryVersion = ReadString(ref reader, "library_version"); break;
                case 6: generation = ReadNumber(ref reader, NumberWidth.U64, "generation"); break;
                case 7: memorySize = ReadNumber(ref reader, NumberWidth.U64, "memory_size"); break;
                case 8:
                    var values = new ulong[MemoryLayout.Fields.Count];
                    ReadNumbers(ref reader, ConfigFields.Layout, s_layout, "layout", ref values);
                    layout = MemoryLayout.FromValues(values);
                    break;
                case 9: vcpu = ReadVcpu(ref reader); break;
                case 10: guestFunctions = ReadArray(ref reader, FunctionEntries.Read, "guest_functions"); break;
                default: hostFunctions = ReadArray(ref reader, FunctionEntries.Read, "host_functions"); break;
            }
        }

        return new SnapshotConfig(formatVersion, abiVersion, architecture!, hypervisor!, cpuVendor!, libraryVersion!, generation, memorySize,
            layout!, vcpu!, guestFunctions!, hostFunctions!);
    }

    private static VcpuState ReadVcpu(ref Utf8JsonReader reader)
    {
        StandardRegisters registers = default;
        SpecialRegisters special = default;
        byte[]? xsave = null;
        ulong xcr0 = 0;
        DebugRegisters debug = default;
        List<MsrValue>? msrs = null;
        VcpuEvents events = default;
        var fields = FieldCursor.Open(ref reader, s_vcpu, "vcpu");
        for (var field = fields.Next(ref reader); field >= 0; field = fields.Next(ref reader))
        {
            switch (field)
            {
                case 0: ReadNumbers(ref reader, ConfigFields.Registers, s_registers, "registers", ref registers); break;
                case 1: ReadSpecialRegisters(ref reader, ref special); break;
                case 2: xsave = reader.TokenType == JsonTokenType.String && reader.TryGetBytesFromBase64(out var bytes) ? bytes : throw NotA("xsave", "base64 string"); break;
                case 3: xcr0 = ReadNumber(ref reader, NumberWidth.U64, "xcr0"); break;
                case 4: ReadNumbers(ref reader, ConfigFields.DebugRegisters, s_debugRegisters, "debug_registers", ref debug); break;
                case 5: msrs = ReadArray(ref reader, ReadMsr, "msrs"); break;
                default: ReadNumbers(ref reader, ConfigFields.Events, s_events, "events", ref events); break;
            }
        }

        return new VcpuState
        {
            Registers = registers,
            SpecialRegisters = special,
            // The arrays are fresh and never escape, so wrapping them without a copy keeps the state immutable.
            Xsave = ImmutableCollectionsMarshal.AsImmutableArray(xsave),
            Xcr0 = xcr0,
            DebugRegisters = debug,
            Msrs = ImmutableCollectionsMarshal.AsImmutableArray(msrs!.ToArray()),
            Events = events,
        };
    }

    private static void ReadSpecialRegisters(ref Utf8JsonReader reader, ref SpecialRegisters special)
    {
        var segments = SpecialRegisterParts.Segments.Length;
        var tables = SpecialRegisterParts.Tables.Length;
        var controls = ConfigFields.ControlRegisters.Length;
        var fields = FieldCursor.Open(ref reader, s_specialRegisters, "special_registers");
        for (var field = fields.Next(ref reader); field >= 0; field = fields.Next(ref reader))
        {
            if (field < segments)
            {
                ReadNumbers(ref reader, ConfigFields.Segment, s_segment, "segment", ref SpecialRegisterParts.Segments[field].Of(ref special));
            }
            else if (field < segments + tables)
            {
                ReadNumbers(ref reader, ConfigFields.DescriptorTable, s_descriptorTable, "descriptor table", ref SpecialRegisterParts.Tables[field - segments].Of(ref special));
            }
            else if (field < segments + tables + controls)
            {
                var control = ConfigFields.ControlRegisters[field - segments - tables];
                control.Set(ref special, ReadNumber(ref reader, control.Width, control.Name));
            }
            else
            {
                var words = ReadArray(ref reader, (ref Utf8JsonReader r) => ReadNumber(ref r, NumberWidth.U64, "an interrupt_bitmap entry"), "interrupt_bitmap");
                if (words.Count != InterruptBitmapWords)
                {
                    throw new JsonException($"interrupt_bitmap has {words.Count} words, not {InterruptBitmapWords}.");
                }

                words.CopyTo(special.InterruptBitmap);
            }
        }
    }

    private static MsrValue ReadMsr(ref Utf8JsonReader reader)
    {
        MsrValue msr = default;
        ReadNumbers(ref reader, ConfigFields.Msr, s_msr, "msr", ref msr);
        return msr;
    }

    /// <summary>An object whose fields are all numbers, each set in <paramref name="target"/> through its table entry.</summary>
    private static void ReadNumbers<T>(ref Utf8JsonReader reader, NumberField<T>[] table, FieldNames names, string what, ref T target)
    {
        var cursor = FieldCursor.Open(ref reader, names, what);
        for (var field = cursor.Next(ref reader); field >= 0; field = cursor.Next(ref reader))
        {
            table[field].Set(ref target, ReadNumber(ref reader, table[field].Width, table[field].Name));
        }
    }

    /// <summary>The number at the reader, which must fit <paramref name="width"/>; a signed value comes back sign-extended.</summary>
    private static ulong ReadNumber(ref Utf8JsonReader reader, NumberWidth width, string name)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            switch (width)
            {
                case NumberWidth.I32 when reader.TryGetInt32(out var signed): return (ulong)(long)signed;
                case NumberWidth.U64 when reader.TryGetUInt64(out var value): return value;
                case NumberWidth.U32 when reader.TryGetUInt32(out var value): return value;
                case NumberWidth.U16 when reader.TryGetUInt16(out var value): return value;
                case NumberWidth.U8 when reader.TryGetByte(out var value): return value;
            }
        }

        throw NotA(name, $"{width.ToString().ToLowerInvariant()} integer");
    }

    private static string ReadString(ref Utf8JsonReader reader, string what) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw NotA(what, "string");

    private static JsonException NotA(string what, string kind) => new($"'{what}' is not a {kind}.");

    private static List<T> ReadArray<T>(ref Utf8JsonReader reader, ElementReader<T> read, string what)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"'{what}' is not an array.");
        }

        var items = new List<T>();
        for (Advance(ref reader); reader.TokenType != JsonTokenType.EndArray; Advance(ref reader))
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                throw new JsonException($"'{what}' has a null entry.");
            }

            items.Add(read(ref reader));
        }

        return items;
    }

    private static void Advance(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("The config ends early.");
        }
    }

    private delegate T ElementReader<T>(ref Utf8JsonReader reader);

    /// <summary>The property names of one object type, in the order the writer emits them. At most 64.</summary>
    private sealed class FieldNames
    {
        public FieldNames(params string[] names)
            : this([.. names.Select(Encoding.UTF8.GetBytes)])
        {
        }

        public FieldNames(byte[][] utf8Names)
        {
            Utf8Names = utf8Names;
            Names = [.. utf8Names.Select(Encoding.UTF8.GetString)];
        }

        public string[] Names { get; }

        public byte[][] Utf8Names { get; }

        public int Count => Names.Length;

        public static FieldNames Of<T>(NumberField<T>[] table) => new([.. table.Select(f => f.Utf8Name)]);
    }

    /// <summary>Walks one object's properties, refusing unknown, repeated and null ones and, at the end, missing ones.</summary>
    private struct FieldCursor
    {
        private readonly FieldNames _fields;
        private readonly string _what;
        private ulong _seen;
        private int _next;

        private FieldCursor(FieldNames fields, string what)
        {
            _fields = fields;
            _what = what;
        }

        /// <summary>Starts at the object the reader is on.</summary>
        public static FieldCursor Open(ref Utf8JsonReader reader, FieldNames fields, string what) =>
            reader.TokenType == JsonTokenType.StartObject ? new FieldCursor(fields, what) : throw new JsonException($"'{what}' is not an object.");

        /// <summary>Moves to the next property's value and returns the field's index, or -1 after the last one.</summary>
        public int Next(ref Utf8JsonReader reader)
        {
            Advance(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                var missing = _fields.Count - (int)ulong.PopCount(_seen);
                return missing == 0 ? -1 : throw new JsonException($"'{_what}' lacks '{_fields.Names[(int)ulong.TrailingZeroCount(~_seen)]}'.");
            }

            // Starting the search after the last field found makes the writer's own order one comparison per field.
            for (int i = 0, field = _next; i < _fields.Count; i++, field = field + 1 == _fields.Count ? 0 : field + 1)
            {
                if (reader.ValueTextEquals(_fields.Utf8Names[field]))
                {
                    _next = field + 1 == _fields.Count ? 0 : field + 1;
                    var bit = 1UL << field;
                    if ((_seen & bit) != 0)
                    {
                        throw new JsonException($"'{_what}' has '{_fields.Names[field]}' twice.");
                    }

                    _seen |= bit;
                    Advance(ref reader);
                    return reader.TokenType != JsonTokenType.Null ? field : throw new JsonException($"'{_fields.Names[field]}' in '{_what}' is null.");
                }
            }

            throw new JsonException($"'{_what}' has the unknown property '{reader.GetString()}'.");
        }
    }
}
