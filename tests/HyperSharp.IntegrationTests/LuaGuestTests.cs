using System.Globalization;
using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>Lua 5.4, from Debian's source package and built with hs-cc, running real programs in a guest.</summary>
public sealed class LuaGuestTests
{
    private static string Run(Sandbox sandbox, string code) => sandbox.Call<string>("RunLua", code);

    private static GuestErrorException Fails(Sandbox sandbox, string code) =>
        Assert.Throws<GuestErrorException>(() => Run(sandbox, code));

    [KvmFact]
    public void TheStringLibraryWorks()
    {
        using var sandbox = Sandbox.Create(Guests.LuaGuest);
        Assert.Equal(
            "HELLO WORLD\t7-x\ta;b;c\tabc|abc|abc\t3\t€\t3",
            Run(sandbox, "return ('hello world'):upper(), ('%d-%s'):format(7, 'x'), string.gsub('a,b,c', ',', ';'), " +
                "('abc'):rep(3, '|'), string.find('hello', 'l+'), utf8.char(8364), #utf8.char(8364)"));
    }

    [KvmFact]
    public void FloatingPointFormatsLikeC()
    {
        using var sandbox = Sandbox.Create(Guests.LuaGuest);
        Assert.Equal(
            "0.1|1e+20|0.333333|1.5e-07| 3.14|-2.50|100.00\t0.3\t9.007199254741e+15\t3.3333333333333\t1e+100",
            Run(sandbox, "return string.format('%g|%g|%g|%g|%5.2f|%5.2f|%5.2f', 0.1, 1e20, 1/3, 1.5e-7, 3.14159, -2.5, 99.999), " +
                "0.1 + 0.2 == 0.3 and 'equal' or 0.3, 2^53, 10/3, 1e100"));
    }

    [KvmFact]
    public void CoroutinesResumeAndYield()
    {
        using var sandbox = Sandbox.Create(Guests.LuaGuest);
        const string code = """
            local function range(n) return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end) end
            local sum = 0
            for i in range(100) do sum = sum + i end
            local co = coroutine.create(function(a) local b = coroutine.yield(a * 2); error('stop ' .. b) end)
            local _, first = coroutine.resume(co, 21)
            local ok, message = coroutine.resume(co, 'now')
            return sum, first, ok, message, coroutine.status(co)
            """;
        Assert.Equal("5050\t42\tfalse\tscript:4: stop now\tdead", Run(sandbox, code));
    }

    [KvmFact]
    public void ErrorsCarryLineNumbers()
    {
        using var sandbox = Sandbox.Create(Guests.LuaGuest);
        Assert.Equal("script:3: attempt to index a nil value (local 'y')", Fails(sandbox, "local x = 1\nlocal y = nil\nreturn y.z").GuestMessage);
        Assert.Equal("script:2: unexpected symbol near '+'", Fails(sandbox, "local x = 1\nreturn +").GuestMessage);
        Assert.Equal("script:1: custom", Fails(sandbox, "error('custom')").GuestMessage);
        Assert.Equal("(error object is a table value)", Fails(sandbox, "error({})").GuestMessage);
        Assert.Equal(SandboxState.Ready, sandbox.State);
    }

    [KvmFact]
    public void DeepCRecursionIsALuaErrorNotAFault()
    {
        using var sandbox = Sandbox.Create(Guests.LuaGuest);
        var e = Fails(sandbox, "local t = setmetatable({}, {__index = function(t, k) return t[k] end})\nreturn t.x");
        Assert.Contains("stack overflow", e.GuestMessage, StringComparison.Ordinal);
        Assert.Contains("stack overflow", Run(sandbox, "return select(2, load(string.rep('(', 10000) .. '1' .. string.rep(')', 10000)))"), StringComparison.Ordinal);
        Assert.Equal("2", Run(sandbox, "return 1 + 1"));
    }

    [KvmFact]
    public void DeepLuaRecursionIsALuaError()
    {
        using var sandbox = Sandbox.Create(Guests.LuaGuest, options: new SandboxOptions { HeapSize = 256UL << 20 });
        var e = Fails(sandbox, "local function f(n) return 1 + f(n + 1) end\nreturn f(1)");
        Assert.Contains("stack overflow", e.GuestMessage, StringComparison.Ordinal);
        Assert.Equal("2", Run(sandbox, "return 1 + 1"));
    }

    [KvmFact]
    public void RunningOutOfMemoryIsLuasErrorAndTheSandboxCarriesOn()
    {
        using var sandbox = Sandbox.Create(Guests.LuaGuest, options: new SandboxOptions { HeapSize = 4UL << 20 });
        Assert.Equal("not enough memory", Fails(sandbox, "local t = {} for i = 1, 1e8 do t[i] = i end").GuestMessage);
        Assert.Equal("not enough memory", Fails(sandbox, "return string.rep('x', 1e8)").GuestMessage);
        Assert.Equal(SandboxState.Ready, sandbox.State);
        Assert.Equal("100000", Run(sandbox, "collectgarbage() local t = {} for i = 1, 1e5 do t[i] = i end return #t"));
    }

    [KvmFact]
    public void MathRandomIsReseededEveryCallAndAfterRestore()
    {
        using var sandbox = Sandbox.Create(Guests.LuaGuest);
        using var snapshot = sandbox.Snapshot();
        const string draw = "return math.random(1, 1 << 40)";
        var first = Run(sandbox, draw);
        Assert.NotEqual(first, Run(sandbox, draw));
        sandbox.Restore();
        Assert.NotEqual(first, Run(sandbox, draw));
    }

    [KvmFact]
    public void PrintReachesHostPrintOnceForTheWholeCall()
    {
        var lines = new List<string>();
        var host = new HostFunctions();
        host.Define(HostFunctions.HostPrintName, (string text) =>
        {
            lines.Add(text);
            return text.Length;
        });
        using var sandbox = Sandbox.Create(Guests.LuaGuest, host);
        Run(sandbox, "for i = 1, 100 do print(i, i * i) end");
        var only = Assert.Single(lines);
        Assert.StartsWith("1\t1\n2\t4\n", only, StringComparison.Ordinal);
        Assert.EndsWith("100\t10000\n", only, StringComparison.Ordinal);
    }

    [KvmFact]
    public void NothingReadsStdinEndsTheGuestOrLoadsBytecode()
    {
        using var sandbox = Sandbox.Create(Guests.LuaGuest);
        Assert.Equal("nil\tnil\tnil\tnil\tnil\tnil", Run(sandbox, "return dofile, loadfile, io, os.exit, os.execute, require"));
        Assert.Equal("nil\tattempt to load a binary chunk (mode is 't')", Run(sandbox, "return load(string.dump(function() end), 'f', 'b')"));
        Assert.Equal("3.1415926535898\t7", Run(sandbox, "return load('return math.pi')(), load('return x', 'x', 't', {x = 7})()"));
    }

    [KvmFact]
    public void TheOsClockAndDateComeFromTheHost()
    {
        using var sandbox = Sandbox.Create(Guests.LuaGuest);
        var parts = Run(sandbox, "return os.time(), os.date('!%Y-%m-%d', 86400 * 365), os.clock() >= 0").Split('\t');
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(long.Parse(parts[0], CultureInfo.InvariantCulture), now - 5, now + 5);
        Assert.Equal("1971-01-01", parts[1]);
        Assert.Equal("true", parts[2]);
    }
}
