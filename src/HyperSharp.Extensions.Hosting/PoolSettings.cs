namespace HyperSharp.Extensions.Hosting;

/// <summary>
/// What every configured pool has, whatever its sandboxes run: its size, prewarming, recycling and how long a renter
/// waits (<see cref="SandboxPoolOptions"/>).
/// </summary>
public abstract class PoolSettings
{
    /// <inheritdoc cref="SandboxPoolOptions.MaxSize"/>
    public int MaxSize { get; set; } = 16;

    /// <inheritdoc cref="SandboxPoolOptions.MinIdle"/>
    public int MinIdle { get; set; } = 1;

    /// <inheritdoc cref="SandboxPoolOptions.MaxUses"/>
    public int? MaxUses { get; set; }

    /// <summary>How long a rent waits for a sandbox. Default 30 seconds.</summary>
    public TimeSpan RentTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The pool's options, named <paramref name="name"/>, its sandboxes made with <paramref name="sandbox"/>.</summary>
    internal SandboxPoolOptions ToPoolOptions(string name, SandboxOptions sandbox) => new()
    {
        Name = name,
        MaxSize = MaxSize,
        MinIdle = MinIdle,
        MaxUses = MaxUses,
        RentTimeout = RentTimeout,
        Sandbox = sandbox,
    };
}
