using System.CommandLine;
using System.Globalization;
using HyperSharp.Snapshots;
using HyperSharp.Snapshots.Oci;

namespace HyperSharp.Cli.Commands.Snapshots;

/// <summary><c>hypersharp snapshot inspect dir [ref]</c>: everything a snapshot's manifest and config record, as a table.</summary>
internal static class InspectCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The OCI image layout directory." };
        var reference = ReferenceArgument();
        var command = new Command("inspect", "Shows a snapshot's versions, platform, sizes, digests and functions. Reads the manifest and config only; digests are not verified.")
        {
            directory, reference,
        };
        command.SetAction(parseResult =>
        {
            var dir = parseResult.GetRequiredValue(directory);
            return Execute(dir, SnapshotDirectory.Resolve(dir, parseResult.GetValue(reference)), parseResult.InvocationConfiguration.Output);
        });
        return command;
    }

    /// <summary>The optional reference argument of <c>inspect</c> and <c>verify</c>.</summary>
    public static Argument<string?> ReferenceArgument() => new("ref")
    {
        Arity = ArgumentArity.ZeroOrOne,
        Description = "A tag or a manifest digest (sha256:…); defaults to the directory's only tag.",
    };

    private static int Execute(string directory, string reference, TextWriter output)
    {
        var snapshot = SnapshotDirectory.Describe(directory, reference);
        var config = snapshot.Settings;
        var layout = config.Layout;
        var rows = new List<(string Key, string Value)>
        {
            ("Tags", snapshot.Tags.Count == 0 ? "none (reachable by digest only)" : string.Join(", ", snapshot.Tags)),
            ("Saved", snapshot.Manifest.Annotations?.GetValueOrDefault(MediaTypes.CreatedAnnotation) ?? "not recorded"),
            ("Format version", Number(config.FormatVersion)),
            ("Guest ABI version", Number(config.AbiVersion)),
            ("Architecture", config.Architecture),
            ("Hypervisor", config.Hypervisor),
            ("CPU vendor", config.CpuVendor),
            ("Library version", config.LibraryVersion),
            ("Loadable here", Compatibility(config)),
            ("Generation", Number(config.Generation)),
            ("Memory size", ByteSizes.Format(config.MemorySize)),
            ("Layout", $"image {ByteSizes.Format(layout.ImageSize)}, heap {ByteSizes.Format(layout.HeapSize)}, stack {ByteSizes.Format(layout.StackSize)}, "
                + $"input {ByteSizes.Format(layout.InputSize)}, output {ByteSizes.Format(layout.OutputSize)}, page tables {ByteSizes.Format(layout.PageTablesSize)}"),
            ("Manifest", Blob(snapshot.Manifest)),
            ("Config", Blob(snapshot.Config)),
            ("Memory", Blob(snapshot.Memory)),
        };
        var width = rows.Max(row => row.Key.Length) + 2;
        foreach (var (key, value) in rows)
        {
            output.WriteLine(key.PadRight(width) + value);
        }

        Functions(output, "Guest functions", config.GuestFunctions);
        Functions(output, "Host functions", config.HostFunctions);
        return ExitCodes.Success;
    }

    /// <summary>Whether <see cref="Snapshot.Load"/> would accept the config on this host (versions, platform, layout, vCPU state).</summary>
    private static string Compatibility(SnapshotConfig config)
    {
        try
        {
            SnapshotConfigValidator.Validate(config);
        }
        catch (SnapshotFormatException e)
        {
            return $"no: {e.Reason}: {e.Message}";
        }

        var mismatches = SnapshotFiles.HostMismatches(SnapshotConfigMapper.ToVcpu(config.Vcpu));
        return mismatches.Count == 0 ? "yes" : $"no: {string.Join("; ", mismatches)}";
    }

    private static void Functions(TextWriter output, string title, List<SnapshotConfigFunction> functions)
    {
        output.WriteLine($"{title} ({functions.Count})");
        foreach (var function in functions)
        {
            output.WriteLine($"  {SnapshotConfigMapper.ToSignature(function)}");
        }
    }

    private static string Blob(OciDescriptor descriptor) =>
        string.Create(CultureInfo.InvariantCulture, $"{descriptor.Digest}  {descriptor.Size:N0} bytes");

    private static string Number<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
