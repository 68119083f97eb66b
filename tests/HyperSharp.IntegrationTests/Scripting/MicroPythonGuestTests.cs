using System.Globalization;
using System.Text.Json;
using Xunit;

namespace HyperSharp.IntegrationTests.Scripting;

/// <summary>
/// The MicroPython guest (guest/runtimes/micropython) in real VMs, through the script protocol: values, output, errors,
/// tools, the limits that end in Python exceptions, isolation between runs, and what a sandbox leaves out.
/// </summary>
public sealed class MicroPythonGuestTests
{
    private static string Json(JsonElement element) => element.GetRawText();

    [KvmFact]
    public void TheLastExpressionIsTheValueAsJson()
    {
        using var python = new MicroPythonGuest();
        Assert.Equal("2", Json(python.Value("1 + 1")));
        Assert.Equal("""[1,2.5,"é",null,true,{"a":[1,2]}]""", Json(python.Value("x = [1, 2.5, 'é', None, True, {'a': (1, 2)}]\nx")));
        Assert.Equal("1267650600228229401496703205376", Json(python.Value("2 ** 100")));
        Assert.Equal("7", Json(python.Value("a = 7; a")));
        Assert.Equal("\"a=1, pi=3.14\"", Json(python.Value("a = 1\nf'a={a}, pi={3.14159:.2f}'")));
        Assert.Equal("0.3", Json(python.Value("0.1 + 0.2"))); // MicroPython's float repr: 16 significant digits
        Assert.Equal("\"\ufffd\ufffd\ufffd\"", Json(python.Value("chr(0xd800)"))); // a lone surrogate is not UTF-8
    }

    [KvmFact]
    public void ScriptsThatDoNotEndWithAnExpressionHaveTheValueNull()
    {
        using var python = new MicroPythonGuest();
        Assert.Equal(JsonValueKind.Null, python.Value("x = 1").ValueKind);
        Assert.Equal(JsonValueKind.Null, python.Value("").ValueKind);
        Assert.Equal(JsonValueKind.Null, python.Value("5\nif True:\n    6").ValueKind);
        Assert.Equal(JsonValueKind.Null, python.Value("def f():\n    return 1").ValueKind);
        Assert.Equal(JsonValueKind.Null, python.Value("7\nimport sys\nsys.exit()").ValueKind);
        Assert.Equal(JsonValueKind.Null, python.Value("print(8)").ValueKind);
    }

    [KvmFact]
    public void ValuesJsonCannotEncodeComeBackAsTheirRepr()
    {
        using var python = new MicroPythonGuest();
        Assert.Equal("{1}", python.Value("{1}").GetString());
        Assert.Equal("{1: 'a'}", python.Value("{1: 'a'}").GetString());
        Assert.Equal("[1, nan]", python.Value("[1, float('nan')]").GetString());
        Assert.Equal("b'\\x00x'", python.Value("b'\\x00x'").GetString());
        Assert.StartsWith("<function f at", python.Value("def f(): pass\nf").GetString(), StringComparison.Ordinal);
    }

    [KvmFact]
    public void PrintAndStderrAreCapturedSeparately()
    {
        using var python = new MicroPythonGuest();
        var result = python.Run("""
            import sys
            print('hello', 42, sep=', ')
            print('oops', file=sys.stderr)
            sys.stdout.write('no newline')
            sys.stderr.buffer.write(b'bytes\n')
            'value'
            """);
        Assert.Equal("hello, 42\nno newline", result.Stdout);
        Assert.Equal("oops\nbytes\n", result.Stderr);
        Assert.Equal("value", result.Value.GetString());
        Assert.False(result.StdoutTruncated);
        Assert.Equal("", python.Run("1").Stdout);
    }

