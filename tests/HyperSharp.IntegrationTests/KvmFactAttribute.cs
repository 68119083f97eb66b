using System.Runtime.CompilerServices;
using HyperSharp.Tests.Shared;
using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>A test that needs a real KVM VM: skipped, with the reason, only where KVM is unavailable (<see cref="KvmRequirement"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class KvmFactAttribute : FactAttribute
{
    public KvmFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        Skip = KvmRequirement.SkipReason;
    }
}

/// <summary>A data-driven test that needs a real KVM VM.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class KvmTheoryAttribute : TheoryAttribute
{
    public KvmTheoryAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        Skip = KvmRequirement.SkipReason;
    }
}
