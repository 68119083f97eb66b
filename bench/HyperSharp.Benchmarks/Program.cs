using BenchmarkDotNet.Running;
using HyperSharp.Benchmarks.Compare;
using HyperSharp.Benchmarks.Density;
using HyperSharp.Benchmarks.Interrupt;
using HyperSharp.Benchmarks.Serving;

// `compare [--quick] [--json file]` runs the side-by-side harness against the raw KVM limits;
// `density [--count n]` counts the host memory of many sandboxes made from one snapshot;
// `interrupt [--count n]` times InterruptHandle.Kill and token cancellation of a spinning guest;
// `serve-load [--seconds n] [--connections n] [--pool-size n]` puts hypersharp serve under wrk next to the same work in-process,
// and times hypersharp mcp's tools/call against the script API;
// everything else goes to BenchmarkDotNet (e.g. `-- --filter '*'`).
if (args.Length > 0 && args[0] == "compare")
{
    return CompareCommand.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "density")
{
    return DensityCommand.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "interrupt")
{
    return InterruptCommand.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "serve-load")
{
    return await ServeLoadCommand.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
