using System.Diagnostics;

namespace HyperSharp.AbiTests.Elf;

/// <summary>Compiles a C file into a static-PIE guest with the guest SDK's flags (docs/guest-abi.md §1).</summary>
internal static class StaticPieGuest
{
    public static readonly string[] Flags =
    [
        "-O2", "-ffreestanding", "-nostdlib", "-fno-stack-protector", "-fpie", "-static-pie",
        "-Wl,-e,_start", "-Wl,-z,separate-code",
    ];

    public static string? FindGcc()
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, "gcc");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Writes <paramref name="source"/> to a fresh temp directory and links it; returns the ELF bytes.</summary>
    public static async Task<byte[]> BuildAsync(string gcc, string source, CancellationToken cancellationToken)
    {
        string directory = Directory.CreateTempSubdirectory("hypersharp-elf-").FullName;
        try
        {
            string input = Path.Combine(directory, "guest.c");
            string output = Path.Combine(directory, "guest.elf");
            await File.WriteAllTextAsync(input, source, cancellationToken);

            var start = new ProcessStartInfo(gcc) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string flag in Flags)
            {
                start.ArgumentList.Add(flag);
            }

            start.ArgumentList.Add("-o");
            start.ArgumentList.Add(output);
            start.ArgumentList.Add(input);

            using Process process = Process.Start(start) ?? throw new InvalidOperationException("gcc did not start.");
            Task<string> errors = process.StandardError.ReadToEndAsync(cancellationToken);
            Task<string> messages = process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"gcc failed with exit code {process.ExitCode}:\n{await errors}{await messages}");
            }

            return await File.ReadAllBytesAsync(output, cancellationToken);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The repository root (the directory holding HyperSharp.slnx), found from the test binary's location.</summary>
    public static string? FindRepoRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HyperSharp.slnx")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
