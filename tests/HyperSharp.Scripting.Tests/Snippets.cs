namespace HyperSharp.Scripting.Tests;

/// <summary>One program written in each language, for tests that hold every interpreter to the same promise.</summary>
internal sealed record Snippets(string JavaScript, string Python, string Lua)
{
    public string For(ScriptLanguage language) => language switch
    {
        ScriptLanguage.JavaScript => JavaScript,
        ScriptLanguage.Python => Python,
        ScriptLanguage.Lua => Lua,
        _ => throw new ArgumentOutOfRangeException(nameof(language)),
    };
}
