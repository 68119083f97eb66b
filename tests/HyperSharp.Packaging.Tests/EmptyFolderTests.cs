using System.Text.RegularExpressions;
using Xunit;

namespace HyperSharp.Packaging.Tests;

/// <summary>
/// What a new user does, outside the repository, with nothing but the packed feed: a C guest and its C# host from the
/// template, built with gcc and run in KVM; scripts from the scripting template; the hypersharp tool.
/// </summary>
[Collection(typeof(PackedFeedCollection))]
public sealed class EmptyFolderTests(PackedFeed feed)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task TheGuestTemplateBuildsItsCGuestAndTheHostCallsIt()
    {
        var (app, output) = await BuildAndRunFromTemplateAsync("Greeter", "hypersharp-guest");
        ContainsAll(output, "Add(40, 2) = 42", "guest: greeting world", "Greet(\"world\") = hello, world, from a micro-VM",
            "Square(12) via the host = 144", "Crash: GuestFaultException");

        // Incremental: an unchanged guest is not compiled again.
        var elf = Path.Combine(app, "obj", "Debug", "net10.0", "hypersharp-guests", "guest.elf");
        var built = File.GetLastWriteTimeUtc(elf);
        await DotnetAsync(app, "build");
        Assert.Equal(built, File.GetLastWriteTimeUtc(elf));

        // A C error is an MSBuild error naming the file and line.
        var main = Path.Combine(app, "guest", "main.c");
        var source = await File.ReadAllTextAsync(main, TestContext.Current.CancellationToken);
        const string Statement = "hs_return_int(result, hs_arg_int(call, 0) + hs_arg_int(call, 1));";
        var line = source[..source.IndexOf(Statement, StringComparison.Ordinal)].Count(c => c == '\n') + 1;
        await File.WriteAllTextAsync(main, source.Replace(Statement, "hs_return_int(result, missing_value);", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        var failed = await DotnetProcess.RunDotnetAsync(app, feed.CommandEnvironment, StepTimeout, "build");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Matches(new Regex($@"guest/main\.c\({line},\d+\): error [^:]*: .missing_value. undeclared"), failed.Output);

        // One guest per folder: a second folder of C files is a second ELF beside the first.
        await File.WriteAllTextAsync(main, source, TestContext.Current.CancellationToken);
        Directory.CreateDirectory(Path.Combine(app, "plugin"));
        await File.WriteAllTextAsync(Path.Combine(app, "plugin", "plugin.c"), """
            #include <hypersharp/guest.h>
            static void twice(const hs_call *call, hs_result *result) { hs_return_int(result, 2 * hs_arg_int(call, 0)); }
            void hs_main(void) { hs_register("Twice", HS_TYPE_INT, twice, 1, HS_TYPE_INT); }
            """, TestContext.Current.CancellationToken);
        var project = Path.Combine(app, "Greeter.csproj");
        var xml = await File.ReadAllTextAsync(project, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(project, xml.Replace("<HyperSharpGuest Include=\"guest/*.c\" />", "<HyperSharpGuest Include=\"guest/*.c;plugin/*.c\" />", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        await DotnetAsync(app, "build");
        var bin = Path.Combine(app, "bin", "Debug", "net10.0");
        Assert.True(File.Exists(Path.Combine(bin, "guest.elf")), string.Join(", ", Directory.GetFiles(bin)));
        using var plugin = Sandbox.Create(Path.Combine(bin, "plugin.elf"));
        Assert.Equal(42, plugin.Call<int>("Twice", 21));
    }

    [Fact]
    public async Task TheScriptingTemplateRunsJavaScriptPythonAndLua()
    {
        var (_, output) = await BuildAndRunFromTemplateAsync("Scripts", "hypersharp-scripting");
        ContainsAll(output, "hello from JavaScript\nJavaScript value: 42\n", "JavaScript: an endless loop was stopped after 1 s",
            "hello from Python\nPython value: [0,1,4,9,16]\n", "Lua value: 30");
    }

    [Fact]
    public async Task TheToolInstallsFromTheFeedAndRunsInfoDemoAndScripts()
    {
        feed.SkipUnlessUsable();
        var tools = Path.Combine(feed.Root, "tools");
        await DotnetAsync(feed.Root, "tool", "install", "HyperSharp.Cli", "--version", feed.Version, "--tool-path", tools, "--configfile", feed.NuGetConfig);
        var hypersharp = Path.Combine(tools, "hypersharp");

        var info = (await RunAsync(hypersharp, "info")).Output;
        Assert.Contains("kvm: available", info, StringComparison.Ordinal);
        Assert.Equal("hi\n42\n", (await RunAsync(hypersharp, "python", "-c", "print('hi'); 6 * 7")).Output);
        Assert.Equal("hi\n42\n", (await RunAsync(hypersharp, "js", "-e", "console.log('hi'); 6 * 7")).Output);
        Assert.Equal("3\n", (await RunAsync(hypersharp, "lua", "-e", "return 1 + 2")).Output);
        Assert.Contains("simpleguest.elf", (await RunAsync(hypersharp, "demo")).Output, StringComparison.Ordinal);
    }

    private static void ContainsAll(string output, params string[] expected)
    {
        foreach (var text in expected)
        {
            Assert.Contains(text, output, StringComparison.Ordinal);
        }
    }

    /// <summary>In a new empty folder: the project from <paramref name="template"/>, built, then run; returns the folder and what it printed.</summary>
    private async Task<(string Folder, string Output)> BuildAndRunFromTemplateAsync(string name, string template)
    {
        feed.SkipUnlessUsable();
        var app = feed.NewFolder(name);
        // The templates go into a private template store, not the user's.
        var hive = Path.Combine(feed.Root, $"{name}-templates");
        await DotnetAsync(app, "new", "install", Path.Combine(feed.Feed, $"HyperSharp.Templates.{feed.Version}.nupkg"), "--debug:custom-hive", hive);
        await DotnetAsync(app, "new", template, "--debug:custom-hive", hive);

        await DotnetAsync(app, "build");
        return (app, (await DotnetAsync(app, "run", "--no-build")).Output);
    }

    private async Task<ProcessResult> DotnetAsync(string folder, params string[] arguments)
    {
        var result = await DotnetProcess.RunDotnetAsync(folder, feed.CommandEnvironment, StepTimeout, arguments);
        result.Succeeded();
        return result;
    }

    private async Task<ProcessResult> RunAsync(string program, params string[] arguments)
    {
        var result = await DotnetProcess.RunAsync(program, feed.Root, feed.CommandEnvironment, StepTimeout, arguments);
        result.Succeeded();
        return result;
    }
}
