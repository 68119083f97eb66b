namespace HyperSharp.Memory;

/// <summary>
/// Where every region of guest memory lies (docs/guest-abi.md §2). Pure arithmetic: computed from
/// the options and the ELF image size, so it can be recorded in a snapshot and checked for equality.
/// </summary>
internal sealed record MemoryLayout
{
    /// <summary>Bytes of the exception stack (TSS IST1).</summary>
    public const ulong ExceptionStackSize = 2 * GuestAbi.PageSize;

    private const ulong TwoMiB = 2UL << 20;
    private const ulong OneGiB = 1UL << 30;

    public required ulong PageTablesSize { get; init; }
    public required ulong ImageBase { get; init; }
    public required ulong ImageSize { get; init; }
    public required ulong HeapBase { get; init; }
    public required ulong HeapSize { get; init; }
    public required ulong StackBase { get; init; }
    public required ulong StackSize { get; init; }
    public required ulong ExceptionStackTop { get; init; }
    public required ulong InputBase { get; init; }
    public required ulong InputSize { get; init; }
    public required ulong OutputBase { get; init; }
    public required ulong OutputSize { get; init; }
    public required ulong MemorySize { get; init; }

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
        return new MemoryLayout
        {
            PageTablesSize = tablesSize,
            ImageBase = imageBase,
            ImageSize = imageSize,
            HeapBase = heapBase,
            HeapSize = options.HeapSize,
            StackBase = stackBase,
            StackSize = options.StackSize,
            ExceptionStackTop = exceptionStackTop,
            InputBase = inputBase,
            InputSize = options.InputBufferSize,
            OutputBase = outputBase,
            OutputSize = options.OutputBufferSize,
            MemorySize = outputBase + options.OutputBufferSize,
        };
    }

    private static ulong DivideRoundingUp(ulong value, ulong unit) => (value + unit - 1) / unit;
}
