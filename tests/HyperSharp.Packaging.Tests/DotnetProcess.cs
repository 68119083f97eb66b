using System.Diagnostics;
using System.Text;

namespace HyperSharp.Packaging.Tests;

/// <summary>The output and exit code of a finished process.</summary>
internal sealed record ProcessResult(string Command, int ExitCode, string Output)
{
    /// <summary>Asserts exit code 0, showing the command and everything it printed otherwise; returns the output.</summary>
    public string Succeeded()
    {
        Xunit.Assert.True(ExitCode == 0, $"`{Command}` exited with {ExitCode}:\n{Output}");
        return Output;
    }
}

/// <summary>
/// Runs <c>dotnet</c> and the programs it makes as a user's shell would: in a given folder, with the environment of a
/// fresh terminal rather than the one <c>dotnet test</c> gives its test hosts, and with no build servers left behind.
/// </summary>
internal static class DotnetProcess
{
    /// <summary>The dotnet executing these tests (the SDK sets DOTNET_HOST_PATH for its children), else the one on PATH.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static Task<ProcessResult> RunDotnetAsync(string workingDirectory, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, params string[] arguments) =>
        RunAsync(Dotnet, workingDirectory, environment, timeout, arguments);

    public static async Task<ProcessResult> RunAsync(string fileName, string workingDirectory, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // MSBuild's variables from the `dotnet test` that runs us would steer the child builds into its own state.
        foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("_MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // No MSBuild nodes, MSBuild server or compiler server outliving the command: they would hold this test's pipes.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var command = $"{Path.GetFileName(fileName)} {string.Join(' ', arguments)}";
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{command}` in {workingDirectory} ran longer than {timeout}:\n{Text(output)}");
        }

        return new ProcessResult(command, process.ExitCode, Text(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
