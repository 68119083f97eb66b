namespace HyperSharp.Benchmarks.Compare;

/// <summary>The scenarios of the side-by-side table, each measured on every contender it applies to.</summary>
internal enum Workload
{
    /// <summary>From the program as shipped (ELF, WebAssembly bytes, executable) to the first Echo's result.</summary>
    ColdStartFromBinary,

    /// <summary>From an in-memory snapshot or compiled module to the first Echo's result.</summary>
    ColdStartFromMemory,

    /// <summary>From a snapshot file (HyperSharp's OCI layout, Wasmtime's precompiled .cwasm) to the first Echo's result.</summary>
    StartFromSnapshotFile,

    WarmEcho,
    HostCallback,
    Bytes24KIn8KOut,

    /// <summary>Echo, then back to a clean state.</summary>
    CallAndReset,

    /// <summary>Back to a clean state after the guest wrote one byte to each of 1, 64 or 1,024 pages (the writes not timed).</summary>
    ResetAfterDirtying1,
    ResetAfterDirtying64,
    ResetAfterDirtying1024,
}
