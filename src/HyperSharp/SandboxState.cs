namespace HyperSharp;

/// <summary>Whether a sandbox accepts calls.</summary>
public enum SandboxState
{
    /// <summary>Ready for the next call.</summary>
    Ready,

    /// <summary>An abort, fault or protocol violation left the guest in an unknown state; calls are refused until the sandbox is restored.</summary>
    Poisoned,

    /// <summary>Disposed; every member but <see cref="Sandbox.State"/> and <see cref="IDisposable.Dispose"/> throws <see cref="ObjectDisposedException"/>.</summary>
    Disposed,
}
