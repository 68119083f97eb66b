using System.CommandLine;
using System.Globalization;

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
        var snapshot = SnapshotDirectory.Inspect(directory, reference);
        var sizes = snapshot.Options;
        var rows = new List<(string Key, string Value)>
        {
            ("Tags", snapshot.Tags.Count == 0 ? "none (reachable by digest only)" : string.Join(", ", snapshot.Tags)),
            ("Saved", snapshot.Saved?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "not recorded"),
            ("Format version", Number(snapshot.FormatVersion)),
            ("Guest ABI version", Number(snapshot.AbiVersion)),
            ("Architecture", snapshot.Architecture),
            ("Hypervisor", snapshot.Hypervisor),
            ("CPU vendor", snapshot.CpuVendor),
            ("Library version", snapshot.LibraryVersion),
            ("Loadable here", snapshot.IsLoadableHere ? "yes" : $"no: {string.Join("; ", snapshot.Incompatibilities)}"),
            ("Generation", Number(snapshot.Generation)),
            ("Memory size", ByteSizes.Format(snapshot.MemorySize)),
            ("Layout", $"image {ByteSizes.Format(snapshot.ImageSize)}, heap {ByteSizes.Format(sizes.HeapSize)}, stack {ByteSizes.Format(sizes.StackSize)}, "
                + $"input {ByteSizes.Format(sizes.InputBufferSize)}, output {ByteSizes.Format(sizes.OutputBufferSize)}, page tables {ByteSizes.Format(snapshot.PageTablesSize)}"),
            ("Manifest", Blob(snapshot.ManifestDigest, snapshot.ManifestSize)),
            ("Config", Blob(snapshot.ConfigDigest, snapshot.ConfigSize)),
            ("Memory", Blob(snapshot.MemoryDigest, snapshot.MemoryBlobSize)),
        };
        var width = rows.Max(row => row.Key.Length) + 2;
        foreach (var (key, value) in rows)
        {
            output.WriteLine(key.PadRight(width) + value);
        }

        Functions(output, "Guest functions", snapshot.GuestFunctions);
        Functions(output, "Host functions", snapshot.HostFunctions);
        return ExitCodes.Success;
    }

    private static void Functions(TextWriter output, string title, IReadOnlyList<GuestFunctionSignature> functions)
    {
        output.WriteLine($"{title} ({functions.Count})");
        foreach (var function in functions)
        {
            output.WriteLine($"  {function}");
        }
    }

    private static string Blob(string digest, long size) => string.Create(CultureInfo.InvariantCulture, $"{digest}  {size:N0} bytes");

    private static string Number<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
