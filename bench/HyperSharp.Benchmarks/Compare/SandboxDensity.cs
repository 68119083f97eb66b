namespace HyperSharp.Benchmarks.Compare;

/// <summary>How many live sandboxes one contender's memory affords, measured over <paramref name="Count"/> of them.</summary>
/// <param name="Count">Sandboxes alive at the second reading, each after one Echo.</param>
/// <param name="PssBytes">Growth of the proportional set size of every process involved.</param>
/// <param name="AvailableBytes">Drop of /proc/meminfo MemAvailable: includes kernel memory (KVM's), but also anything else the machine did meanwhile.</param>
internal sealed record SandboxDensity(int Count, double PssBytes, double AvailableBytes)
{
    private const double GiB = 1 << 30;

    public double PerGiBByPss => GiB / (PssBytes / Count);

    public double PerGiBByAvailable => GiB / (AvailableBytes / Count);
}
