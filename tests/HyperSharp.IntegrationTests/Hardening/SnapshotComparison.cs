using System.Runtime.InteropServices;
using HyperSharp.Hypervisors.Kvm;
using HyperSharp.Memory;
using Xunit;

namespace HyperSharp.IntegrationTests.Hardening;

/// <summary>Compares two snapshots byte by byte and register by register, less what the host rewrites on purpose.</summary>
internal static class SnapshotComparison
{
    /// <summary>
    /// Every byte of guest memory and every part of the vCPU state are equal, except the PEB's random seed and its
    /// generation (a restore writes new ones, so restored sandboxes never repeat a sequence) and the TSC, which runs on.
    /// </summary>
    public static void AssertSame(Snapshot expected, Snapshot actual)
    {
        var before = ReadImage(expected);
        var after = ReadImage(actual);
        Assert.Equal(before.Length, after.Length);
        var seed = (int)GuestAbi.PebAddress + GuestAbi.Peb.RandomSeed;
        var seedEnd = (int)GuestAbi.PebAddress + GuestAbi.Peb.SeedGeneration + sizeof(ulong);
        for (var i = 0; i < before.Length; i++)
        {
            if (before[i] != after[i] && (i < seed || i >= seedEnd))
            {
                Assert.Fail($"Guest memory differs from the snapshot at 0x{i:x}: 0x{before[i]:x2} became 0x{after[i]:x2}.");
            }
        }

        var (a, b) = (expected.Vcpu, actual.Vcpu);
        AssertSameBytes(a.Registers, b.Registers);
        AssertSameBytes(a.SpecialRegisters, b.SpecialRegisters);
        Assert.Equal(a.Xsave, b.Xsave);
        Assert.Equal(a.Xcr0, b.Xcr0);
        Assert.Equal(a.DebugRegisters, b.DebugRegisters);
        AssertSameBytes(a.Events, b.Events);
        Assert.Equal(a.Msrs.Where(m => m.Index != KvmMsrs.MSR_IA32_TSC), b.Msrs.Where(m => m.Index != KvmMsrs.MSR_IA32_TSC));
    }

    /// <summary>The two structs' bytes are equal, or the message names the first offset where they differ.</summary>
    private static void AssertSameBytes<T>(T expected, T actual)
        where T : unmanaged
    {
        var before = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in expected));
        var after = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in actual));
        var at = before.CommonPrefixLength(after);
        if (at < before.Length)
        {
            Assert.Fail($"{typeof(T).Name} differs from the snapshot at byte {at}: 0x{before[at]:x2} became 0x{after[at]:x2}.");
        }
    }

    /// <summary>The image's file, read through a second descriptor of it.</summary>
    private static byte[] ReadImage(Snapshot snapshot) => File.ReadAllBytes($"/proc/self/fd/{((HyperSharp.Interop.SafeFileDescriptor)snapshot.Memory.File).Number}");
}
