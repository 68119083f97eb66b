using System.Diagnostics;
using System.Text;
using Xunit;

namespace HyperSharp.Serving.Tests;

/// <summary>A real <c>hypersharp serve</c> on a free loopback port, as a child process, and a client for it.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    /// <summary>What the server wrote to standard error so far: its log.</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>Starts the server with <paramref name="arguments"/> after <c>serve --port 0</c> and waits until it listens.</summary>
    public static async Task<ServerProcess> StartAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Requirements.Cli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["serve", "--port", "0", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("Listening on ", StringComparison.Ordinal))
            {
                var server = new ServerProcess(process, new Uri(line["Listening on ".Length..]));
                lock (errors)
                {
                    server._errors.Append(errors);
                }

                process.ErrorDataReceived += (_, e) =>
                {
                    lock (server._errors)
                    {
                        server._errors.AppendLine(e.Data);
                    }
                };
                return server;
            }
        }

        await process.WaitForExitAsync(timeout.Token);
        Assert.Fail($"hypersharp serve exited with {process.ExitCode} before listening:\n{errors}");
        return null!;
    }

    /// <summary>Asks the server to stop as an orchestrator would (SIGTERM) and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start("/bin/kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>Descriptors the server process holds now.</summary>
    public int OpenDescriptors() => Directory.GetFiles($"/proc/{_process.Id}/fd").Length;

    /// <summary>The server's resident memory now, in bytes.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
