using HyperSharp.Tests.Shared;
using Xunit;

namespace HyperSharp.Cli.Tests;

/// <summary>Runs the CLI in-process, as a user would from a shell, and captures what it prints.</summary>
internal static class Cli
{
    public static string SimpleGuest => GuestPath("simpleguest.elf");

    /// <summary>A test guest the build copied next to the tests.</summary>
    public static string GuestPath(string fileName) => Path.Combine(AppContext.BaseDirectory, "guests", fileName);

    public static CliResult Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = Program.Run(args, stdout, stderr);
        return new CliResult(exitCode, stdout.ToString().ReplaceLineEndings("\n"), stderr.ToString().ReplaceLineEndings("\n"));
    }

    /// <summary><c>hypersharp run simpleguest.elf function args…</c>.</summary>
    public static CliResult RunGuest(string function, params string[] args) => Run(["run", SimpleGuest, function, .. args]);

    public static void RequireKvm() => Assert.SkipWhen(KvmRequirement.SkipReason is not null, KvmRequirement.SkipReason ?? string.Empty);
}

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Asserts success and returns stdout, showing stderr when it failed.</summary>
    public string Succeeded()
    {
        Assert.True(ExitCode == ExitCodes.Success, $"exit code {ExitCode}, stderr: {Stderr}");
        Assert.Equal("", Stderr);
        return Stdout;
    }

    /// <summary>Asserts a failure with <paramref name="exitCode"/> and nothing on stdout, and returns the error text.</summary>
    public string Failed(int exitCode)
    {
        Assert.True(ExitCode == exitCode, $"exit code {ExitCode}, expected {exitCode}; stdout: {Stdout}; stderr: {Stderr}");
        Assert.StartsWith("error: ", Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Stderr, StringComparison.Ordinal);
        return Stderr;
    }
}
