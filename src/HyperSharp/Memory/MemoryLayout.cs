namespace HyperSharp.Memory;

/// <summary>
/// Where every region of guest memory lies (docs/guest-abi.md §2). Pure arithmetic: computed from
/// the options and the ELF image size, so it can be recorded in a snapshot and checked for equality. Its fields are
/// defined once, by <see cref="LayoutField"/>: snapshot configs read and write them in that order, by that name.
/// </summary>
internal sealed class MemoryLayout : IEquatable<MemoryLayout>
{
    /// <summary>Bytes of the exception stack (TSS IST1).</summary>
    public const ulong ExceptionStackSize = 2 * GuestAbi.PageSize;

    private const ulong TwoMiB = 2UL << 20;
    private const ulong OneGiB = 1UL << 30;

    private readonly ulong[] _values;

    private MemoryLayout(ulong[] values) => _values = values;

    /// <summary>Every field, in the order snapshot configs record them.</summary>
    public static IReadOnlyList<LayoutField> Fields { get; } = Enum.GetValues<LayoutField>();

    public ulong PageTablesSize => this[LayoutField.PageTablesSize];
    public ulong ImageBase => this[LayoutField.ImageBase];
    public ulong ImageSize => this[LayoutField.ImageSize];
    public ulong HeapBase => this[LayoutField.HeapBase];
    public ulong HeapSize => this[LayoutField.HeapSize];
    public ulong StackBase => this[LayoutField.StackBase];
    public ulong StackSize => this[LayoutField.StackSize];
    public ulong ExceptionStackTop => this[LayoutField.ExceptionStackTop];
    public ulong InputBase => this[LayoutField.InputBase];
    public ulong InputSize => this[LayoutField.InputSize];
    public ulong OutputBase => this[LayoutField.OutputBase];
    public ulong OutputSize => this[LayoutField.OutputSize];
    public ulong MemorySize => this[LayoutField.MemorySize];

    /// <summary>One field's value.</summary>
    public ulong this[LayoutField field] => _values[(int)field];

    /// <summary>Every field's value, in <see cref="Fields"/>' order.</summary>
    public ReadOnlySpan<ulong> Values => _values;

    public ulong StackTop => StackBase + StackSize;

    /// <summary>The options whose sizes this layout has (no call time limit): what <see cref="Create"/> was given.</summary>
    public SandboxOptions Sizes => new() { HeapSize = HeapSize, StackSize = StackSize, InputBufferSize = InputSize, OutputBufferSize = OutputSize };

    public ulong StackGuardPage => StackBase - GuestAbi.PageSize;

    public ulong ExceptionStackGuardPage => ExceptionStackTop - ExceptionStackSize - GuestAbi.PageSize;

    /// <summary>Lays out memory for an image of <paramref name="imageSize"/> bytes (a multiple of 4 KiB).</summary>
    public static MemoryLayout Create(ulong imageSize, SandboxOptions options)
    {
        // Everything after the page tables, relative to their end.
        var afterTables = imageSize + options.HeapSize + GuestAbi.PageSize + options.StackSize
            + GuestAbi.PageSize + ExceptionStackSize + options.InputBufferSize + options.OutputBufferSize;

        // The tables must map themselves too, so grow them until they cover the whole range.
        var tablesSize = 2 * GuestAbi.PageSize;
        while (true)
        {
            var memory = GuestAbi.PageTablesAddress + tablesSize + afterTables;
            var needed = (2 + DivideRoundingUp(memory, OneGiB) + DivideRoundingUp(memory, TwoMiB)) * GuestAbi.PageSize;
            if (needed <= tablesSize)
            {
                break;
            }

            tablesSize = needed;
        }

        var imageBase = GuestAbi.PageTablesAddress + tablesSize;
        var heapBase = imageBase + imageSize;
        var stackBase = heapBase + options.HeapSize + GuestAbi.PageSize;
        var exceptionStackTop = stackBase + options.StackSize + GuestAbi.PageSize + ExceptionStackSize;
        var inputBase = exceptionStackTop;
        var outputBase = inputBase + options.InputBufferSize;
        var values = new ulong[Fields.Count];
        values[(int)LayoutField.PageTablesSize] = tablesSize;
        values[(int)LayoutField.ImageBase] = imageBase;
        values[(int)LayoutField.ImageSize] = imageSize;
        values[(int)LayoutField.HeapBase] = heapBase;
        values[(int)LayoutField.HeapSize] = options.HeapSize;
        values[(int)LayoutField.StackBase] = stackBase;
        values[(int)LayoutField.StackSize] = options.StackSize;
        values[(int)LayoutField.ExceptionStackTop] = exceptionStackTop;
        values[(int)LayoutField.InputBase] = inputBase;
        values[(int)LayoutField.InputSize] = options.InputBufferSize;
        values[(int)LayoutField.OutputBase] = outputBase;
        values[(int)LayoutField.OutputSize] = options.OutputBufferSize;
        values[(int)LayoutField.MemorySize] = outputBase + options.OutputBufferSize;
        return new MemoryLayout(values);
    }

    /// <summary>A layout exactly as recorded (a snapshot config), one value per <see cref="Fields"/> entry, not checked.</summary>
    public static MemoryLayout FromValues(ReadOnlySpan<ulong> values) =>
        values.Length == Fields.Count ? new MemoryLayout(values.ToArray()) : throw new ArgumentException($"A layout has {Fields.Count} fields.", nameof(values));

    public bool Equals(MemoryLayout? other) => other is not null && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as MemoryLayout);

    public override int GetHashCode() => HashCode.Combine(ImageSize, HeapSize, StackSize, MemorySize);

    public static bool operator ==(MemoryLayout? left, MemoryLayout? right) => left?.Equals(right) ?? right is null;

    public static bool operator !=(MemoryLayout? left, MemoryLayout? right) => !(left == right);

    private static ulong DivideRoundingUp(ulong value, ulong unit) => (value + unit - 1) / unit;
}

/// <summary>The fields of a <see cref="MemoryLayout"/>; a snapshot config names each in snake case (<c>image_base</c>).</summary>
internal enum LayoutField
{
    PageTablesSize,
    ImageBase,
    ImageSize,
    HeapBase,
    HeapSize,
    StackBase,
    StackSize,
    ExceptionStackTop,
    InputBase,
    InputSize,
    OutputBase,
    OutputSize,
    MemorySize,
}
