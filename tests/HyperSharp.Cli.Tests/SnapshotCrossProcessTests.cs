using System.Diagnostics;
using Xunit;

namespace HyperSharp.Cli.Tests;

/// <summary>
/// The flow issue 4 demands across processes: one CLI process saves, fresh ones load and call, and the results
/// match a sandbox created in this process.
/// </summary>
public sealed class SnapshotCrossProcessTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"hypersharp-cli-xproc-{Guid.NewGuid():N}");

    public SnapshotCrossProcessTests() => Cli.RequireKvm();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void SavedInOneProcessCalledInOthers()
    {
        var saved = RunCli("snapshot", "save", Cli.SimpleGuest, _directory, "--tag", "t", "--call", "SetStatic", "41");
        Assert.Matches(@"\nsha256:[0-9a-f]{64}\n$", saved);

        var fromFileStatic = RunCli("snapshot", "call", _directory + ":t", "GetStatic");
        var fromFileEcho = RunCli("snapshot", "call", _directory + ":t", "Echo", "hi");

        using var original = Sandbox.Create(Cli.SimpleGuest);
        original.Call("SetStatic", 41);
        Assert.Equal($"{original.Call<int>("GetStatic")}\n", fromFileStatic);
        Assert.Equal($"{original.Call<string>("Echo", "hi")}\n", fromFileEcho);
        Assert.Equal("41\n", fromFileStatic);
        Assert.Equal("hi\n", fromFileEcho);
    }

    /// <summary>Runs the built CLI (HyperSharp.Cli.dll, copied next to the tests) in a new process; asserts success and returns stdout.</summary>
    private static string RunCli(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HyperSharp.Cli.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the CLI did not exit within 30 s");
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}: {stderr.Result}");
        Assert.Equal("", stderr.Result);
        return stdout.ReplaceLineEndings("\n");
    }
}
