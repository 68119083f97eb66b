namespace HyperSharp;

/// <summary>Whether a sandbox accepts calls.</summary>
public enum SandboxState
{
    /// <summary>Ready for the next call.</summary>
    Ready,

    /// <summary>An abort, fault or protocol violation left the guest in an unknown state; calls are refused until <see cref="Sandbox.Restore()"/>.</summary>
    Poisoned,

    /// <summary>A restore failed halfway; every call and restore is refused. Dispose the sandbox.</summary>
    Unrecoverable,

    /// <summary>Disposed; every member but <see cref="Sandbox.State"/> and <see cref="IDisposable.Dispose"/> throws <see cref="ObjectDisposedException"/>.</summary>
    Disposed,
}
