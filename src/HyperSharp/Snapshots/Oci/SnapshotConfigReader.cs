using System.Text;
using System.Text.Json;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// Reads a snapshot config in one pass of <see cref="Utf8JsonReader"/>, with the rules the generated contract
/// (<see cref="SnapshotConfigJsonContext"/>, which still writes configs) applies: every field present exactly once,
/// no unknown fields, no nulls, numbers only as plain integers that fit their field. Loading a snapshot file spent
/// more time in the generated metadata path than in the rest of <c>Snapshot.Load</c> together; a test holds both
/// readers to the same verdict on every field.
/// </summary>
internal static class SnapshotConfigReader
{
    // Each spec lists the fields in the order the writer emits them.
    private static readonly Fields s_config = new(
        "format_version:i32 abi_version:u32 architecture hypervisor cpu_vendor library_version generation:u64 memory_size:u64 " +
        "layout vcpu guest_functions host_functions");

    private static readonly Fields s_layout = new(
        "page_tables_size:u64 image_base:u64 image_size:u64 heap_base:u64 heap_size:u64 stack_base:u64 stack_size:u64 " +
        "exception_stack_top:u64 input_base:u64 input_size:u64 output_base:u64 output_size:u64 memory_size:u64");

    private static readonly Fields s_vcpu = new("registers special_registers xsave xcr0:u64 debug_registers msrs events");

    private static readonly Fields s_registers = new(
        "rax:u64 rbx:u64 rcx:u64 rdx:u64 rsi:u64 rdi:u64 rsp:u64 rbp:u64 r8:u64 r9:u64 r10:u64 r11:u64 r12:u64 r13:u64 " +
        "r14:u64 r15:u64 rip:u64 rflags:u64");

    private static readonly Fields s_specialRegisters = new(
        "cs ds es fs gs ss tr ldt gdt idt cr0:u64 cr2:u64 cr3:u64 cr4:u64 cr8:u64 efer:u64 apic_base:u64 interrupt_bitmap");

    private static readonly Fields s_segment = new(
        "base:u64 limit:u32 selector:u16 type:u8 present:u8 dpl:u8 db:u8 s:u8 l:u8 g:u8 avl:u8 unusable:u8");

    private static readonly Fields s_descriptorTable = new("base:u64 limit:u16");

    private static readonly Fields s_debugRegisters = new("dr0:u64 dr1:u64 dr2:u64 dr3:u64 dr6:u64 dr7:u64");

    private static readonly Fields s_msr = new("index:u32 value:u64");

    private static readonly Fields s_events = new(
        "exception_injected:u8 exception_nr:u8 exception_has_error_code:u8 exception_pending:u8 exception_error_code:u32 " +
        "interrupt_injected:u8 interrupt_nr:u8 interrupt_soft:u8 interrupt_shadow:u8 nmi_injected:u8 nmi_pending:u8 " +
        "nmi_masked:u8 sipi_vector:u32 flags:u32 smi_smm:u8 smi_pending:u8 smi_smm_inside_nmi:u8 smi_latched_init:u8 " +
        "triple_fault_pending:u8 exception_has_payload:u8 exception_payload:u64");

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
        Span<ulong> numbers = stackalloc ulong[s_config.Count];
        string? architecture = null, hypervisor = null, cpuVendor = null, libraryVersion = null;
        SnapshotConfigLayout? layout = null;
        SnapshotConfigVcpu? vcpu = null;
        List<SnapshotConfigFunction>? guestFunctions = null, hostFunctions = null;
        var fields = FieldCursor.Open(ref reader, s_config, "config");
        for (var field = fields.Next(ref reader); field >= 0; field = fields.Next(ref reader))
        {
            switch (s_config.Names[field])
            {
                case "architecture": architecture = ReadString(ref reader, "architecture"); break;
                case "hypervisor": hypervisor = ReadString(ref reader, "hypervisor"); break;
                case "cpu_vendor": cpuVendor = ReadString(ref reader, "cpu_vendor"); break;
                case "library_version": libraryVersion = ReadString(ref reader, "library_version"); break;
                case "layout": layout = ReadLayout(ref reader); break;
                case "vcpu": vcpu = ReadVcpu(ref reader); break;
                case "guest_functions": guestFunctions = ReadArray(ref reader, SnapshotConfigFunctionConverter.ReadFunction, "guest_functions"); break;
                case "host_functions": hostFunctions = ReadArray(ref reader, SnapshotConfigFunctionConverter.ReadFunction, "host_functions"); break;
                default: numbers[field] = s_config.ReadNumber(ref reader, field); break;
            }
        }

