namespace HyperSharp.Scripting;

/// <summary>The languages a <see cref="ScriptSandbox"/> runs, each an interpreter guest shipped in the package's <c>runtimes/</c> folder.</summary>
public enum ScriptLanguage
{
    /// <summary>JavaScript (ES2023) on QuickJS 2025-04-26: <c>runtimes/quickjs.elf</c>.</summary>
    JavaScript,

    /// <summary>Python on MicroPython 1.25: <c>runtimes/micropython.elf</c>.</summary>
    Python,

    /// <summary>Lua 5.4: <c>runtimes/lua.elf</c>.</summary>
    Lua,
}
