namespace HyperSharp.Benchmarks.Compare;

/// <summary>One way of isolating guest code, measured on the <see cref="Workload"/>s it can do.</summary>
internal interface IContender : IDisposable
{
    string Name { get; }

    /// <summary>What "reset to clean" means for this contender, for the table's notes.</summary>
    string ResetMeans { get; }

    /// <summary>The cell that measures <paramref name="workload"/>, or <see langword="null"/> where it does not apply.</summary>
    Cell? CellFor(Workload workload);

    /// <summary>Starts <paramref name="count"/> sandboxes, one Echo in each, and reads host memory before and after.</summary>
    SandboxDensity MeasureDensity(int count);
}
