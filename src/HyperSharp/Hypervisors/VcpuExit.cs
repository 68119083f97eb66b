namespace HyperSharp.Hypervisors;

/// <summary>Why the vCPU stopped running guest code.</summary>
internal enum VcpuExitReason
{
    /// <summary>The guest wrote to an I/O port (<see cref="VcpuExit.Port"/>, <see cref="VcpuExit.Value"/>).</summary>
    IoOut,

    /// <summary>The guest read from an I/O port.</summary>
    IoIn,

    /// <summary>The guest executed HLT.</summary>
    Halt,

    /// <summary>The guest accessed a guest-physical address no memory backs (<see cref="VcpuExit.Address"/>).</summary>
    Mmio,

    /// <summary>Triple fault: the vCPU shut down.</summary>
    Shutdown,

    /// <summary>The hypervisor could not enter the guest or hit an internal error (<see cref="VcpuExit.Detail"/>).</summary>
    Failed,

    /// <summary>The run was interrupted by a signal or an immediate-exit request before or while running.</summary>
    Interrupted,

    /// <summary>Any other exit the host does not handle (<see cref="VcpuExit.Detail"/>).</summary>
    Unknown,
}

/// <summary>A decoded vCPU exit. OUT data is at most 4 bytes, so it is carried by value.</summary>
internal readonly record struct VcpuExit(VcpuExitReason Reason, ushort Port = 0, uint Value = 0, int Size = 0, ulong Address = 0, string? Detail = null);