    [KvmFact]
    public void OutputPastTheLimitIsCutAndTheInterpreterCarriesOn()
    {
        using var python = new MicroPythonGuest("""{"outputLimit":1000}""");
        var result = python.Run("for i in range(100000):\n    print('€' * 10)\n'done'");
        Assert.True(result.StdoutTruncated);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(result.Stdout), 990, 1000);
        Assert.DoesNotContain('\ufffd', result.Stdout);
        Assert.Equal("done", result.Value.GetString());
        var next = python.Run("print('again')");
        Assert.Equal("again\n", next.Stdout);
        Assert.False(next.StdoutTruncated);
    }

    [KvmFact]
    public void AValueLargerThanTheOutputBufferFailsTheCallButNotTheSandbox()
    {
        using var python = new MicroPythonGuest();
        var e = Assert.Throws<GuestErrorException>(() => python.Run("'x' * 2000000"));
        Assert.Contains("output buffer", e.GuestMessage, StringComparison.Ordinal);
        Assert.Equal(SandboxState.Ready, python.Sandbox.State);
        Assert.Equal(1_000_000, python.Value("'x' * 1000000").GetString()!.Length);
    }

    [KvmFact]
    public void SyntaxErrorsNameTheirLine()
    {
        using var python = new MicroPythonGuest();
        var error = python.Error("x = 1\ny = (1 +\nz = 3\n");
        Assert.Equal("SyntaxError", error.Type);
        Assert.Equal("invalid syntax", error.Message);
        Assert.Equal(3, error.Line);
        Assert.Contains("File \"<script>\", line 3", error.Stack, StringComparison.Ordinal);

        var indentation = python.Error("x = 1\n    y = 2");
        Assert.Equal(("IndentationError", "unexpected indent"), (indentation.Type, indentation.Message));
        Assert.Equal(2, indentation.Line);
    }

    [KvmFact]
    public void RuntimeErrorsCarryTypeMessageInnermostLineAndTraceback()
    {
        using var python = new MicroPythonGuest();
        var result = python.Run("""
            print('before')
            def divide(a, b):
                return a / b
            divide(1, 0)
            """);
        var error = result.Error!;
        Assert.Equal("ZeroDivisionError", error.Type);
        Assert.Equal("divide by zero", error.Message);
        Assert.Equal(3, error.Line);
        Assert.Equal(
            "Traceback (most recent call last):\n  File \"<script>\", line 4, in <module>\n  File \"<script>\", line 3, in divide\nZeroDivisionError: divide by zero",
            error.Stack);
        Assert.Equal("before\n", result.Stdout);

        Assert.Equal(("KeyError", "k"), Pair(python.Error("{}['k']")));
        Assert.Equal(("ValueError", "custom"), Pair(python.Error("class E(ValueError): pass\nraise ValueError('custom')")));
        Assert.Equal(("E", "1"), Pair(python.Error("class E(Exception): pass\nraise E(1)")));
        Assert.Equal(("SystemExit", "3"), Pair(python.Error("import sys\nsys.exit(3)")));
        Assert.Equal(("E", "<str() of the exception raised an exception>"),
            Pair(python.Error("class E(Exception):\n    def __str__(self):\n        raise TypeError()\nraise E()")));
        Assert.Equal(SandboxState.Ready, python.Sandbox.State);

        static (string, string) Pair(ScriptError e) => (e.Type, e.Message);
    }

    [KvmFact]
    public void ToolsTakeJsonArgumentsAndReturnJsonValues()
    {
        var calls = new List<(string Name, string Arguments)>();
        using var python = new MicroPythonGuest(tool: (name, arguments) =>
        {
            calls.Add((name, arguments));
            return name == "add" ? "{\"sum\": 5, \"items\": [1, \"two\", null]}" : "null";
        });
        Assert.Equal("""{"sum":5,"items":[1,"two",null]}""", Json(python.Value("r = tools.add(2, 3)\nr")));
        Assert.Equal("True", python.Value("import tools as t\nr = t.add(1, 'x')\nstr(r['items'][1] == 'two')").GetString());
        python.Value("tools.search('q', limit=5, exact=True)");
        python.Value("tools.nothing()");
        Assert.Equal(
            [("add", "[2,3]"), ("add", "[1,\"x\"]"), ("search", "[\"q\",{\"limit\":5,\"exact\":true}]"), ("nothing", "[]")],
            calls);
    }

    [KvmFact]
    public void AFailingOrUnknownToolRaisesToolError()
    {
        using var python = new MicroPythonGuest(tool: (name, _) => name == "fail"
            ? throw new InvalidOperationException("the database is down")
            : throw new KeyNotFoundException($"no tool named '{name}'"));
        var error = python.Error("x = 1\ntools.fail()");
        Assert.Equal("ToolError", error.Type);
        Assert.Contains("the database is down", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
        Assert.Contains("no tool named 'missing'", python.Error("tools.missing(1)").Message, StringComparison.Ordinal);
        Assert.Equal("caught: True", python.Value("""
            try:
                tools.fail()
            except tools.ToolError as e:
                r = 'caught: ' + str('database' in str(e) and isinstance(e, Exception))
            r
            """).GetString());
        Assert.Equal(SandboxState.Ready, python.Sandbox.State);
    }

    [KvmFact]
    public void ToolArgumentsJsonCannotEncodeAreATypeErrorBeforeTheHostIsCalled()
    {
        var called = false;
        using var python = new MicroPythonGuest(tool: (_, _) =>
        {
            called = true;
            return "null";
        });
        Assert.Equal("TypeError", python.Error("tools.save({1, 2})").Type);
        Assert.Equal("TypeError", python.Error("tools.save(float('inf'))").Type);
        Assert.Equal("AttributeError", python.Error("tools.__secret__").Type);
        Assert.False(called);
    }

    [KvmFact]
    public void RunningOutOfTheMemoryLimitIsMemoryErrorAndTheNextRunWorks()
    {
        using var python = new MicroPythonGuest("""{"memoryLimit":1048576}""", sandboxOptions: MicroPythonGuest.DefaultOptions with { HeapSize = 4UL << 20 });
        using var fresh = python.Sandbox.Snapshot();
        Assert.Equal("MemoryError", python.Error("x = bytearray(10 ** 8)").Type);
        Assert.Equal("MemoryError", python.Error("def grow():\n    l = []\n    while True:\n        l.append('x' * 1000)\ngrow()").Type);
        Assert.Equal("MemoryError", python.Error("def double():\n    s = 'ab'\n    while True:\n        s = s + s\ndouble()").Type);
        Assert.Equal(SandboxState.Ready, python.Sandbox.State);
        Assert.Equal("10000", Json(python.Value("len(list(range(10000)))")));

        // Memory a global still holds stays taken until the host restores the fresh interpreter.
        Assert.Equal("MemoryError", python.Error("kept = []\nwhile True:\n    kept.append('x' * 1000)").Type);
        Assert.Equal("MemoryError", python.Error("kept.append(bytearray(500000))").Type);
        python.Sandbox.Restore();
        Assert.Equal("10000", Json(python.Value("len(list(range(10000)))")));
    }

    [KvmFact]
    public void DeepRecursionIsRuntimeErrorNotAFault()
    {
        using var python = new MicroPythonGuest();
        var error = python.Error("def f(n):\n    return f(n + 1) + 1\nf(0)");
        Assert.Equal(("RuntimeError", "maximum recursion depth exceeded"), (error.Type, error.Message));
        Assert.Equal(2, error.Line);
        Assert.Equal("2000", Json(python.Value("def depth(n):\n    return n if n == 0 else 1 + depth(n - 1)\ndepth(2000)")));
        Assert.Equal(SandboxState.Ready, python.Sandbox.State);
    }

    /// <summary>Data and code nested deeper than the stack holds, each walked recursively by MicroPython's C code: every
    /// walk ends in RuntimeError (patches/stack-checks.patch adds the checks MicroPython lacks), none at the guard page.</summary>
    [KvmTheory]
    [InlineData("a = []\nfor i in range(100000):\n    a = [a]\nrepr(a)")]
    [InlineData("a = []\nfor i in range(100000):\n    a = [a]\na")]
    [InlineData("a = []\nfor i in range(100000):\n    a = [a]\nimport json\njson.dumps(a)")]
    [InlineData("a = []\nb = []\nfor i in range(100000):\n    a = [a]\n    b = [b]\na == b")]
    [InlineData("a = ()\nb = ()\nfor i in range(100000):\n    a = (a,)\n    b = (b,)\na < b")]
    [InlineData("a = {}\nb = {}\nfor i in range(100000):\n    a = {1: a}\n    b = {1: b}\na == b")]
    [InlineData("a = ()\nfor i in range(100000):\n    a = (a,)\nhash(a)")]
    [InlineData("a = frozenset()\nfor i in range(100000):\n    a = frozenset([a])\nhash(a)")]
    [InlineData("class A:\n    def __eq__(self, other):\n        return self == other\nA() == A()")]
    [InlineData("import re\nre.match('(a|b)*c', 'ab' * 100000)")]
    [InlineData("x = eval('f(' * 5000 + ')' * 5000)")]
    public void NestingDeeperThanTheStackIsRuntimeErrorNotAFault(string source)
    {
        using var python = new MicroPythonGuest(sandboxOptions: MicroPythonGuest.DefaultOptions with { StackSize = 256UL << 10 });
        var error = python.Error(source);
        Assert.Equal(("RuntimeError", "maximum recursion depth exceeded"), (error.Type, error.Message));
        Assert.Equal("2", Json(python.Value("1 + 1")));
    }

    [KvmFact]
    public void ACallTimeoutStopsAnEndlessLoopAndRestoreBringsTheInterpreterBack()
    {
        using var python = new MicroPythonGuest(sandboxOptions: MicroPythonGuest.DefaultOptions with { CallTimeout = TimeSpan.FromMilliseconds(300) });
        using var fresh = python.Sandbox.Snapshot();
        Assert.Throws<GuestCallCanceledException>(() => python.Run("while True:\n    pass"));
        Assert.Equal(SandboxState.Poisoned, python.Sandbox.State);
        python.Sandbox.Restore();
        Assert.Equal("42", Json(python.Value("6 * 7")));
    }

    [KvmFact]
    public void RandomNumbersDifferInEveryRunAndAfterEveryRestore()
    {
        using var python = new MicroPythonGuest();
        using var fresh = python.Sandbox.Snapshot();
        const string draw = "import random\n[random.getrandbits(30), random.random(), random.randint(0, 10 ** 9)]";
        var draws = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 5; i++)
        {
            draws.Add(Json(python.Value(draw)));
            python.Sandbox.Restore();
            draws.Add(Json(python.Value(draw)));
        }

        Assert.Equal(10, draws.Count);
        Assert.Equal(Json(python.Value("import random\nrandom.seed(7)\nrandom.random()")), Json(python.Value("import random\nrandom.seed(7)\nrandom.random()")));
    }

    [KvmFact]
    public void NothingOfARunSurvivesRestore()
    {
        using var python = new MicroPythonGuest();
        using var fresh = python.Sandbox.Snapshot();
        python.Value("""
            import sys, builtins, json
            secret = 42
            sys.modules['planted'] = 'module'
            builtins.len = lambda x: -1
            sys.path.append('/planted')
            class Leak: pass
            """);
        Assert.Equal("42", Json(python.Value("secret")));
        python.Sandbox.Restore();
        Assert.Equal("NameError", python.Error("secret").Type);
        Assert.Equal("NameError", python.Error("Leak").Type);
        Assert.Equal("[false,3,false]", Json(python.Value("import sys\n['planted' in sys.modules, len('abc'), '/planted' in sys.path]")));
    }

    [KvmFact]
    public void WithoutRestoreARunSeesTheLastOnesGlobalsLikeANotebook()
    {
        using var python = new MicroPythonGuest();
        python.Value("counter = 1");
        Assert.Equal("2", Json(python.Value("counter += 1\ncounter")));
    }

    [KvmFact]
    public void FilesOsAndTheNetworkAreNotThere()
    {
        using var python = new MicroPythonGuest();
        Assert.Equal(("OSError", "[Errno 2] ENOENT"), Pair(python.Error("open('/etc/passwd')")));
        Assert.Equal("OSError", python.Error("open('out.txt', 'w')").Type);
        Assert.Equal("[2,30,30]", Json(python.Value("""
            codes = []
            for name, mode in (('data.json', 'r'), ('out.txt', 'w'), ('log', 'a+')):
                try:
                    open(name, mode)
                except OSError as e:
                    codes.append(e.errno)
            codes
            """)));
        foreach (var module in new[] { "os", "socket", "subprocess", "select", "_thread", "machine", "uctypes", "vfs", "marshal", "ffi" })
        {
            Assert.Equal(("ImportError", $"no module named '{module}'"), Pair(python.Error($"import {module}")));
        }

        Assert.Equal("NameError", python.Error("input()").Type);
        Assert.Equal("NameError", python.Error("execfile('x.py')").Type);
        Assert.Equal("\"\"", Json(python.Value("import sys\nsys.stdin.read()")));
        Assert.Equal(SandboxState.Ready, python.Sandbox.State);

        static (string, string) Pair(ScriptError e) => (e.Type, e.Message);
    }

    [KvmFact]
    public void TheOsFreeStandardModulesWork()
    {
        using var python = new MicroPythonGuest();
        var value = python.Value("""
            import json, math, re, random, collections, struct, binascii, heapq, hashlib, time, io, array, errno, sys, deflate
            d = collections.OrderedDict(b=1, a=2)
            h = [5, 1, 3]
            heapq.heapify(h)
            s = io.StringIO()
            s.write('text')
            dq = collections.deque((), 5)
            dq.append(1)
            z = io.BytesIO()
            with deflate.DeflateIO(z, deflate.ZLIB) as w:
                w.write(b'hello ' * 20)
            [
                json.loads('{"k": [1, 2]}')['k'][1],
                math.sqrt(2),
                re.sub(r'(\d+)', r'<\1>', 'a1b22'),
                list(d.keys()),
                struct.unpack('<hI', struct.pack('<hI', -2, 7)),
                binascii.hexlify(b'\x01\xff').decode(),
                heapq.heappop(h),
                binascii.hexlify(hashlib.sha256(b'abc').digest()).decode()[:16],
                s.getvalue(),
                array.array('i', [1, 2, 3])[2],
                errno.ENOENT,
                sys.platform,
                sys.implementation.name,
                collections.namedtuple('P', 'x y')(1, 2).y,
                dq.popleft(),
                deflate.DeflateIO(io.BytesIO(z.getvalue()), deflate.ZLIB).read() == b'hello ' * 20,
                math.factorial(25),
            ]
            """);
        Assert.Equal(
            """[2,1.414213562373095,"a<1>b<22>",["b","a"],[-2,7],"01ff",1,"ba7816bf8f01cfea","text",3,2,"hypersharp","micropython",2,1,true,15511210043330985984000000]""",
            Json(value));
    }

    [KvmFact]
    public void TimeComesFromTheHostClock()
    {
        using var python = new MicroPythonGuest();
        var parts = python.Value("import time\n[time.time(), time.time_ns(), time.gmtime(86400 * 365)[:3], time.ticks_diff(time.ticks_ms(), time.ticks_ms()) <= 0]");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        Assert.InRange(parts[0].GetDouble(), now - 5, now + 5);
        Assert.InRange(decimal.Parse(parts[1].GetRawText(), CultureInfo.InvariantCulture) / 1e9m, (decimal)now - 5, (decimal)now + 5);
        Assert.Equal("[1971,1,1]", Json(parts[2]));
        Assert.True(parts[3].GetBoolean());
        var slept = python.Value("import time\nt = time.ticks_ms()\ntime.sleep_ms(50)\ntime.ticks_diff(time.ticks_ms(), t)").GetInt32();
        Assert.InRange(slept, 50, 5000);
    }

    [KvmFact]
    public void ConfigureRefusesBadOptionsAndRunsOnlyOnce()
    {
        var host = new HostFunctions();
        using var sandbox = Sandbox.Create(Guests.MicroPython, host, MicroPythonGuest.DefaultOptions);
        Assert.Contains("Run before Configure", Assert.Throws<GuestErrorException>(() => sandbox.Call<string>("Run", "1")).GuestMessage, StringComparison.Ordinal);
        Assert.Contains("unknown option", Assert.Throws<GuestErrorException>(() => sandbox.Call("Configure", """{"memorylimit":1}""")).GuestMessage, StringComparison.Ordinal);
        Assert.Contains("non-negative integers", Assert.Throws<GuestErrorException>(() => sandbox.Call("Configure", """{"memoryLimit":-1}""")).GuestMessage, StringComparison.Ordinal);
        Assert.Contains("must be a JSON object", Assert.Throws<GuestErrorException>(() => sandbox.Call("Configure", "[]")).GuestMessage, StringComparison.Ordinal);
        Assert.Contains("no room for a", Assert.Throws<GuestErrorException>(() => sandbox.Call("Configure", """{"memoryLimit":68719476736}""")).GuestMessage, StringComparison.Ordinal);
        Assert.Contains("stackLimit", Assert.Throws<GuestErrorException>(() => sandbox.Call("Configure", """{"stackLimit":1048576}""")).GuestMessage, StringComparison.Ordinal);
        sandbox.Call("Configure", """ { "memoryLimit" : 1048576 , "outputLimit":10, "stackLimit": 65536 } """);
        Assert.Contains("already", Assert.Throws<GuestErrorException>(() => sandbox.Call("Configure", "{}")).GuestMessage, StringComparison.Ordinal);
        Assert.Equal("3", ScriptResult.Parse(sandbox.Call<string>("Run", "1 + 2")).Value.GetRawText());

        using var smallest = new MicroPythonGuest("""{"memoryLimit":16384}""");
        Assert.Equal("MemoryError", smallest.Error("x = list(range(10000))").Type);
        Assert.Equal("3", Json(smallest.Value("1 + 2")));
    }
}
