using System.Diagnostics;
using Xunit;

namespace HyperSharp.Tests.Style;

/// <summary>The generated Define and GetFunction overloads are what tools/GenerateOverloads.cs writes today.</summary>
public sealed class GeneratedOverloadsTests
{
    [Fact]
    public async Task TheGeneratedOverloadsAreCurrent()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "run", "tools/GenerateOverloads.cs", "--", "--check" })
        {
            start.ArgumentList.Add(argument);
        }

        using var generator = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        var output = generator.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = generator.StandardError.ReadToEndAsync(timeout.Token);
        await generator.WaitForExitAsync(timeout.Token);
        Assert.True(generator.ExitCode == 0, $"exit code {generator.ExitCode}: {await output}{await errors}");
    }
}
