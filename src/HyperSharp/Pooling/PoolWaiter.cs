namespace HyperSharp.Pooling;

/// <summary>
/// A renter waiting for a sandbox. The pool hands one over with <see cref="TaskCompletionSource{TResult}.TrySetResult"/>;
/// a renter that gives up cancels first, so exactly one of the two wins and no sandbox is handed to nobody.
/// </summary>
internal sealed class PoolWaiter() : TaskCompletionSource<PooledSandbox>(TaskCreationOptions.RunContinuationsAsynchronously);
