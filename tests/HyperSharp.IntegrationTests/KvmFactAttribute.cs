using System.Runtime.CompilerServices;
using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>A test that needs a real KVM VM: skipped, with the reason, only where KVM is unavailable.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class KvmFactAttribute : FactAttribute
{
    public KvmFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (!Hypervisor.IsAvailable)
        {
            Skip = $"KVM is unavailable: {Hypervisor.UnavailableReason}";
        }
    }
}

/// <summary>A data-driven test that needs a real KVM VM.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class KvmTheoryAttribute : TheoryAttribute
{
    public KvmTheoryAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (!Hypervisor.IsAvailable)
        {
            Skip = $"KVM is unavailable: {Hypervisor.UnavailableReason}";
        }
    }
}
