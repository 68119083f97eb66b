using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using HyperSharp.Tests.Shared;
using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>
/// A test that needs KVM and the OCI tools (<c>skopeo</c>, Debian's <c>docker-registry</c>): skipped, with the
/// reason, where either is missing. <c>.ci/run</c> installs the tools.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OciToolsFactAttribute : FactAttribute
{
    public OciToolsFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        Skip = KvmRequirement.SkipReason
            ?? (OciTools.Missing() is { } missing ? $"{missing} is not on PATH (apt-get install skopeo docker-registry; .ci/run does)" : null);
    }
}

/// <summary>Runs <c>skopeo</c> and a throwaway <c>docker-registry</c>, each bounded in time.</summary>
public static class OciTools
{
    public const string Skopeo = "skopeo";

    public const string Registry = "docker-registry";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    /// <summary>The first tool not found on PATH, or null.</summary>
    public static string? Missing() => new[] { Skopeo, Registry }.FirstOrDefault(tool => FindOnPath(tool) is null);

    /// <summary>Runs <c>skopeo</c> with <paramref name="arguments"/>; throws with its output unless it exits 0 within the timeout.</summary>
    public static string RunSkopeo(params string[] arguments)
    {
        var start = new ProcessStartInfo(Skopeo) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"skopeo {string.Join(' ', arguments)} did not finish within {s_timeout.TotalSeconds} s.");
        }

        process.WaitForExit(); // drains the redirected streams
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"skopeo {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stdout.Result}{stderr.Result}");
        }

        return stdout.Result;
    }

    internal static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
}

/// <summary>
/// CNCF Distribution (<c>docker-registry serve</c>) on 127.0.0.1 and a free port, no auth, its storage and config in a
/// temporary directory. <see cref="Dispose"/> kills it and deletes the directory.
/// </summary>
public sealed class LocalRegistry : IDisposable
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hypersharp-registry-" + Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _log = new();
    private Process? _process;

    private LocalRegistry()
    {
    }

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>Starts a registry and waits until <c>/v2/</c> answers 200; up to three ports are tried in case one is taken meanwhile.</summary>
    public static LocalRegistry Start()
    {
        var registry = new LocalRegistry();
        try
        {
            Directory.CreateDirectory(registry._directory);
            for (var attempt = 0; attempt < 3; attempt++)
            {
                if (registry.TryStart(FreePort()))
                {
                    return registry;
                }
            }

            throw new InvalidOperationException($"docker-registry did not answer /v2/ within {s_readyTimeout.TotalSeconds} s:\n{registry.Log}");
        }
        catch
        {
            registry.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Stop();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private bool TryStart(int port)
    {
        Address = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}");
        var config = Path.Combine(_directory, "config.yml");
        File.WriteAllText(config, $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {Path.Combine(_directory, "storage")}
            http:
              addr: {Address}
            """);
        var start = new ProcessStartInfo(OciTools.Registry) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < s_readyTimeout && !_process.HasExited)
        {
            try
            {
                using var response = http.GetAsync(new Uri($"http://{Address}/v2/")).GetAwaiter().GetResult();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // the request timed out
            }

            Thread.Sleep(50);
        }

        Stop();
        return false;
    }

    private void Stop()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit(TimeSpan.FromSeconds(10));
        _process.Dispose();
        _process = null;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
