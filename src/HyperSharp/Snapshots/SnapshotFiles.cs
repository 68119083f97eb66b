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
        var memfd = snapshot.Memory.Memfd;
        var addRef = false;
        try
        {
            memfd.DangerousAddRef(ref addRef);
            using var memory = new SafeFileHandle(memfd.DangerousGetHandle(), ownsHandle: false);
            return OciLayoutWriter.Write(directory, tag, config, memory, (long)snapshot.MemorySize, options.Durable).ToString();
        }
        finally
        {
            if (addRef)
            {
                memfd.DangerousRelease();
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

        var image = MemoryImage.FromFile(artifact.Memory.TakeDescriptor(), contents.Layout.MemorySize);
        return new Snapshot(image, contents.Layout, contents.Vcpu, contents.GuestFunctions, contents.HostFunctions, contents.Generation);
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
