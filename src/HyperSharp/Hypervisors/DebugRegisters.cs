namespace HyperSharp.Hypervisors;

/// <summary>The debug registers a guest can set: breakpoint addresses DR0–DR3, status DR6 and control DR7.</summary>
internal record struct DebugRegisters(ulong Dr0, ulong Dr1, ulong Dr2, ulong Dr3, ulong Dr6, ulong Dr7);
