namespace HyperSharp.Hypervisors;

/// <summary>How every backend hands a new VM its guest memory: one slot at guest-physical address 0.</summary>
internal static class GuestMemorySlot
{
    /// <summary>Maps <paramref name="memory"/> as slot 0 of <paramref name="vm"/>; if that fails, disposes the VM and rethrows.</summary>
    public static IVirtualMachine MapInto(IVirtualMachine vm, Memory.GuestMemory memory)
    {
        try
        {
            vm.MapMemory(0, 0, memory.HostAddress, memory.Size);
            return vm;
        }
        catch
        {
            vm.Dispose();
            throw;
        }
    }
}
