using System.Text.Json;
using HyperSharp.Memory;
using HyperSharp.Snapshots.Oci;
using Microsoft.Win32.SafeHandles;

namespace HyperSharp.Snapshots;

/// <summary>Joins a <see cref="Snapshot"/> to its files: config mapping and validation on one side, the OCI layout on the other.</summary>
internal static class SnapshotFiles
{
    public static string Save(Snapshot snapshot, string directory, string tag, SnapshotSaveOptions options)
    {
        var config = JsonSerializer.SerializeToUtf8Bytes(SnapshotConfigMapper.ToConfig(snapshot), SnapshotConfigJsonContext.Default.SnapshotConfig);
        RequireLoadable(config);
        var image = snapshot.Memory.File;
        var addRef = false;
        try
        {
            // SAFETY: the reference keeps the image's file open while the non-owning handle below uses it, even if the
            // snapshot is disposed on another thread meanwhile; it is released in the finally block.
            image.DangerousAddRef(ref addRef);
            using var memory = new SafeFileHandle(image.DangerousGetHandle(), ownsHandle: false);
            return OciLayoutWriter.Write(directory, tag, config, memory, (long)snapshot.MemorySize, options.Durable).ToString();
        }
        finally
        {
            if (addRef)
            {
                image.DangerousRelease();
            }
        }
    }

    public static Snapshot Load(string directory, string reference, SnapshotLoadOptions options)
    {
        using var artifact = OciLayoutReader.Read(directory, reference, options.VerifyDigests);
        var contents = ReadConfig(artifact.Config);
        if ((ulong)artifact.Memory.Length != contents.Layout.MemorySize)
        {
            throw new SnapshotFormatException(SnapshotFormatError.SizeMismatch,
                $"The memory blob is {artifact.Memory.Length} bytes but the config's memory_size is {contents.Layout.MemorySize}.");
        }

        if (HostMismatches(contents.Vcpu) is { Count: > 0 } mismatches)
        {
            throw new SnapshotMismatchException("The snapshot's vCPU state does not fit this host", mismatches);
        }

        var image = MemoryImage.FromFile(artifact.Memory.TakeDescriptor(), contents.Layout.MemorySize);
        return new Snapshot(image, contents.Layout, contents.Vcpu, contents.GuestFunctions, contents.HostFunctions, contents.Generation);
    }

    /// <summary>
    /// Where the hypervisor is available, every way <paramref name="vcpu"/> does not fit this host's vCPUs; empty without
    /// one, so a snapshot still loads there (to inspect or copy it) and <see cref="Sandbox.FromSnapshot"/> checks it again.
    /// </summary>
    public static List<string> HostMismatches(Hypervisors.VcpuState vcpu) =>
        Hypervisor.IsAvailable ? Hypervisors.HypervisorBackend.Current.StateMismatches(vcpu) : [];

    /// <summary>
    /// Refuses, before anything is written, a config that <see cref="Load"/> would refuse: the same cap and the same
    /// reader and validator, run on the very bytes <see cref="Save"/> is about to write. A guest controls much of what a
    /// snapshot holds (its stack pointer, its function names), so a snapshot taken in this process can break a rule.
    /// </summary>
    private static void RequireLoadable(byte[] config)
    {
        try
        {
            if (config.Length > OciLayoutReader.MaxJsonSize)
            {
                throw new SnapshotFormatException(SnapshotFormatError.TooLarge,
                    $"The config is {config.Length} bytes; Snapshot.Load reads at most {OciLayoutReader.MaxJsonSize}.");
            }

            ReadConfig(config);
        }
        catch (SnapshotFormatException e)
        {
            throw new SnapshotFormatException(e.Reason, $"The snapshot was not saved, because Snapshot.Load would refuse it: {e.Message}", e);
        }
    }

    /// <summary>
    /// Parses, checks and converts a config blob: everything of a snapshot but its memory. Any problem is a
    /// <see cref="SnapshotFormatException"/>.
    /// </summary>
    public static ConfigContents ReadConfig(byte[] json)
    {
        var config = OciLayoutReader.ParseConfig(json);
        SnapshotConfigValidator.Validate(config);
        return new ConfigContents(
            SnapshotConfigMapper.ToLayout(config.Layout),
            SnapshotConfigMapper.ToVcpu(config.Vcpu),
            SnapshotConfigMapper.ToFunctionTable(config.GuestFunctions),
            [.. config.HostFunctions.Select(SnapshotConfigMapper.ToSignature)],
            config.Generation);
    }

    /// <summary>What a config blob holds, converted (<see cref="ReadConfig"/>).</summary>
    public sealed record ConfigContents(
        MemoryLayout Layout,
        Hypervisors.VcpuState Vcpu,
        IReadOnlyDictionary<string, GuestFunctionSignature> GuestFunctions,
        IReadOnlyList<GuestFunctionSignature> HostFunctions,
        ulong Generation);
}
