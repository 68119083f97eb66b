namespace HyperSharp.Pooling;

/// <summary>A sandbox of a pool and how many leases it has served.</summary>
internal sealed class PooledSandbox(Sandbox sandbox)
{
    public Sandbox Sandbox { get; } = sandbox;

    /// <summary>Leases served so far, the current one included.</summary>
    public int Uses { get; set; }
}
