using System.Runtime.InteropServices;

namespace HyperSharp.Interop;

/// <summary>
/// One counted reference to another <see cref="SafeHandle"/>, held until this object is disposed or finalized: the
/// target stays open (its native resource alive) while the reference lives, even if its owner disposes it. Being a
/// <see cref="SafeHandle"/> itself, it is released by the runtime's critical finalizer when nobody disposes it, so an
/// object that keeps another's handle open this way leaks nothing when it is abandoned.
/// </summary>
internal sealed class SafeHandleReference<T> : SafeHandle
    where T : SafeHandle
{
    private readonly T _target;

    /// <exception cref="ObjectDisposedException">The target is already closed.</exception>
    public SafeHandleReference(T target)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        var added = false;
        // SAFETY: a successful DangerousAddRef is paired with exactly one DangerousRelease, in ReleaseHandle, which the
        // runtime runs once (on Dispose or finalization); if it throws, `added` stays false and nothing is held.
        target.DangerousAddRef(ref added);
        _target = target;
        // SAFETY: the value is only a marker that this handle is valid; it is never passed to native code from here.
        SetHandle(target.DangerousGetHandle());
    }

    /// <summary>The referenced handle, open for as long as this reference is.</summary>
    public T Target => _target;

    public override bool IsInvalid => handle == -1;

    protected override bool ReleaseHandle()
    {
        _target.DangerousRelease();
        return true;
    }
}
