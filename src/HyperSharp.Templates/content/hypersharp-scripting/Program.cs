using HyperSharp.Scripting;

// A .NET function scripts may call as tools.add(a, b): their only way out of the sandbox.
var tools = new ScriptTools();
tools.Add("add", args => args[0].GetInt32() + args[1].GetInt32());

// Each run starts from a clean interpreter; a run past the time limit is stopped.
var options = ScriptOptions.Default with { TimeLimit = TimeSpan.FromSeconds(1) };

using (var js = ScriptSandbox.Create(ScriptLanguage.JavaScript, options, tools))
{
    var result = js.Run("console.log('hello from JavaScript'); tools.add(40, 2)");
    Console.Write(result.Stdout);
    Console.WriteLine($"JavaScript value: {result.ValueJson}");

    try
    {
        js.Run("for (;;) {}");
    }
    catch (ScriptTimeoutException)
    {
        Console.WriteLine("JavaScript: an endless loop was stopped after 1 s");
    }
}

using (var python = ScriptSandbox.Create(ScriptLanguage.Python, options, tools))
{
    var result = python.Run("print('hello from Python')\n[n * n for n in range(5)]");
    Console.Write(result.Stdout);
    Console.WriteLine($"Python value: {result.ValueJson}");
}

using (var lua = ScriptSandbox.Create(ScriptLanguage.Lua, options, tools))
{
    Console.WriteLine($"Lua value: {lua.Run("return tools.add(1, 2) * 10").ValueJson}");
}
