using System.Diagnostics;
using System.Runtime.Versioning;
using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>guest/bin/hs-cc, the guest compiler driver: it links ordinary C and refuses what a guest cannot run.</summary>
public sealed class HsCcTests
{
    private const string Guest = """
        #include <stdio.h>
        #include <hypersharp/guest.h>
        __thread int calls = 10;
        static void f(const hs_call *call, hs_result *result) { (void)call; printf("%d\n", ++calls); hs_return_int(result, calls); }
        void hs_main(void) { hs_register("F", HS_TYPE_INT, f, 0); }
        """;

    [Fact]
    public void LinksAnOrdinaryGuestThatRuns()
    {
        using var directory = new TemporaryFolder();
        var result = HsCc(directory, Guest, "-O2", "-fstack-protector-strong", "-o", "guest.elf", "guest.c");

        Assert.True(result.ExitCode == 0, result.ToString());
        if (Hypervisor.IsAvailable)
        {
            using var sandbox = Sandbox.Create(Path.Combine(directory.Path, "guest.elf"));
            Assert.Equal(11, sandbox.Call<int>("F"));
        }
    }

    /// <summary>
    /// Ubuntu's gcc defines _FORTIFY_SOURCE=3 and turns on the stack protector before the command line: emulated by a
    /// gcc first on PATH that adds them in front, as the built-in defaults come.
    /// </summary>
    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void LinksWithUbuntuStyleGccDefaults()
    {
        using var directory = new TemporaryFolder();
        var bin = Directory.CreateDirectory(Path.Combine(directory.Path, "bin")).FullName;
        var gcc = Path.Combine(bin, "gcc");
        File.WriteAllText(gcc, """
            #!/bin/sh
            case " $* " in *" -print-"*) exec /usr/bin/gcc "$@" ;; esac
            exec /usr/bin/gcc -D_FORTIFY_SOURCE=3 -fstack-protector-strong "$@"
            """);
        File.SetUnixFileMode(gcc, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        const string source = """
            #include <stdio.h>
            #include <string.h>
            #include <hypersharp/guest.h>
            static void f(const hs_call *call, hs_result *result)
            {
                char text[32];
                size_t length;
                strcpy(text, "x");
                snprintf(text, sizeof text, "%s!", hs_arg_string(call, 0, &length));
                hs_return_string(result, text);
            }
            void hs_main(void) { hs_register("F", HS_TYPE_STRING, f, 1, HS_TYPE_STRING); }
            """;

        var result = HsCc(directory, source, new Dictionary<string, string> { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}" }, "-O2", "-o", "guest.elf", "guest.c");

        Assert.True(result.ExitCode == 0, result.ToString());
        if (Hypervisor.IsAvailable)
        {
            using var sandbox = Sandbox.Create(Path.Combine(directory.Path, "guest.elf"));
            Assert.Equal("hi!", sandbox.Call<string>("F", "hi"));
        }
    }

    [Theory]
    [InlineData("-mavx2")]
    [InlineData("-march=native")]
    [InlineData("-mavx512f")]
    public void RefusesFlagsForInstructionsTheGuestCannotRun(string flag)
    {
        using var directory = new TemporaryFolder();
        var result = HsCc(directory, Guest, flag, "-c", "guest.c");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"refusing {flag}", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("OSXSAVE", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsSystemCallsAndStrayFsAccessNamingTheFunction()
    {
        const string hostile = """
            #include <hypersharp/guest.h>
            static void peek(const hs_call *c, hs_result *r) { (void)c; long v; __asm__ volatile("mov %%fs:0x30, %0" : "=r"(v)); hs_return_long(r, v); }
            static void call_kernel(const hs_call *c, hs_result *r) { (void)c; __asm__ volatile("syscall" ::: "rcx", "r11"); hs_return_void(r); }
            static void gs(const hs_call *c, hs_result *r) { (void)c; long v; __asm__ volatile("mov %%gs:0, %0" : "=r"(v)); hs_return_long(r, v); }
            void hs_main(void) { hs_register("P", HS_TYPE_LONG, peek, 0); hs_register("K", HS_TYPE_VOID, call_kernel, 0); hs_register("G", HS_TYPE_LONG, gs, 0); }
            """;
        using var directory = new TemporaryFolder();
        var result = HsCc(directory, hostile, "-O2", "-o", "hostile.elf", "guest.c");

        Assert.Equal(1, result.ExitCode);
        Assert.Matches("function call_kernel at 0x[0-9a-f]+ executes a system call \\(syscall\\)", result.StandardError);
        Assert.Matches("function peek at 0x[0-9a-f]+ executes a %fs access outside", result.StandardError);
        Assert.Matches("function gs at 0x[0-9a-f]+ executes a %gs access", result.StandardError);
        Assert.False(File.Exists(Path.Combine(directory.Path, "hostile.elf")), "a guest that fails the check must not be left behind");
    }

    private static Result HsCc(TemporaryFolder directory, string source, params string[] arguments) =>
        HsCc(directory, source, new Dictionary<string, string>(), arguments);

    private static Result HsCc(TemporaryFolder directory, string source, Dictionary<string, string> environment, params string[] arguments)
    {
        File.WriteAllText(Path.Combine(directory.Path, "guest.c"), source);
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot(), "guest", "bin", "hs-cc"))
        {
            WorkingDirectory = directory.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new Result(process.ExitCode, output, error.Result);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HyperSharp.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("HyperSharp.slnx not found above " + AppContext.BaseDirectory);
    }

    private sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() => $"exit code {ExitCode}\n{StandardOutput}\n{StandardError}";
    }

    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("hs-cc-test-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