        return new SnapshotConfig
        {
            FormatVersion = (int)(long)numbers[0],
            AbiVersion = (uint)numbers[1],
            Architecture = architecture!,
            Generation = numbers[6],
            MemorySize = numbers[7],
            Hypervisor = hypervisor!,
            CpuVendor = cpuVendor!,
            LibraryVersion = libraryVersion!,
            Layout = layout!,
            Vcpu = vcpu!,
            GuestFunctions = guestFunctions!,
            HostFunctions = hostFunctions!,
        };
    }

    private static SnapshotConfigLayout ReadLayout(ref Utf8JsonReader reader)
    {
        Span<ulong> v = stackalloc ulong[s_layout.Count];
        ReadNumbers(ref reader, s_layout, "layout", v);
        return new SnapshotConfigLayout
        {
            PageTablesSize = v[0],
            ImageBase = v[1],
            ImageSize = v[2],
            HeapBase = v[3],
            HeapSize = v[4],
            StackBase = v[5],
            StackSize = v[6],
            ExceptionStackTop = v[7],
            InputBase = v[8],
            InputSize = v[9],
            OutputBase = v[10],
            OutputSize = v[11],
            MemorySize = v[12],
        };
    }

    private static SnapshotConfigVcpu ReadVcpu(ref Utf8JsonReader reader)
    {
        SnapshotConfigRegisters? registers = null;
        SnapshotConfigSpecialRegisters? special = null;
        byte[]? xsave = null;
        ulong xcr0 = 0;
        SnapshotConfigDebugRegisters? debug = null;
        List<SnapshotConfigMsr>? msrs = null;
        SnapshotConfigEvents? events = null;
        var fields = FieldCursor.Open(ref reader, s_vcpu, "vcpu");
        for (var field = fields.Next(ref reader); field >= 0; field = fields.Next(ref reader))
        {
            switch (s_vcpu.Names[field])
            {
                case "registers": registers = ReadRegisters(ref reader); break;
                case "special_registers": special = ReadSpecialRegisters(ref reader); break;
                case "xsave": xsave = ReadBase64(ref reader, "xsave"); break;
                case "debug_registers": debug = ReadDebugRegisters(ref reader); break;
                case "msrs": msrs = ReadArray(ref reader, ReadMsr, "msrs"); break;
                case "events": events = ReadEvents(ref reader); break;
                default: xcr0 = s_vcpu.ReadNumber(ref reader, field); break;
            }
        }

        return new SnapshotConfigVcpu
        {
            Registers = registers!,
            SpecialRegisters = special!,
            Xsave = xsave!,
            Xcr0 = xcr0,
            DebugRegisters = debug!,
            Msrs = msrs!,
            Events = events!,
        };
    }

    private static SnapshotConfigRegisters ReadRegisters(ref Utf8JsonReader reader)
    {
        Span<ulong> v = stackalloc ulong[s_registers.Count];
        ReadNumbers(ref reader, s_registers, "registers", v);
        return new SnapshotConfigRegisters
        {
            Rax = v[0],
            Rbx = v[1],
            Rcx = v[2],
            Rdx = v[3],
            Rsi = v[4],
            Rdi = v[5],
            Rsp = v[6],
            Rbp = v[7],
            R8 = v[8],
            R9 = v[9],
            R10 = v[10],
            R11 = v[11],
            R12 = v[12],
            R13 = v[13],
            R14 = v[14],
            R15 = v[15],
            Rip = v[16],
            Rflags = v[17],
        };
    }

    private static SnapshotConfigSpecialRegisters ReadSpecialRegisters(ref Utf8JsonReader reader)
    {
        var segments = new SnapshotConfigSegment[8];
        var tables = new SnapshotConfigDescriptorTable[2];
        Span<ulong> control = stackalloc ulong[s_specialRegisters.Count];
        List<ulong>? interruptBitmap = null;
        var fields = FieldCursor.Open(ref reader, s_specialRegisters, "special_registers");
        for (var field = fields.Next(ref reader); field >= 0; field = fields.Next(ref reader))
        {
            switch (field)
            {
                case < 8: segments[field] = ReadSegment(ref reader); break;
                case < 10: tables[field - 8] = ReadDescriptorTable(ref reader); break;
                case 17: interruptBitmap = ReadArray(ref reader, ReadBitmapWord, "interrupt_bitmap"); break;
                default: control[field] = s_specialRegisters.ReadNumber(ref reader, field); break;
            }
        }

        return new SnapshotConfigSpecialRegisters
        {
            Cs = segments[0],
            Ds = segments[1],
            Es = segments[2],
            Fs = segments[3],
            Gs = segments[4],
            Ss = segments[5],
            Tr = segments[6],
            Ldt = segments[7],
            Gdt = tables[0],
            Idt = tables[1],
            Cr0 = control[10],
            Cr2 = control[11],
            Cr3 = control[12],
            Cr4 = control[13],
            Cr8 = control[14],
            Efer = control[15],
            ApicBase = control[16],
            InterruptBitmap = interruptBitmap!,
        };
    }

    private static SnapshotConfigSegment ReadSegment(ref Utf8JsonReader reader)
    {
        Span<ulong> v = stackalloc ulong[s_segment.Count];
        ReadNumbers(ref reader, s_segment, "segment", v);
        return new SnapshotConfigSegment
        {
            Base = v[0],
            Limit = (uint)v[1],
            Selector = (ushort)v[2],
            Type = (byte)v[3],
            Present = (byte)v[4],
            Dpl = (byte)v[5],
            Db = (byte)v[6],
            S = (byte)v[7],
            L = (byte)v[8],
            G = (byte)v[9],
            Avl = (byte)v[10],
            Unusable = (byte)v[11],
        };
    }

    private static SnapshotConfigDescriptorTable ReadDescriptorTable(ref Utf8JsonReader reader)
    {
        Span<ulong> v = stackalloc ulong[s_descriptorTable.Count];
        ReadNumbers(ref reader, s_descriptorTable, "descriptor table", v);
        return new SnapshotConfigDescriptorTable { Base = v[0], Limit = (ushort)v[1] };
    }

    private static SnapshotConfigDebugRegisters ReadDebugRegisters(ref Utf8JsonReader reader)
    {
        Span<ulong> v = stackalloc ulong[s_debugRegisters.Count];
        ReadNumbers(ref reader, s_debugRegisters, "debug_registers", v);
        return new SnapshotConfigDebugRegisters { Dr0 = v[0], Dr1 = v[1], Dr2 = v[2], Dr3 = v[3], Dr6 = v[4], Dr7 = v[5] };
    }

    private static SnapshotConfigMsr ReadMsr(ref Utf8JsonReader reader)
    {
        Span<ulong> v = stackalloc ulong[s_msr.Count];
        ReadNumbers(ref reader, s_msr, "msr", v);
        return new SnapshotConfigMsr { Index = (uint)v[0], Value = v[1] };
    }

    private static SnapshotConfigEvents ReadEvents(ref Utf8JsonReader reader)
    {
        Span<ulong> v = stackalloc ulong[s_events.Count];
        ReadNumbers(ref reader, s_events, "events", v);
        return new SnapshotConfigEvents
        {
            ExceptionInjected = (byte)v[0],
            ExceptionNr = (byte)v[1],
            ExceptionHasErrorCode = (byte)v[2],
            ExceptionPending = (byte)v[3],
            ExceptionErrorCode = (uint)v[4],
            InterruptInjected = (byte)v[5],
            InterruptNr = (byte)v[6],
            InterruptSoft = (byte)v[7],
            InterruptShadow = (byte)v[8],
            NmiInjected = (byte)v[9],
            NmiPending = (byte)v[10],
            NmiMasked = (byte)v[11],
            SipiVector = (uint)v[12],
            Flags = (uint)v[13],
            SmiSmm = (byte)v[14],
            SmiPending = (byte)v[15],
            SmiSmmInsideNmi = (byte)v[16],
            SmiLatchedInit = (byte)v[17],
            TripleFaultPending = (byte)v[18],
            ExceptionHasPayload = (byte)v[19],
            ExceptionPayload = v[20],
        };
    }

    private static ulong ReadBitmapWord(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var word)
            ? word
            : throw new JsonException("An interrupt_bitmap entry is not an unsigned 64-bit integer.");

    /// <summary>An object whose fields are all numbers, read into <paramref name="values"/> in <paramref name="fields"/>' order.</summary>
    private static void ReadNumbers(ref Utf8JsonReader reader, Fields fields, string what, scoped Span<ulong> values)
    {
        var cursor = FieldCursor.Open(ref reader, fields, what);
        for (var field = cursor.Next(ref reader); field >= 0; field = cursor.Next(ref reader))
        {
            values[field] = fields.ReadNumber(ref reader, field);
        }
    }

    private static string ReadString(ref Utf8JsonReader reader, string what) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException($"'{what}' is not a string.");

    private static byte[] ReadBase64(ref Utf8JsonReader reader, string what) =>
        reader.TokenType == JsonTokenType.String && reader.TryGetBytesFromBase64(out var bytes)
            ? bytes
            : throw new JsonException($"'{what}' is not a base64 string.");

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

    /// <summary>
    /// The fields of one object type, from a spec of space-separated <c>name</c> or <c>name:type</c> words, where type is
    /// the width of a number field (<c>u8</c>, <c>u16</c>, <c>u32</c>, <c>u64</c>, <c>i32</c>). At most 64 fields.
    /// </summary>
    private sealed class Fields
    {
        public Fields(string spec)
        {
            var words = spec.Split(' ');
            Names = [.. words.Select(w => w.Split(':')[0])];
            Utf8Names = [.. Names.Select(Encoding.UTF8.GetBytes)];
            Types = [.. words.Select(w => w.Contains(':', StringComparison.Ordinal) ? w.Split(':')[1] : "")];
        }

        public string[] Names { get; }

        public byte[][] Utf8Names { get; }

        public string[] Types { get; }

        public int Count => Names.Length;

        /// <summary>The number at the reader for <paramref name="field"/>; a signed value comes back sign-extended.</summary>
        public ulong ReadNumber(ref Utf8JsonReader reader, int field)
        {
            if (reader.TokenType == JsonTokenType.Number)
            {
                switch (Types[field])
                {
                    case "i32" when reader.TryGetInt32(out var signed): return (ulong)(long)signed;
                    case "u64" when reader.TryGetUInt64(out var value): return value;
                    case "u32" when reader.TryGetUInt32(out var value): return value;
                    case "u16" when reader.TryGetUInt16(out var value): return value;
                    case "u8" when reader.TryGetByte(out var value): return value;
                }
            }

            throw new JsonException($"'{Names[field]}' is not a {(Types[field].Length == 0 ? "number" : Types[field] + " integer")}.");
        }
    }

    /// <summary>Walks one object's properties, refusing unknown, repeated and null ones and, at the end, missing ones.</summary>
    private struct FieldCursor
    {
        private readonly Fields _fields;
        private readonly string _what;
        private ulong _seen;
        private int _next;

        private FieldCursor(Fields fields, string what)
        {
            _fields = fields;
            _what = what;
        }

        /// <summary>Starts at the object the reader is on.</summary>
        public static FieldCursor Open(ref Utf8JsonReader reader, Fields fields, string what) =>
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
