namespace HyperSharp.Extensions.Hosting;

/// <summary>A registration of host functions for one pool (<see cref="Pool"/> set) or for every pool (null), kept in the container.</summary>
internal sealed record PoolHostFunctions(string? Pool, Action<IServiceProvider, HostFunctions> Define);
