using HyperSharp.Calls;
using HyperSharp.Telemetry;

namespace HyperSharp;

/// <summary>Calling the guest: arguments checked and written, the run, its result or typed failure.</summary>
public sealed partial class Sandbox
{
    /// <summary>Calls guest function <paramref name="name"/> and returns its result.</summary>
    /// <typeparam name="TResult">
    /// <see cref="int"/>, <see cref="uint"/>, <see cref="long"/>, <see cref="ulong"/>, <see cref="float"/>,
    /// <see cref="double"/>, <see cref="bool"/>, <see cref="string"/> or <c>byte[]</c>: the function's return type.
    /// </typeparam>
    /// <exception cref="GuestFunctionNotFoundException">The guest exports no such function.</exception>
    /// <exception cref="GuestArgumentException">The arguments or <typeparamref name="TResult"/> do not match the function, or the arguments do not fit the input buffer.</exception>
    /// <exception cref="GuestErrorException">The guest function reported an error.</exception>
    /// <exception cref="HostFunctionException">A host function failed and the guest passed the failure on.</exception>
    /// <exception cref="GuestAbortedException">The guest aborted; the sandbox is now poisoned.</exception>
    /// <exception cref="GuestFaultException">The guest raised a CPU exception; the sandbox is now poisoned.</exception>
    /// <exception cref="GuestProtocolException">The guest broke the protocol; the sandbox is now poisoned.</exception>
    /// <exception cref="SandboxPoisonedException">An earlier failure poisoned the sandbox.</exception>
    /// <exception cref="SandboxBusyException">Another thread is using the sandbox.</exception>
    /// <exception cref="GuestCallCanceledException">The call was killed or ran past <see cref="SandboxOptions.CallTimeout"/>; the sandbox is now poisoned.</exception>
    public TResult Call<TResult>(string name, params ReadOnlySpan<GuestValue> args) => Call<TResult>(name, CancellationToken.None, args);

    /// <summary>Calls guest function <paramref name="name"/> and returns its result, stopping it if <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <exception cref="GuestCallCanceledException">
    /// The token was cancelled before the call started (nothing ran), or while it ran, or the call was killed or timed
    /// out (the sandbox is now poisoned).
    /// </exception>
    /// <inheritdoc cref="Call{TResult}(string, ReadOnlySpan{GuestValue})"/>
    public TResult Call<TResult>(string name, CancellationToken cancellationToken, params ReadOnlySpan<GuestValue> args)
    {
        var value = Invoke(name, ValueConversion.GetType<TResult>(), args, cancellationToken);
        return ValueConversion.FromValue<TResult>(value);
    }

    /// <summary>Calls guest function <paramref name="name"/>, which returns nothing.</summary>
    /// <inheritdoc cref="Call{TResult}(string, ReadOnlySpan{GuestValue})"/>
    public void Call(string name, params ReadOnlySpan<GuestValue> args) => Invoke(name, GuestValueType.Void, args, CancellationToken.None);

    /// <summary>Calls guest function <paramref name="name"/>, which returns nothing, stopping it if <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <inheritdoc cref="Call{TResult}(string, CancellationToken, ReadOnlySpan{GuestValue})"/>
    public void Call(string name, CancellationToken cancellationToken, params ReadOnlySpan<GuestValue> args) =>
        Invoke(name, GuestValueType.Void, args, cancellationToken);

    /// <summary>Calls guest function <paramref name="name"/> with the return type known only at run time.</summary>
    /// <returns>The result; <c>default</c> (type <see cref="GuestValueType.Void"/>) for void functions.</returns>
    /// <inheritdoc cref="Call{TResult}(string, ReadOnlySpan{GuestValue})"/>
    public GuestValue Call(string name, GuestValueType returnType, params ReadOnlySpan<GuestValue> args) =>
        Invoke(name, returnType, args, CancellationToken.None);

    /// <summary>Calls guest function <paramref name="name"/> with the return type known only at run time, stopping it if <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <returns>The result; <c>default</c> (type <see cref="GuestValueType.Void"/>) for void functions.</returns>
    /// <inheritdoc cref="Call{TResult}(string, CancellationToken, ReadOnlySpan{GuestValue})"/>
    public GuestValue Call(string name, GuestValueType returnType, CancellationToken cancellationToken, params ReadOnlySpan<GuestValue> args) =>
        Invoke(name, returnType, args, cancellationToken);

    private GuestValue Invoke(string name, GuestValueType returnType, ReadOnlySpan<GuestValue> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var call = _observer.StartCall(name, _guestFunctions);
        try
        {
            var value = InvokeObserved(name, returnType, args, cancellationToken);
            SandboxObserver.CallSucceeded(call, name);
            return value;
        }
        catch (Exception e)
        {
            _observer.CallFailed(call, name, _guestFunctions, e, poisoned: ReferenceEquals(e, _poisonCause));
            throw;
        }
    }

