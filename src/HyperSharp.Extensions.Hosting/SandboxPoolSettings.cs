using Microsoft.Extensions.Logging;

namespace HyperSharp.Extensions.Hosting;

/// <summary>
/// One pool as configuration describes it: where its sandboxes come from (a guest binary, or a snapshot in an OCI
/// layout) and the <see cref="SandboxPoolOptions"/> and <see cref="SandboxOptions"/> it runs with. Checked when the
/// host starts; an invalid pool stops the start with a message naming the pool and the setting.
/// </summary>
public sealed class SandboxPoolSettings : PoolSettings
{
    /// <summary>A guest binary to boot once and snapshot; exclusive with <see cref="Snapshot"/>. Relative paths are from the application's base directory.</summary>
    public string? Guest { get; set; }

    /// <summary>An OCI image layout directory holding the snapshot to start from; exclusive with <see cref="Guest"/>.</summary>
    public string? Snapshot { get; set; }

    /// <summary>The tag or manifest digest of the snapshot in <see cref="Snapshot"/>. Default <c>latest</c>.</summary>
    public string Tag { get; set; } = "latest";

    /// <inheritdoc cref="SandboxOptions.CallTimeout"/>
    public TimeSpan? CallTimeout { get; set; }

    /// <summary>Bytes of guest heap for a <see cref="Guest"/> pool; null for the default. A snapshot brings its own sizes.</summary>
    public ulong? HeapSize { get; set; }

    /// <summary>Bytes of guest stack for a <see cref="Guest"/> pool; null for the default.</summary>
    public ulong? StackSize { get; set; }

    /// <summary>Bytes of the host → guest buffer for a <see cref="Guest"/> pool; null for the default.</summary>
    public ulong? InputBufferSize { get; set; }

    /// <summary>Bytes of the guest → host buffer for a <see cref="Guest"/> pool; null for the default.</summary>
    public ulong? OutputBufferSize { get; set; }

    /// <inheritdoc cref="SandboxOptions.GuestOutputLogLevel"/>
    public LogLevel GuestOutputLogLevel { get; set; } = LogLevel.Debug;

    /// <summary>The sandbox options of a <see cref="Guest"/> pool, or of a snapshot pool given the snapshot's own.</summary>
    internal SandboxOptions ToSandboxOptions(SandboxOptions sizes, ILoggerFactory? loggerFactory) => sizes with
    {
        HeapSize = HeapSize ?? sizes.HeapSize,
        StackSize = StackSize ?? sizes.StackSize,
        InputBufferSize = InputBufferSize ?? sizes.InputBufferSize,
        OutputBufferSize = OutputBufferSize ?? sizes.OutputBufferSize,
        CallTimeout = CallTimeout,
        LoggerFactory = loggerFactory,
        GuestOutputLogLevel = GuestOutputLogLevel,
    };
}
