using System.Globalization;

namespace HyperSharp.Scripting;

/// <summary>
/// The limits of a <see cref="ScriptSandbox"/>. Each one ends a run in a script-level error and never harms the
/// host or the next run. A record, so a variant is one <c>with</c> expression away.
/// </summary>
/// <remarks>
/// <see cref="MemoryLimit"/>, <see cref="OutputLimit"/>, <see cref="MaxSourceSize"/> and <see cref="MaxToolResultSize"/>
/// shape the interpreter's snapshot (its memory layout and configuration), so sandboxes with the same values share
/// one cached snapshot per process; <see cref="TimeLimit"/> and <see cref="SessionMode"/> do not.
/// </remarks>
public sealed record ScriptOptions
{
    private const ulong MiB = 1UL << 20;

    /// <summary>The defaults: 64 MiB of memory, 10 s per run, 1 MiB of output per stream, 256 KiB of source, 1 MiB per tool result, a clean interpreter every run.</summary>
    public static ScriptOptions Default { get; } = new();

    /// <summary>
    /// Bytes the interpreter may allocate; beyond them an allocation fails with the language's out-of-memory error
    /// (JavaScript <c>InternalError: out of memory</c>, Python <c>MemoryError</c>, Lua <c>not enough memory</c>).
    /// Default 64 MiB; 1 MiB to 3 GiB.
    /// </summary>
    public ulong MemoryLimit { get; init; } = 64 * MiB;

    /// <summary>
    /// How long one run may take, tool calls included, before it is stopped with <see cref="ScriptTimeoutException"/>
    /// and the sandbox restored. Default 10 s; null for no limit; otherwise 1 ms to 49 days.
    /// </summary>
    public TimeSpan? TimeLimit { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Bytes of stdout and, separately, of stderr that a run keeps; the rest is dropped (at a UTF-8 boundary) and
    /// <see cref="ScriptResult.TruncationMarker"/> appended. Default 1 MiB; 1 KiB to 16 MiB.
    /// </summary>
    public int OutputLimit { get; init; } = 1 << 20;

    /// <summary>UTF-8 bytes of source a run accepts; longer source is refused before the guest runs. Default 256 KiB; 1 KiB to 64 MiB.</summary>
    /// <remarks>The host → guest buffer, reserved in every sandbox's memory, holds the source or a tool result, whichever is larger: keep this no larger than scripts need.</remarks>
    public int MaxSourceSize { get; init; } = 256 << 10;

    /// <summary>UTF-8 bytes of JSON one tool may return; a larger result fails the tool call inside the script. Default 1 MiB; 1 KiB to 64 MiB.</summary>
    public int MaxToolResultSize { get; init; } = 1 << 20;

    /// <summary>
    /// False (the default): every run starts from the freshly initialised interpreter. True: globals and everything
    /// else persist from run to run until <see cref="ScriptSandbox.Reset"/> (or a run that is stopped or crashes the
    /// interpreter, after which the sandbox starts afresh).
    /// </summary>
    public bool SessionMode { get; init; }

    /// <summary>The smallest <see cref="MemoryLimit"/>: 1 MiB.</summary>
    public const ulong MinMemoryLimit = MiB;

    /// <summary>The largest <see cref="MemoryLimit"/>: 3 GiB, which with what lives outside the interpreter's budget fits the 4 GiB guest heap.</summary>
    public const ulong MaxMemoryLimit = 3UL << 30;

    /// <summary>The sandbox stack: deep enough for the interpreters' own recursion limits with room to spare.</summary>
    internal const ulong StackSize = 8 * MiB;

    /// <summary>
    /// The native stack an interpreter may use before its stack-overflow error: the sandbox stack less 1 MiB for the C
    /// code between its checks (the guard page below the stack is never reached).
    /// </summary>
    internal const ulong StackLimit = StackSize - MiB;

    /// <summary>
    /// The guest → host buffer: the result document holds the value and both streams, each escaped as JSON (up to six
    /// bytes a byte), plus 16 MiB for the value.
    /// </summary>
    internal ulong OutputBufferSize => PageAlign(16 * MiB + 12 * (ulong)OutputLimit);

    /// <summary>The host → guest buffer: the source, and after it a tool's result, each with a message header of a few dozen bytes.</summary>
    internal ulong InputBufferSize => PageAlign((ulong)MaxSourceSize + (ulong)MaxToolResultSize + (64UL << 10));

    /// <summary>
    /// The guest heap: the interpreter's budget, plus what lives outside it (captured output, the result document being
    /// built, the SDK's own needs). Pages the guest never touches cost nothing.
    /// </summary>
    internal ulong HeapSize => PageAlign(MemoryLimit + 2 * OutputBufferSize + 8 * MiB);

    /// <summary>What the interpreter's Configure receives (guest/runtimes/common/script.h).</summary>
    internal string ConfigurationJson => string.Create(CultureInfo.InvariantCulture,
        $$"""{"memoryLimit":{{MemoryLimit}},"outputLimit":{{OutputLimit}},"stackLimit":{{StackLimit}}}""");

    /// <summary>The sandbox sizes these limits need, and the time limit.</summary>
    internal SandboxOptions ToSandboxOptions() => new()
    {
        HeapSize = HeapSize,
        StackSize = StackSize,
        InputBufferSize = InputBufferSize,
        OutputBufferSize = OutputBufferSize,
        CallTimeout = TimeLimit,
    };

    /// <summary>Throws unless <paramref name="snapshot"/>'s memory layout is the one these options make.</summary>
    /// <exception cref="ArgumentException">The layouts differ.</exception>
    internal void RequireLayoutOf(Snapshot snapshot, string parameterName)
    {
        if (snapshot.Options != (ToSandboxOptions() with { CallTimeout = null }))
        {
            throw new ArgumentException(
                $"The snapshot's memory layout ({snapshot.Options}) is not the one these script options make; pass the options it was created with.",
                parameterName);
        }
    }

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range, as every factory that
    /// takes these options does; for checking options from configuration before anything is created.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        Check(MemoryLimit, MinMemoryLimit, MaxMemoryLimit, nameof(MemoryLimit));
        Check((ulong)OutputLimit, 1UL << 10, 16 * MiB, nameof(OutputLimit));
        Check((ulong)MaxSourceSize, 1UL << 10, 64 * MiB, nameof(MaxSourceSize));
        Check((ulong)MaxToolResultSize, 1UL << 10, 64 * MiB, nameof(MaxToolResultSize));
        if (TimeLimit is { } limit && (limit < TimeSpan.FromMilliseconds(1) || limit > TimeSpan.FromMilliseconds(uint.MaxValue - 1)))
        {
            throw new ArgumentOutOfRangeException($"{nameof(ScriptOptions)}.{nameof(TimeLimit)}", limit,
                $"{nameof(ScriptOptions)}.{nameof(TimeLimit)} must be null or between 1 ms and 49 days.");
        }
    }

    private static void Check(ulong value, ulong min, ulong max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException($"{nameof(ScriptOptions)}.{name}", value,
                $"{nameof(ScriptOptions)}.{name} must be between {min} and {max} bytes.");
        }
    }

    private static ulong PageAlign(ulong size) => (size + 4095) & ~4095UL;
}
