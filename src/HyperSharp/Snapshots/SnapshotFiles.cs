using System.Globalization;
using HyperSharp.Memory;
using HyperSharp.Snapshots.Config;
using HyperSharp.Snapshots.Oci;
using Microsoft.Win32.SafeHandles;

namespace HyperSharp.Snapshots;

/// <summary>Joins a <see cref="Snapshot"/> to its files: config mapping and validation on one side, the OCI layout on the other.</summary>
internal static class SnapshotFiles
{
    public static string Save(Snapshot snapshot, string directory, string tag, SnapshotSaveOptions options)
    {
        var config = SnapshotConfigWriter.Write(SnapshotConfig.Of(snapshot));
        RequireLoadable(config);
        var image = snapshot.Memory.File;
        var addRef = false;
        try
        {
            // SAFETY: the reference keeps the image's file open while the non-owning handle below uses it, even if the
            // snapshot is disposed on another thread meanwhile; it is released in the finally block.
            image.DangerousAddRef(ref addRef);
            using var memory = new SafeFileHandle(image.DangerousGetHandle(), ownsHandle: false);
            return OciLayoutWriter.Write(directory, tag, config, memory, (long)snapshot.MemorySize, options.Durable, options.Progress).ToString();
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
        using var artifact = OciLayoutReader.Read(directory, reference, options.VerifyDigests, options.Progress);
        var contents = ReadConfig(artifact.Config);
        RequireMemorySize(artifact.Memory.Length, contents);

        if (HostMismatches(contents.Vcpu) is { Count: > 0 } mismatches)
        {
            throw new SnapshotMismatchException("The snapshot's vCPU state does not fit this host", mismatches);
        }

        var image = MemoryImage.FromFile(artifact.Memory.TakeHandle(), contents.Layout.MemorySize);
        return new Snapshot(image, contents.Layout, contents.Vcpu, FunctionTable(contents.GuestFunctions), contents.HostFunctions, contents.Generation);
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

    /// <summary>The index entries of <paramref name="directory"/>, in index order.</summary>
    public static IReadOnlyList<SnapshotEntry> List(string directory)
    {
        using var layout = LayoutDirectory.Open(directory);
        OciLayoutReader.ReadLayoutMarker(layout);
        return [.. OciLayoutReader.ReadIndex(layout).Manifests.Select(m => new SnapshotEntry(m.RefName, m.Digest, m.Size))];
    }

    /// <summary>
    /// Reads what <paramref name="reference"/> names with every structural check but without digest verification, and
    /// says whether this host could load it: a config that parses but breaks a rule, or does not fit this host, is
    /// reported in <see cref="SnapshotInfo.Incompatibilities"/> rather than thrown.
    /// </summary>
    public static SnapshotInfo Inspect(string directory, string reference)
    {
        using var artifact = OciLayoutReader.Read(directory, reference, verifyDigests: false);
        var config = OciLayoutReader.ParseConfig(artifact.Config);
        var incompatibilities = new List<string>();
        try
        {
            SnapshotConfigValidator.Validate(config);
            RequireMemorySize(artifact.Memory.Length, config);
            incompatibilities.AddRange(HostMismatches(config.Vcpu));
        }
        catch (SnapshotFormatException e)
        {
            incompatibilities.Add($"{e.Reason}: {e.Message}");
        }

        var saved = artifact.Entries[0].Annotations?.GetValueOrDefault(MediaTypes.CreatedAnnotation);
        var layout = config.Layout;
        return new SnapshotInfo
        {
            Tags = [.. artifact.Entries.Select(e => e.RefName).OfType<string>()],
            Saved = DateTimeOffset.TryParse(saved, CultureInfo.InvariantCulture, out var time) ? time : null,
            ManifestDigest = artifact.ManifestDigest.ToString(),
            ManifestSize = artifact.Entries[0].Size,
            ConfigDigest = artifact.Manifest.Config.Digest,
            ConfigSize = artifact.Manifest.Config.Size,
            MemoryDigest = artifact.Manifest.Layers[0].Digest,
            MemoryBlobSize = artifact.Memory.Length,
            FormatVersion = config.FormatVersion,
            AbiVersion = config.AbiVersion,
            Architecture = config.Architecture,
            Hypervisor = config.Hypervisor,
            CpuVendor = config.CpuVendor,
            LibraryVersion = config.LibraryVersion,
            Generation = config.Generation,
            MemorySize = config.MemorySize,
            ImageSize = layout.ImageSize,
            PageTablesSize = layout.PageTablesSize,
            Options = layout.Sizes,
            GuestFunctions = config.GuestFunctions,
            HostFunctions = config.HostFunctions,
            Incompatibilities = incompatibilities,
        };
    }

    private static void RequireMemorySize(long blobSize, SnapshotConfig config)
    {
        if ((ulong)blobSize != config.Layout.MemorySize)
        {
            throw new SnapshotFormatException(SnapshotFormatError.SizeMismatch,
                $"The memory blob is {blobSize} bytes but the config's memory_size is {config.Layout.MemorySize}.");
        }
    }

    /// <summary>
    /// The guest function table (names already checked unique). A plain dictionary: freezing one costs more than the
    /// lookups of a typical sandbox's lifetime save.
    /// </summary>
    private static Dictionary<string, GuestFunctionSignature> FunctionTable(IEnumerable<GuestFunctionSignature> functions) =>
        functions.ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>
    /// Parses and checks a config blob: everything of a snapshot but its memory. Any problem is a
    /// <see cref="SnapshotFormatException"/>.
    /// </summary>
    public static SnapshotConfig ReadConfig(byte[] json)
    {
        var config = OciLayoutReader.ParseConfig(json);
        SnapshotConfigValidator.Validate(config);
        return config;
    }
}
