using Xunit;

namespace HyperSharp.AbiTests;

/// <summary>
/// Runs mingw-w64's cross compiler, the oracle for structs and constants mirrored from the Windows SDK headers
/// (<c>winhvplatform.h</c>, <c>memoryapi.h</c>, <c>fileapi.h</c>): Debian's <c>gcc-mingw-w64-x86-64</c> and
/// <c>mingw-w64-x86-64-dev</c>, which <c>.ci/run</c> installs. Nothing it compiles is ever run.
/// </summary>
internal static class MingwCompiler
{
    public const string Name = "x86_64-w64-mingw32-gcc";

    private static readonly Lazy<bool> s_available = new(() => ProcessRunner.CanRun(Name));

    /// <summary>Skips the calling test, with the reason, when the cross compiler is not installed.</summary>
    public static void SkipUnlessAvailable() =>
        Assert.SkipUnless(s_available.Value, $"{Name} is not on PATH; the Windows SDK header tests need Debian's gcc-mingw-w64-x86-64 and mingw-w64-x86-64-dev.");

    /// <summary>Compiles <paramref name="source"/> (written to a fresh temporary directory, deleted afterwards) with <paramref name="arguments"/>.</summary>
    public static ProcessResult Compile(string source, params string[] arguments)
    {
        using var directory = new TemporaryDirectory();
        var file = directory.Combine("source.c");
        File.WriteAllText(file, source);
        return ProcessRunner.Run(Name, [.. arguments, file], directory.Path);
    }
}
