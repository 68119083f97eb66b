using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace HyperSharp.Cli.Commands.Snapshots;

/// <summary><c>hypersharp snapshot inspect dir [ref]</c>: everything a snapshot's manifest and config record, as a table or JSON.</summary>
internal static class InspectCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The OCI image layout directory." };
        var reference = ReferenceArgument();
        var json = JsonOutput.CreateOption();
        var command = new Command("inspect", "Shows a snapshot's versions, platform, sizes, digests and functions. Reads the manifest and config only; digests are not verified.")
        {
            directory, reference, json,
        };
        command.SetAction(parseResult =>
        {
            var dir = parseResult.GetRequiredValue(directory);
            var snapshot = SnapshotDirectory.Inspect(dir, SnapshotDirectory.Resolve(dir, parseResult.GetValue(reference)));
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json))
            {
                JsonOutput.Write(output, writer => WriteJson(writer, snapshot));
            }
            else
            {
                WriteTable(snapshot, output);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The optional reference argument of <c>inspect</c> and <c>verify</c>.</summary>
    public static Argument<string?> ReferenceArgument() => new("ref")
    {
        Arity = ArgumentArity.ZeroOrOne,
        Description = "A tag or a manifest digest (sha256:…); defaults to the directory's only tag.",
    };

    private static void WriteTable(SnapshotInfo snapshot, TextWriter output)
    {
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
    }

    /// <summary>The same record with sizes in bytes, the save time in ISO 8601 (null if not recorded).</summary>
    private static void WriteJson(Utf8JsonWriter writer, SnapshotInfo snapshot)
    {
        writer.WriteStartObject();
        Strings(writer, "tags", snapshot.Tags);
        if (snapshot.Saved is { } saved)
        {
            writer.WriteString("saved", saved);
        }
        else
        {
            writer.WriteNull("saved");
        }

        writer.WriteNumber("formatVersion", snapshot.FormatVersion);
        writer.WriteNumber("abiVersion", snapshot.AbiVersion);
        writer.WriteString("architecture", snapshot.Architecture);
        writer.WriteString("hypervisor", snapshot.Hypervisor);
        writer.WriteString("cpuVendor", snapshot.CpuVendor);
        writer.WriteString("libraryVersion", snapshot.LibraryVersion);
        writer.WriteBoolean("loadableHere", snapshot.IsLoadableHere);
        Strings(writer, "incompatibilities", snapshot.Incompatibilities);
        writer.WriteNumber("generation", snapshot.Generation);
        writer.WriteNumber("memorySize", snapshot.MemorySize);
        writer.WriteNumber("imageSize", snapshot.ImageSize);
        writer.WriteNumber("heapSize", snapshot.Options.HeapSize);
        writer.WriteNumber("stackSize", snapshot.Options.StackSize);
        writer.WriteNumber("inputBufferSize", snapshot.Options.InputBufferSize);
        writer.WriteNumber("outputBufferSize", snapshot.Options.OutputBufferSize);
        writer.WriteNumber("pageTablesSize", snapshot.PageTablesSize);
        Blob(writer, "manifest", snapshot.ManifestDigest, snapshot.ManifestSize);
        Blob(writer, "config", snapshot.ConfigDigest, snapshot.ConfigSize);
        Blob(writer, "memory", snapshot.MemoryDigest, snapshot.MemoryBlobSize);
        Functions(writer, "guestFunctions", snapshot.GuestFunctions);
        Functions(writer, "hostFunctions", snapshot.HostFunctions);
        writer.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void Blob(Utf8JsonWriter writer, string name, string digest, long size)
    {
        writer.WriteStartObject(name);
        writer.WriteString("digest", digest);
        writer.WriteNumber("size", size);
        writer.WriteEndObject();
    }

    private static void Functions(Utf8JsonWriter writer, string name, IReadOnlyList<GuestFunctionSignature> functions)
    {
        writer.WriteStartArray(name);
        foreach (var function in functions)
        {
            writer.WriteStartObject();
            writer.WriteString("name", function.Name);
            writer.WriteString("returnType", function.ReturnType.ToString());
            Strings(writer, "parameterTypes", [.. function.ParameterTypes.Select(type => type.ToString())]);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
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
