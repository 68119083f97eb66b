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
        var config = OciLayoutReader.ParseConfig(artifact.Config);
        SnapshotConfigValidator.Validate(config);
        if ((ulong)artifact.Memory.Length != config.MemorySize)
        {
            throw new SnapshotFormatException(SnapshotFormatError.SizeMismatch,
                $"The memory blob is {artifact.Memory.Length} bytes but the config's memory_size is {config.MemorySize}.");
        }

        var image = MemoryImage.FromFile(artifact.Memory.TakeDescriptor(), config.MemorySize);
        return new Snapshot(
            image,
            SnapshotConfigMapper.ToLayout(config.Layout),
            SnapshotConfigMapper.ToVcpu(config.Vcpu),
            SnapshotConfigMapper.ToFunctionTable(config.GuestFunctions),
            [.. config.HostFunctions.Select(SnapshotConfigMapper.ToSignature)],
            config.Generation);
    }
}
