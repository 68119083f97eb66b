using System.Collections.Frozen;
using System.Text;
using HyperSharp.Calls;

namespace HyperSharp.Execution;

/// <summary>
/// Serves one <c>HS_PORT_HOST_CALL</c>: decodes the guest's CALL from the output buffer, runs the host
/// function, and writes RETURN or ERROR into the input buffer after the guest call's own message.
/// A host function's exception goes back to the guest as data and is parked here, so that if the guest
/// passes the failure on, the caller gets it as <see cref="Exception.InnerException"/>. Host functions learn which
/// sandbox called them (<see cref="Caller"/>) from <paramref name="caller"/>.
/// </summary>
internal sealed class HostCallDispatcher(GuestBuffers buffers, FrozenDictionary<string, HostFunction> functions, Sandbox caller)
{
    private readonly GuestValue[] _arguments = new GuestValue[WireFormat.MaxParameters];

    /// <summary>Finds a host function by the decoded name in a stack buffer, so a callback allocates no name string.</summary>
    private readonly FrozenDictionary<string, HostFunction>.AlternateLookup<ReadOnlySpan<char>> _functionsByName =
        functions.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The last host function failure since <see cref="ClearParkedFailure"/>.</summary>
    public Exception? ParkedException { get; private set; }

    /// <summary>The name of the host function that failed last.</summary>
    public string? ParkedFunctionName { get; private set; }

    public void ClearParkedFailure()
    {
        ParkedException = null;
        ParkedFunctionName = null;
    }

    /// <param name="replyOffset">Where the reply goes in the input buffer: the size of the current guest call's message.</param>
    /// <exception cref="GuestProtocolException">The guest's CALL is malformed (this poisons the sandbox).</exception>
    public void Dispatch(int replyOffset)
    {
        var reader = buffers.ReadOutput();
        if (reader.Kind != MessageKind.Call)
        {
            throw new GuestProtocolException($"The guest signalled a host call, but the output buffer holds a {reader.Kind} message, not a CALL.");
        }

        // The reader validated the name as UTF-8 of at most MaxNameSize bytes, which decode to at most as many chars.
        Span<char> nameBuffer = stackalloc char[WireFormat.MaxNameSize];
        ReadOnlySpan<char> name = nameBuffer[..Encoding.UTF8.GetChars(reader.CallNameUtf8, nameBuffer)];
        var expectedReturn = reader.ReturnType;
        var count = reader.Count;
        var arguments = _arguments.AsSpan(0, count);
        reader.ReadValues(arguments);
        try
        {
            var result = Invoke(name, expectedReturn, arguments);
            Reply(replyOffset, name, result);
        }
        finally
        {
            arguments.Clear();
        }
    }

    private GuestValue? Invoke(ReadOnlySpan<char> name, GuestValueType expectedReturn, ReadOnlySpan<GuestValue> arguments)
    {
        if (!_functionsByName.TryGetValue(name, out var function))
        {
            return Fail(name, new ArgumentException($"The guest called host function '{name}', which is not defined."));
        }

        if (function.Signature.Mismatch(arguments, expectedReturn, "host function", "the guest") is { } mismatch)
        {
            return Fail(name, new ArgumentException(mismatch));
        }

        try
        {
            return function.Invoke(caller, arguments);
        }
#pragma warning disable CA1031 // Any host function failure is data for the guest, by design.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Fail(name, e);
        }
    }

    private GuestValue? Fail(ReadOnlySpan<char> name, Exception exception)
    {
        ParkedException = exception;
        ParkedFunctionName = name.ToString();
        return null;
    }

    private void Reply(int replyOffset, ReadOnlySpan<char> name, GuestValue? result)
    {
        var space = buffers.Input(replyOffset);
        if (result is { } value)
        {
            if (MessageWriter.TryWriteReturn(space, value, out var written))
            {
                buffers.NoteInputWritten(replyOffset, written);
                return;
            }

            Fail(name, new InvalidOperationException(
                $"The result of host function '{name}' needs {MessageWriter.MeasureReturn(value)} bytes, but only {space.Length} bytes of the input buffer are free (SandboxOptions.InputBufferSize)."));
        }

        // Past here a failure is parked, so ParkedFunctionName holds the name as a string.
        var message = $"Host function '{name}' failed: {MessageOf(ParkedException!)}";
        if (!MessageWriter.TryWriteError(space, (int)WireErrorCode.HostFunction, Truncate(message, space.Length), out var errorSize))
        {
            throw new HostFunctionException(ParkedFunctionName!, $"The input buffer has no room left for the reply to host function '{name}' (SandboxOptions.InputBufferSize).", ParkedException);
        }

        buffers.NoteInputWritten(replyOffset, errorSize);
    }

    /// <summary>
    /// The text of a host function's exception, which is user code: a <see cref="Exception.Message"/> that throws
    /// must not stop the guest from getting its reply.
    /// </summary>
    private static string MessageOf(Exception exception)
    {
        try
        {
            return exception.Message;
        }
#pragma warning disable CA1031 // Whatever the getter throws, the reply still goes out.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return $"{exception.GetType().FullName} (its Message threw {e.GetType().FullName})";
        }
    }

    /// <summary>Shortens an error text so that the ERROR message fits the free space, if any text can.</summary>
    private static string Truncate(string message, int space)
    {
        while (message.Length > 0 && MessageWriter.MeasureError(message) > space)
        {
            message = message[..(message.Length / 2)];
        }

        return message;
    }
}
