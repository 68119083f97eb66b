using System.Diagnostics;
using Xunit;

namespace HyperSharp.AbiTests;

/// <summary>
/// Runs gcc for tests that use the C compiler as the oracle for guest/include/hypersharp (struct layouts,
/// constants) or build hosted C tools from guest/.
/// </summary>
internal static class GccCompiler
{
    private static readonly Lazy<bool> s_available = new(() => ProcessRunner.CanRun("gcc"));

    /// <summary>Whether <c>gcc</c> can be started from PATH.</summary>
    public static bool IsAvailable => s_available.Value;

    /// <summary>The checkout the tests run from: the first directory above the test binary holding guest/include/hypersharp/abi.h.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary><c>guest/include</c>, the directory to pass with <c>-I</c>.</summary>
    public static string IncludeDirectory => Path.Combine(RepositoryRoot, "guest", "include");

    /// <summary>Skips the calling test, with the reason, when gcc is not installed.</summary>
    public static void SkipUnlessAvailable() => Assert.SkipUnless(IsAvailable, "gcc is not on PATH; the C oracle tests need it.");

    /// <summary>
    /// Compiles <paramref name="source"/> (written to <c>source.c</c> in a fresh temporary directory, which is deleted
    /// afterwards) with <c>gcc -I guest/include</c> plus <paramref name="arguments"/>, e.g. <c>-fsyntax-only -Werror</c>.
    /// </summary>
    public static ProcessResult Compile(string source, params string[] arguments)
    {
        using var directory = new TemporaryDirectory();
        var file = directory.Combine("source.c");
        File.WriteAllText(file, source);
        return Run(directory.Path, [.. arguments, "-I" + IncludeDirectory, file]);
    }

    /// <summary>Runs gcc with exactly <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static ProcessResult Run(string workingDirectory, params string[] arguments) =>
        ProcessRunner.Run("gcc", arguments, workingDirectory);

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "guest", "include", "hypersharp", "abi.h")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"guest/include/hypersharp/abi.h not found above {AppContext.BaseDirectory}.");
    }
}

/// <summary>The outcome of a finished process.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Exit code and both streams, for assertion messages.</summary>
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>Starts a process and collects its output.</summary>
internal static class ProcessRunner
{
    /// <summary>Whether <paramref name="fileName"/> starts from PATH and answers <c>--version</c>.</summary>
    public static bool CanRun(string fileName)
    {
        try
        {
            return Run(fileName, ["--version"]).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Runs <paramref name="fileName"/> to completion (killing it after <paramref name="timeout"/>, default one minute).</summary>
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");

        // Read both streams concurrently so neither pipe can fill up and block the child.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish in time.");
        }

        return new ProcessResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}

/// <summary>A fresh directory under the system temporary directory, deleted on dispose.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hypersharp-" + Guid.NewGuid().ToString("N"));

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail the test.
        }
    }
}
