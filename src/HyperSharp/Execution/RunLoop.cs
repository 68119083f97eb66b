using HyperSharp.Calls;
using HyperSharp.Hypervisors;
using HyperSharp.Memory;

namespace HyperSharp.Execution;

/// <summary>
/// Runs the vCPU until the guest signals <c>HS_PORT_DONE</c>, serving host calls on the way and
/// turning every other exit into the typed exception it deserves (docs/guest-abi.md §4).
/// </summary>
internal sealed class RunLoop(IVirtualMachine vm, GuestBuffers buffers, MemoryLayout layout, HostCallDispatcher hostCalls, InterruptHandle interrupt)
{
    /// <summary>Every signal to the host is one 32-bit OUT (<c>out %eax, %dx</c>, docs/guest-abi.md §4).</summary>
    private const int GuestPortWidth = 4;

    /// <summary>
    /// VM exits the guest caused so far (not counting runs a host signal interrupted), for tests that prove
    /// something costs none.
    /// </summary>
    public long GuestExits { get; private set; }

    /// <param name="replyOffset">Size of the guest call's message in the input buffer; host-call replies go after it.</param>
    /// <exception cref="GuestAbortedException">The guest aborted.</exception>
    /// <exception cref="GuestFaultException">The guest raised a CPU exception or triple-faulted.</exception>
    /// <exception cref="GuestAccessViolationException">The guest touched unbacked guest-physical memory.</exception>
    /// <exception cref="GuestProtocolException">The guest broke the protocol.</exception>
    /// <exception cref="GuestCallCanceledException">The call was killed, timed out or cancelled.</exception>
    public void RunUntilDone(int replyOffset)
    {
        while (true)
        {
            var exit = vm.Run();
            if (exit.Reason != VcpuExitReason.Interrupted)
            {
                GuestExits++;
            }
            switch (exit.Reason)
            {
                case VcpuExitReason.IoOut when exit.Size != GuestPortWidth:
                    throw new GuestProtocolException(exit.Detail is { } form
                        ? $"The guest used a {form} on I/O port 0x{exit.Port:x}; HyperSharp's ports take one 32-bit OUT."
                        : $"The guest wrote {exit.Size} byte(s) to I/O port 0x{exit.Port:x}; HyperSharp's ports take one 32-bit OUT.");
                case VcpuExitReason.IoOut when exit.Port == GuestAbi.PortDone:
                    return;
                case VcpuExitReason.IoOut when exit.Port == GuestAbi.PortHostCall:
                    hostCalls.Dispatch(replyOffset);
                    break;
                case VcpuExitReason.IoOut when exit.Port == GuestAbi.PortAbort:
                    throw ReadAbort((int)exit.Value);
                case VcpuExitReason.IoOut when exit.Port == GuestAbi.PortFault:
                    throw GuestFaults.FromRegisters(vm.GetRegisters(), layout);
                case VcpuExitReason.IoOut:
                    throw new GuestProtocolException($"The guest wrote 0x{exit.Value:x} to I/O port 0x{exit.Port:x}, which is not a HyperSharp port.");
                case VcpuExitReason.IoIn:
                    throw new GuestProtocolException($"The guest read from I/O port 0x{exit.Port:x}; guests may only write to HyperSharp's ports.");
                case VcpuExitReason.Halt:
                    throw new GuestProtocolException($"The guest executed HLT at RIP 0x{vm.GetRegisters().Rip:x} instead of signalling the host.");
                case VcpuExitReason.Mmio:
                    throw new GuestAccessViolationException(exit.Address, exit.Detail == "write");
                case VcpuExitReason.Shutdown:
                    throw GuestFaults.TripleFault(vm.GetRegisters());
                case VcpuExitReason.Interrupted when interrupt.Requested is { } reason:
                    throw Canceled(reason);
                case VcpuExitReason.Interrupted:
                    // A signal meant for something else (the runtime's own, a profiler's): carry on.
                    break;
                default:
                    throw new GuestProtocolException($"The vCPU stopped unexpectedly: {exit.Detail}.");
            }
        }
    }

    private GuestCallCanceledException Canceled(CallCancellationReason reason) => new(
        reason switch
        {
            CallCancellationReason.Killed => "The guest call was killed through the sandbox's InterruptHandle.",
            CallCancellationReason.TimedOut => "The guest call ran longer than SandboxOptions.CallTimeout and was stopped.",
            _ => "The guest call was cancelled by its CancellationToken.",
        } + " The sandbox is poisoned until restored.",
        reason,
        guestRan: true,
        interrupt.Token);

    private GuestAbortedException ReadAbort(int code)
    {
        string text;
        try
        {
            var reader = buffers.ReadOutput();
            text = reader.Kind == MessageKind.Error ? reader.ReadError().Message : $"(no abort message: the output buffer holds a {reader.Kind} message)";
        }
        catch (GuestProtocolException e)
        {
            text = $"(the abort message is unreadable: {e.Message})";
        }

        return new GuestAbortedException(code, text);
    }
}