    private GuestValue InvokeObserved(string name, GuestValueType returnType, ReadOnlySpan<GuestValue> args, CancellationToken cancellationToken)
    {
        Enter();
        try
        {
            ThrowIfNotReady();
            CheckCall(name, returnType, args);
            if (cancellationToken.IsCancellationRequested)
            {
                throw new GuestCallCanceledException(
                    $"The call to '{name}' was cancelled by its CancellationToken before it started; nothing ran.",
                    CallCancellationReason.TokenCanceled,
                    guestRan: false,
                    cancellationToken);
            }

            if (!MessageWriter.TryWriteCall(_buffers.Input(), name, returnType, args, out var callSize))
            {
                throw new GuestArgumentException(name,
                    $"The arguments of '{name}' need {MessageWriter.MeasureCall(name, args)} bytes, but the input buffer holds {_buffers.InputSize} bytes (SandboxOptions.InputBufferSize).");
            }

            _buffers.NoteInputWritten(0, callSize);

            _hostCalls.ClearParkedFailure();
            RunGuest(callSize, cancellationToken);
            return ReadResult(name, returnType);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Runs the guest, killable for the duration; any failure that leaves it in an unknown state, a stop
    /// part-way included, poisons the sandbox.
    /// </summary>
    private void RunGuest(int replyOffset, CancellationToken cancellationToken)
    {
        _unchangedSinceRestore = false;
        InterruptHandle.BeginCall(_callTimeout, cancellationToken);
        // Disposing the registration waits for a callback already running, so none outlives this call.
        var registration = cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(s_cancelFromToken, InterruptHandle) : default;
        try
        {
            _clock.Update();
            _runLoop.RunUntilDone(replyOffset);
        }
        catch (Exception e)
        {
            // The guest stopped at an unknown point, possibly inside a host call whose reply never came.
            _poisonCause = e;
            SettlePendingExit(e);
            throw;
        }
        finally
        {
            registration.Dispose();
            InterruptHandle.EndCall();
        }
    }

    /// <summary>
    /// Lets the hypervisor finish the exit the failed run stopped at now, before anything can be restored: completed
    /// later, an IN or INS would write its data over restored registers or memory. If even that fails, the vCPU holds
    /// state nothing can clear, and the sandbox becomes unrecoverable.
    /// </summary>
    private void SettlePendingExit(Exception failure)
    {
        try
        {
            _vm.SettlePendingExit();
        }
        catch (HypervisorException e)
        {
            _unrecoverableCause = new AggregateException(failure, e);
        }
    }

    private GuestValue ReadResult(string name, GuestValueType returnType)
    {
        try
        {
            var reader = _buffers.ReadOutput();
            if (reader.Kind == MessageKind.Error)
            {
                var (code, message) = reader.ReadError();
                throw ErrorFromGuest(name, code, message);
            }

            reader.ReadReturn(returnType, out var value);
            return value;
        }
        catch (GuestProtocolException e)
        {
            _poisonCause = e;
            throw;
        }
    }

    private Exception ErrorFromGuest(string name, int code, string message) => (WireErrorCode)code switch
    {
        WireErrorCode.HostFunction => new HostFunctionException(_hostCalls.ParkedFunctionName ?? string.Empty, message, _hostCalls.ParkedException),
        WireErrorCode.FunctionNotFound => new GuestFunctionNotFoundException(name),
        _ => new GuestErrorException(code, message),
    };

    /// <summary>Checks a call against the signature the guest announced, before the guest runs.</summary>
    private void CheckCall(string name, GuestValueType returnType, ReadOnlySpan<GuestValue> args)
    {
        if (!_guestFunctions.TryGetValue(name, out var signature))
        {
            throw new GuestFunctionNotFoundException(name);
        }

        if (signature.Mismatch(args, returnType, "function", "the call") is { } mismatch)
        {
            throw new GuestArgumentException(name, mismatch);
        }
    }

    /// <summary>Used by the generated <c>GetFunction</c> overloads: checks the signature once, when binding.</summary>
    private void Bind(string name, GuestValueType returnType, GuestValueType[] parameterTypes)
    {
        ObjectDisposedException.ThrowIf(_disposeRequested, this);
        if (!_guestFunctions.TryGetValue(name, out var signature))
        {
            throw new GuestFunctionNotFoundException(name);
        }

        var wanted = new GuestFunctionSignature(name, returnType, parameterTypes);
        if (!signature.Equals(wanted))
        {
            throw new GuestArgumentException(name, $"The guest function is {signature}, but the delegate is {wanted}.");
        }
    }
}
