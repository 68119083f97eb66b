using System.Text.RegularExpressions;
using Xunit;

namespace HyperSharp.Scripting.Tests;

/// <summary>
/// QuickJS's own tests (tests/test_*.js of the fetched Debian source, never copied into this repository) inside the
/// guest, one run per test function: the file without its top-level test calls, then the one call. A function that
/// needs QuickJS's std or os module, which the guest does not have, is skipped with the reason.
/// </summary>
public sealed partial class QuickJsTestSuite
{
    private static readonly string[] s_files = ["test_language.js", "test_closure.js", "test_loop.js", "test_bigint.js", "test_builtin.js"];

    /// <summary>Functions that call std.gc() (and os.setTimeout): only qjs's std and os modules have them.</summary>
    private static readonly Dictionary<string, string> s_needsStdOrOs = new(StringComparer.Ordinal)
    {
        ["test_builtin.js:test_weak_map"] = "calls std.gc(), and the guest has no std module",
        ["test_builtin.js:test_weak_map_cycles"] = "calls std.gc(), and the guest has no std module",
        ["test_builtin.js:test_weak_ref"] = "calls std.gc(), and the guest has no std module",
        ["test_builtin.js:test_finalization_registry"] = "calls std.gc() and os.setTimeout(), and the guest has no std or os module",
    };

    public static TheoryData<string, string> Tests()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in s_files)
        {
            var path = Path.Combine(Interpreters.QuickJsSource, "tests", file);
            if (!File.Exists(path))
            {
                continue; // no fetched source: TheSuiteIsThere fails and says so
            }

            foreach (Match call in TestCall().Matches(File.ReadAllText(path)))
            {
                data.Add(file, call.Groups["name"].Value);
            }
        }

        return data;
    }

    [Fact]
    public void TheSuiteIsThere()
    {
        foreach (var file in s_files)
        {
            Assert.True(File.Exists(Path.Combine(Interpreters.QuickJsSource, "tests", file)),
                $"{file} is missing from {Interpreters.QuickJsSource}: the guest build fetches QuickJS's source there");
        }
    }

    [Theory]
    [MemberData(nameof(Tests))]
    public void RunsInTheGuest(string file, string function)
    {
        Assert.SkipWhen(s_needsStdOrOs.TryGetValue($"{file}:{function}", out var reason), reason ?? string.Empty);
        using var js = Interpreters.Open(ScriptLanguage.JavaScript, ScriptOptions.Default with { TimeLimit = TimeSpan.FromMinutes(2) });
        var source = TestCall().Replace(File.ReadAllText(Path.Combine(Interpreters.QuickJsSource, "tests", file)), string.Empty);
        js.Execute($"{source}\n{function}();\n");
    }

    /// <summary>A top-level call of a test function, alone on its line: <c>test_closure1();</c>.</summary>
    [GeneratedRegex(@"^(?<name>test_\w*)\(\);[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex TestCall();
}
