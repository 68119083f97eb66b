namespace HyperSharp;

/// <summary>
/// How a <see cref="SandboxPool"/> sizes, warms and recycles its sandboxes. Every value is checked when the pool is
/// created, which throws <see cref="ArgumentOutOfRangeException"/> naming the first one out of range.
/// </summary>
public sealed record SandboxPoolOptions
{
    /// <summary>The most sandboxes a pool may hold.</summary>
    public const int MaxPoolSize = 4096;

    /// <summary>The pool's name in metrics (<c>hypersharp.pool.name</c>), logs and errors. Default <c>"default"</c>.</summary>
    public string Name { get; init; } = "default";

    /// <summary>The most sandboxes, idle and rented, the pool holds at once; more renters wait. Default 16; 1 to <see cref="MaxPoolSize"/>.</summary>
    public int MaxSize { get; init; } = 16;

    /// <summary>
    /// How many idle sandboxes the pool keeps ready ahead of demand, created in the background at start and whenever
    /// rents or retirements bring the idle ones below this (never above <see cref="MaxSize"/> in all), so that a rent
    /// finds a sandbox ready instead of waiting for one to be created. Default 1; 0 to <see cref="MaxSize"/>, where
    /// <see cref="MaxSize"/> prewarms the whole pool.
    /// </summary>
    public int MinIdle { get; init; } = 1;

    /// <summary>How many leases one sandbox serves before the pool replaces it with a fresh one. Null, the default, for no limit.</summary>
    public int? MaxUses { get; init; }

    /// <summary>
    /// How long <see cref="SandboxPool.RentAsync"/> waits for a sandbox before it throws
    /// <see cref="SandboxPoolExhaustedException"/>. Default 30 seconds; null to wait until cancelled.
    /// </summary>
    public TimeSpan? RentTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Options of every sandbox: its call time limit and logger. Sizes must be the snapshot's (start from
    /// <see cref="Snapshot.Options"/>); null for the snapshot's sizes and no time limit.
    /// </summary>
    public SandboxOptions? Sandbox { get; init; }

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range, its
    /// <see cref="Sandbox"/> options included, as creating a pool would.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 128 || Name.Any(char.IsControl))
        {
            throw new ArgumentOutOfRangeException($"{nameof(SandboxPoolOptions)}.{nameof(Name)}", Name,
                $"{nameof(SandboxPoolOptions)}.{nameof(Name)} must be 1 to 128 characters without control characters.");
        }

        if (MaxSize is < 1 or > MaxPoolSize)
        {
            throw new ArgumentOutOfRangeException($"{nameof(SandboxPoolOptions)}.{nameof(MaxSize)}", MaxSize,
                $"{nameof(SandboxPoolOptions)}.{nameof(MaxSize)} must be between 1 and {MaxPoolSize}.");
        }

        if (MinIdle < 0 || MinIdle > MaxSize)
        {
            throw new ArgumentOutOfRangeException($"{nameof(SandboxPoolOptions)}.{nameof(MinIdle)}", MinIdle,
                $"{nameof(SandboxPoolOptions)}.{nameof(MinIdle)} must be between 0 and {nameof(MaxSize)} ({MaxSize}).");
        }

        if (MaxUses is < 1)
        {
            throw new ArgumentOutOfRangeException($"{nameof(SandboxPoolOptions)}.{nameof(MaxUses)}", MaxUses,
                $"{nameof(SandboxPoolOptions)}.{nameof(MaxUses)} must be null or at least 1.");
        }

        if (RentTimeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > SandboxOptions.MaxCallTimeout))
        {
            throw new ArgumentOutOfRangeException($"{nameof(SandboxPoolOptions)}.{nameof(RentTimeout)}", timeout,
                $"{nameof(SandboxPoolOptions)}.{nameof(RentTimeout)} must be null or between 1 ms and {SandboxOptions.MaxCallTimeout}.");
        }

        Sandbox?.Validate();
    }
}
