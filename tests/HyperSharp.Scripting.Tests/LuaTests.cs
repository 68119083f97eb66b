using Xunit;

namespace HyperSharp.Scripting.Tests;

/// <summary>Lua 5.4: returned values, the table walker's JSON, output and errors as the script API reports them.</summary>
public sealed class LuaTests
{
    private static ScriptSandbox Open(ScriptOptions? options = null) => Interpreters.Open(ScriptLanguage.Lua, options);

    [Fact]
    public void ReturnedValuesBecomeJson()
    {
        using var lua = Open();
        Assert.Equal("null", lua.Execute("local x = 1").ValueJson);
        Assert.Equal("3", lua.Execute("return 1 + 2").ValueJson);
        Assert.Equal("""[1,"two",null,true]""", lua.Execute("return 1, 'two', nil, true").ValueJson);
        var mixed = lua.Execute("return { name = 'x', list = {1, 2, 3}, empty = {}, [10] = 'ten', sparse = {1, nil, 3} }").Value;
        Assert.Equal("x", mixed.GetProperty("name").GetString());
        Assert.Equal("[1,2,3]", mixed.GetProperty("list").GetRawText());
        Assert.Equal("[]", mixed.GetProperty("empty").GetRawText());
        Assert.Equal("ten", mixed.GetProperty("10").GetString());
        Assert.Equal("""{"1":1,"3":3}""", mixed.GetProperty("sparse").GetRawText());
        Assert.Equal("""[0.1,9007199254740993,null,"café"]""", lua.Execute("return {0.1, 9007199254740993, 0/0, 'café'}").ValueJson);
    }

    [Fact]
    public void WhatHasNoJsonIsALuaError()
    {
        using var lua = Open();
        Assert.Contains("contains itself", Assert.Throws<ScriptException>(() => lua.Execute("local t = {} t.me = t return t")).ScriptMessage, StringComparison.Ordinal);
        Assert.Contains("function", Assert.Throws<ScriptException>(() => lua.Execute("return print")).ScriptMessage, StringComparison.Ordinal);
        Assert.Contains("key of type boolean", Assert.Throws<ScriptException>(() => lua.Execute("return { [true] = 1 }")).ScriptMessage, StringComparison.Ordinal);
        Assert.Equal("[1]", lua.Execute("return {1}").ValueJson);
    }

    [Fact]
    public void PrintAndWarnAreCaptured()
    {
        using var lua = Open();
        var result = lua.Execute("print('a', 1, nil, 2.5) warn('careful') return 'done'");
        Assert.Equal("a\t1\tnil\t2.5\n", result.Stdout);
        Assert.Equal("Lua warning: careful\n", result.Stderr);
        Assert.Equal("\"done\"", result.ValueJson);
    }

    [Fact]
    public void ErrorsCarryTypeMessageLineAndTraceback()
    {
        using var lua = Open();
        var runtime = Assert.Throws<ScriptException>(() => lua.Execute("print('before')\nlocal t = nil\nreturn t.x"));
        Assert.Equal(("RuntimeError", "attempt to index a nil value (local 't')", 3), (runtime.ErrorType, runtime.ScriptMessage, runtime.Line));
        Assert.Contains("stack traceback", runtime.ScriptStack, StringComparison.Ordinal);
        Assert.Equal("before\n", runtime.Stdout);

        var syntax = Assert.Throws<ScriptException>(() => lua.Execute("local x = 1\nreturn +"));
        Assert.Equal(("SyntaxError", "unexpected symbol near '+'", 2), (syntax.ErrorType, syntax.ScriptMessage, syntax.Line));

        var inFunction = Assert.Throws<ScriptException>(() => lua.Execute("local function f()\n  error('custom')\nend\nf()"));
        Assert.Equal(("custom", 2), (inFunction.ScriptMessage, inFunction.Line));

        var table = Assert.Throws<ScriptException>(() => lua.Execute("error({ code = 1 })"));
        Assert.Equal(("(error object is a table value)", (int?)null), (table.ScriptMessage, table.Line));
    }

    [Fact]
    public void ProgramsRunAsInLua()
    {
        using var lua = Open();
        const string code = """
            local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
            local words = {}
            for w in ("the quick brown fox"):gmatch("%a+") do words[#words + 1] = w:upper() end
            table.sort(words)
            local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i * i) end end)
            return fib(20), table.concat(words, ","), co() + co() + co(), string.format("%5.2f|%x", math.pi, 255), utf8.len("héllo"), 7 // 2, 2^10
            """;
        Assert.Equal("""[6765,"BROWN,FOX,QUICK,THE",14," 3.14|ff",5,3,1024]""", lua.Execute(code).ValueJson);
    }
}
