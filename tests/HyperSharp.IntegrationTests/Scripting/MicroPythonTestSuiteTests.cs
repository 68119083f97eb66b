using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace HyperSharp.IntegrationTests.Scripting;

/// <summary>
/// MicroPython's own test suites tests/basics and tests/float, from the source the guest build fetched, run inside
/// the guest one file per <c>Run</c> from a fresh interpreter, and judged as MicroPython's runner (tests/run-tests.py)
/// judges them: the output (stdout, then stderr) must equal the test's <c>.exp</c> file, or where there is none what
/// CPython prints for the same file. A test that prints <c>SKIP</c> skipped itself. Tests that need what this build
/// leaves out, and the known differences, are listed below with their reasons (docs/scripting-python.md counts them).
/// </summary>
public sealed class MicroPythonTestSuiteTests(MicroPythonTestSuiteTests.Interpreter interpreter) : IClassFixture<MicroPythonTestSuiteTests.Interpreter>
{
    /// <summary>Tests not run, with the reason: they need what the guest leaves out.</summary>
    private static readonly Dictionary<string, string> Skipped = new(StringComparer.Ordinal)
    {
        ["basics/fun_code.py"] = CodeAttribute,
        ["basics/fun_code_micropython.py"] = CodeAttribute,
        ["basics/memoryview_slice_size.py"] = "needs uctypes (raw memory access), left out",
        ["basics/nanbox_smallint.py"] = "needs the NaN-boxing object model of 32-bit builds",
        ["basics/subclass_native_call.py"] = "needs the machine module (machine.PinBase, machine.Signal): a guest has no hardware",
        ["basics/sys_path.py"] = "needs __file__ and to read itself: scripts run from text, and a guest has no files",
    };

    private const string CodeAttribute = "needs function.__code__, left out: without frozen bytecode MicroPython 1.25 " +
        "rebuilds a function from it by reading its bytecode as a raw-code record";

    /// <summary>Tests whose output differs from the expected, with the cause. Each must still differ (so a fix is noticed).</summary>
    private static readonly Dictionary<string, string> KnownDifferences = new(StringComparer.Ordinal)
    {
        ["basics/bytes_compare3.py"] = StreamOrder,
        ["basics/exception_chain.py"] = StreamOrder,
        ["float/math_constants.py"] = "the guest C library's exp() (picolibc, fdlibm's algorithm) gives exp(1.0) one ulp above " +
            "math.e, where glibc rounds it correctly",
    };

    private const string StreamOrder = "MicroPython's warnings go to stderr, which the script protocol captures apart from stdout, " +
        "so they no longer stand between the lines print() wrote (run-tests.py also skips exception_chain.py where warnings are not printed in order)";

    /// <summary>run-tests.py's special tests (its special_tests): their <c>.exp</c> lines are patterns (below).</summary>
    private static readonly HashSet<string> Special = new(StringComparer.Ordinal) { "basics/builtin_help.py", "basics/bytes_compare3.py" };

    public static TheoryData<string> Tests { get; } = [.. Directories.SelectMany(directory =>
        Directory.GetFiles(Path.Combine(Guests.MicroPythonSource, "tests", directory), "*.py")
            .Select(path => directory + "/" + Path.GetFileName(path)))
        .Order(StringComparer.Ordinal)];

    private static string[] Directories => ["basics", "float"];

    [KvmTheory]
    [MemberData(nameof(Tests))]
    public void Test(string test)
    {
        if (Skipped.TryGetValue(test, out var reason))
        {
            Assert.Skip(reason);
        }

        var path = Path.Combine(Guests.MicroPythonSource, "tests", test);
        var output = interpreter.Run(File.ReadAllText(path));
        if (output == "SKIP\n")
        {
            Assert.Fail($"{test} skipped itself; list it in {nameof(Skipped)} with the reason");
        }

        var expected = File.Exists(path + ".exp") ? File.ReadAllText(path + ".exp") : CPython(path);
        if (Special.Contains(test))
        {
            output = MatchPatterns(expected, output);
        }

        if (KnownDifferences.TryGetValue(test, out var cause))
        {
            Assert.NotEqual(expected, output);
            Assert.Skip($"known difference: {cause}");
        }

        Assert.Equal(expected, output);
    }

