using HyperSharp.Calls;
using HyperSharp.Execution;

namespace HyperSharp;

/// <summary>
/// Calling the guest from async code: the call runs on a thread HyperSharp owns (<see cref="VcpuThreads"/>), never on a
/// thread-pool thread, which would block in the hypervisor for as long as the guest runs.
/// </summary>
public sealed partial class Sandbox
{
    /// <summary>Calls guest function <paramref name="name"/> on a HyperSharp thread and returns its result.</summary>
    /// <inheritdoc cref="CallAsync{TResult}(string, GuestValue[], CancellationToken)"/>
    public Task<TResult> CallAsync<TResult>(string name, params GuestValue[] args) => CallAsync<TResult>(name, args, CancellationToken.None);

    /// <summary>
    /// Calls guest function <paramref name="name"/> on a HyperSharp thread and returns its result. Cancelling
    /// <paramref name="cancellationToken"/> stops the guest if it is running, or keeps it from starting.
    /// </summary>
    /// <returns>A task that ends as <see cref="Call{TResult}(string, CancellationToken, ReadOnlySpan{GuestValue})"/> would, with the same exceptions.</returns>
    public async Task<TResult> CallAsync<TResult>(string name, GuestValue[] args, CancellationToken cancellationToken)
    {
        var value = await CallAsync(name, ValueConversion.GetType<TResult>(), args, cancellationToken).ConfigureAwait(false);
        return ValueConversion.FromValue<TResult>(value);
    }

    /// <summary>Calls guest function <paramref name="name"/>, which returns nothing, on a HyperSharp thread.</summary>
    /// <inheritdoc cref="CallAsync{TResult}(string, GuestValue[], CancellationToken)"/>
    public Task CallAsync(string name, params GuestValue[] args) => CallAsync(name, GuestValueType.Void, args, CancellationToken.None);

    /// <summary>Calls guest function <paramref name="name"/>, which returns nothing, on a HyperSharp thread, stopping it if <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <inheritdoc cref="CallAsync{TResult}(string, GuestValue[], CancellationToken)"/>
    public Task CallAsync(string name, GuestValue[] args, CancellationToken cancellationToken) => CallAsync(name, GuestValueType.Void, args, cancellationToken);

    /// <summary>Calls guest function <paramref name="name"/> with the return type known only at run time, on a HyperSharp thread.</summary>
    /// <returns>The result; <c>default</c> (type <see cref="GuestValueType.Void"/>) for void functions.</returns>
    /// <inheritdoc cref="CallAsync{TResult}(string, GuestValue[], CancellationToken)"/>
    public Task<GuestValue> CallAsync(string name, GuestValueType returnType, GuestValue[] args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(args);
        var call = new AsyncCall(this, name, returnType, args, cancellationToken);
        VcpuThreads.Queue(call);
        return call.Task;
    }

    /// <summary>One queued call: run on a vCPU thread, completed with the outcome, continuations off that thread.</summary>
    private sealed class AsyncCall(Sandbox sandbox, string name, GuestValueType returnType, GuestValue[] args, CancellationToken cancellationToken)
        : TaskCompletionSource<GuestValue>(TaskCreationOptions.RunContinuationsAsynchronously), VcpuThreads.IWorkItem
    {
        public void Run()
        {
            try
            {
                SetResult(sandbox.Invoke(name, returnType, args, cancellationToken));
            }
#pragma warning disable CA1031 // Every outcome, exceptions included, belongs to the awaiting caller.
            catch (Exception e)
#pragma warning restore CA1031
            {
                SetException(e);
            }
        }
    }
}
