using System.Reflection;
using HyperSharp.Memory;

namespace HyperSharp.IntegrationTests;

/// <summary>What tests read of a sandbox beyond its public API: its guest memory, to compare bytes.</summary>
internal static class SandboxInternals
{
    private static readonly FieldInfo s_memory = typeof(Sandbox).GetField("_memory", BindingFlags.NonPublic | BindingFlags.Instance)!;

    public static GuestMemory MemoryOf(Sandbox sandbox) => (GuestMemory)s_memory.GetValue(sandbox)!;
}
