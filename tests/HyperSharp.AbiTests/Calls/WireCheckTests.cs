using Xunit;

namespace HyperSharp.AbiTests.Calls;

/// <summary>The C codec (guest/src/wire.c) against the shared vectors, through guest/tools/wirecheck.c.</summary>
public sealed class WireCheckTests
{
    private static string VectorsPath => Path.Combine(GccCompiler.RepositoryRoot, "tests", "vectors", "wire.txt");

    [Fact]
    public void CCodecPassesEverySharedVector()
    {
        GccCompiler.SkipUnlessAvailable();
        using var directory = new TemporaryDirectory();
        var wirecheck = BuildWireCheck(directory);

        var result = ProcessRunner.Run(wirecheck, [VectorsPath]);
        Assert.True(result.ExitCode == 0, result.ToString());

        // Every vector line was checked, not silently skipped.
        var vectors = File.ReadLines(VectorsPath).Count(line => line.Trim() is { Length: > 0 } text && !text.StartsWith('#'));
        Assert.Contains($"{vectors} vectors ok", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void WireCheckFailsOnWrongVectors()
    {
        GccCompiler.SkipUnlessAvailable();
        using var directory = new TemporaryDirectory();
        var wirecheck = BuildWireCheck(directory);
        var ok = File.ReadLines(VectorsPath).First(line => line.StartsWith("return_int_max ok ", StringComparison.Ordinal));
        var wrongRendering = ok.Replace("INT:2147483647", "INT:2147483646", StringComparison.Ordinal);
        var goodMarkedBad = ok[..ok.IndexOf(" | ", StringComparison.Ordinal)].Replace(" ok ", " bad ", StringComparison.Ordinal);

        foreach (var line in new[] { wrongRendering, goodMarkedBad })
        {
            var file = directory.Combine("wrong.txt");
            File.WriteAllText(file, line + "\n");
            var result = ProcessRunner.Run(wirecheck, [file]);
            Assert.True(result.ExitCode != 0, $"wirecheck accepted '{line}'\n{result}");
        }
    }

    private static string BuildWireCheck(TemporaryDirectory directory)
    {
        var source = Path.Combine(GccCompiler.RepositoryRoot, "guest", "tools", "wirecheck.c");

        // Not a skip: the checker is part of the deliverable, so its absence is a failure.
        Assert.True(File.Exists(source), $"{source} does not exist.");
        var output = directory.Combine("wirecheck");
        var result = GccCompiler.Run(
            directory.Path,
            "-O1", "-Wall", "-Werror", "-I" + GccCompiler.IncludeDirectory,
            source, Path.Combine(GccCompiler.RepositoryRoot, "guest", "src", "wire.c"),
            "-o", output);
        Assert.True(result.ExitCode == 0, "gcc could not build wirecheck: " + result);
        return output;
    }
}
