using HyperSharp.Calls;
using HyperSharp.Memory;

namespace HyperSharp.Execution;

/// <summary>
/// The two message buffers host and guest share (docs/guest-abi.md §4), at the addresses of the host's own layout,
/// never at any the guest names: the guest's messages are read from the output buffer, the host's written into the
/// input buffer.
/// </summary>
internal sealed class GuestBuffers(GuestMemory memory, MemoryLayout layout)
{
    /// <summary>
    /// How far into the input buffer the host has written since memory last matched a snapshot. The host's writes go
    /// through its own mapping, which KVM's dirty log does not see, so a restore copies back this much of the buffer,
    /// not all of it: a 1 MiB buffer holding a 40-byte call costs one page, not 256.
    /// </summary>
    public ulong InputWritten { get; private set; }

    /// <summary>The guest's last message, opened for reading (the reader validates everything it returns).</summary>
    /// <exception cref="GuestProtocolException">The buffer does not start with a well-formed message header.</exception>
    public MessageReader ReadOutput() => MessageReader.Open(memory.GetSpan(layout.OutputBase, layout.OutputSize));

    /// <summary>The input buffer from <paramref name="offset"/> on: a call goes at 0, a host call's reply after the call's message.</summary>
    public Span<byte> Input(int offset = 0) => memory.GetSpan(layout.InputBase + (ulong)offset, layout.InputSize - (ulong)offset);

    /// <summary>Bytes of the input buffer, for messages about arguments that do not fit.</summary>
    public ulong InputSize => layout.InputSize;

    /// <summary>Records that the host wrote <paramref name="length"/> bytes at <paramref name="offset"/> into the input buffer.</summary>
    public void NoteInputWritten(int offset, int length) => InputWritten = Math.Max(InputWritten, (ulong)offset + (ulong)length);

    /// <summary>Memory matches a snapshot again (restored or remapped): no host write is outstanding.</summary>
    public void ForgetInputWritten() => InputWritten = 0;
}