    /// <summary>
    /// run-tests.py's comparison for special tests: each expected line is a pattern, in which the characters
    /// <c>()[]{}.*+^$</c> are literal unless escaped with a backslash, that must match the start of the output line; a line
    /// <c>########</c> matches any number of output lines. Output lines that match take the expected text, so that
    /// the result equals the expected text exactly when everything matched.
    /// </summary>
    private static string MatchPatterns(string expected, string output)
    {
        const string AnyLines = "########\n";
        var patterns = expected.Split('\n').SkipLast(1).Select(line => line + "\n").ToList();
        var lines = output.Split('\n').Select(line => line + "\n").ToList();
        if (output.EndsWith('\n'))
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var at = 0;
        for (var i = 0; i < patterns.Count && at < lines.Count; i++)
        {
            if (patterns[i] == AnyLines)
            {
                var next = Pattern(patterns[i + 1]);
                var skip = 0;
                while (at + skip < lines.Count && !next.IsMatch(lines[at + skip]))
                {
                    skip++;
                }

                if (at + skip >= lines.Count)
                {
                    lines[at] = "######## FAIL\n";
                    break;
                }

                lines.RemoveRange(at, skip);
                lines.Insert(at, AnyLines);
            }
            else if (Pattern(patterns[i]).IsMatch(lines[at]))
            {
                lines[at] = patterns[i];
            }

            at++;
        }

        return string.Concat(lines);

        static Regex Pattern(string line)
        {
            var pattern = new StringBuilder("^");
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (c == '\\' && i + 1 < line.Length)
                {
                    pattern.Append(line[++i]);
                }
                else if ("()[]{}.*+^$".Contains(c, StringComparison.Ordinal))
                {
                    pattern.Append('\\').Append(c);
                }
                else
                {
                    pattern.Append(c);
                }
            }

            return new Regex(pattern.ToString()[..^1] + "\r*\n", RegexOptions.CultureInvariant);
        }
    }

    /// <summary>The python3 on PATH, resolved once to its interpreter binary: a launcher such as pyenv's shim costs more
    /// than the test it starts.</summary>
    private static readonly Lazy<string> Python3 = new(() =>
        RunProcess("python3", Environment.CurrentDirectory, "-c", "import sys; print(sys.executable)").Output.Trim());

    /// <summary>What CPython prints for the file, as run-tests.py runs it: <c>python3 -BS</c> in the test's folder.</summary>
    private static string CPython(string path)
    {
        var (exitCode, output) = RunProcess(Python3.Value, Path.GetDirectoryName(path)!, "-BS", path);
        return (exitCode == 0 ? "" : "CPYTHON3 CRASH:\n") + output;
    }

    /// <summary>Runs a program to its end; returns its exit code and its stdout followed by its stderr.</summary>
    private static (int ExitCode, string Output) RunProcess(string program, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    /// <summary>One interpreter for the class, restored to its fresh state before every test file.</summary>
    public sealed class Interpreter : IDisposable
    {
        private readonly Lazy<(MicroPythonGuest Guest, Snapshot Fresh)> _guest = new(() =>
        {
            var guest = new MicroPythonGuest(
                """{"memoryLimit":33554432,"outputLimit":1048576}""",
                sandboxOptions: MicroPythonGuest.DefaultOptions with
                {
                    HeapSize = 48UL << 20,
                    OutputBufferSize = 4UL << 20,
                    CallTimeout = TimeSpan.FromSeconds(30),
                });
            return (guest, guest.Sandbox.Snapshot());
        });

        /// <summary>Runs the source from the fresh interpreter and returns what run-tests.py compares: stdout, then
        /// stderr, then for an uncaught exception its traceback and CRASH.</summary>
        public string Run(string source)
        {
            var (guest, fresh) = _guest.Value;
            guest.Sandbox.Restore(fresh);
            var result = guest.Run(source);
            var output = result.Stdout + result.Stderr;
            return result.Error is { } error ? output + error.Stack + "\nCRASH" : output;
        }

        public void Dispose()
        {
            if (_guest.IsValueCreated)
            {
                _guest.Value.Fresh.Dispose();
                _guest.Value.Guest.Dispose();
            }
        }
    }
}
