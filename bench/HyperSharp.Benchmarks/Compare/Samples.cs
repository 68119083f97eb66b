namespace HyperSharp.Benchmarks.Compare;

/// <summary>Samples in nanoseconds (one per batch: the mean per operation), pooled across rounds.</summary>
internal sealed class Samples
{
    private readonly List<double> _values = [];

    public int Count => _values.Count;

    public void Add(double nanoseconds) => _values.Add(nanoseconds);

    public double Median => Percentile(0.5);

    public double P90 => Percentile(0.9);

    /// <summary>Nearest-rank percentile, as rawkvm computes it.</summary>
    public double Percentile(double p)
    {
        if (_values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _values.Order().ToArray();
        var rank = Math.Clamp((int)Math.Ceiling(p * sorted.Length), 1, sorted.Length);
        return sorted[rank - 1];
    }
}
