namespace HyperSharp.Scripting;

/// <summary>
/// The script raised an error it did not catch, or broke a limit that ends it as a script error: too much source
/// (<see cref="ErrorType"/> <c>SourceTooLarge</c>, before anything ran) or a value too large to return
/// (<c>ResultTooLarge</c>). The sandbox is ready for the next run.
/// </summary>
public sealed class ScriptException : SandboxException
{
    internal ScriptException(ScriptLanguage language, string errorType, string scriptMessage, int? line, string scriptStack, string stdout, string stderr)
        : base(line is { } at ? $"{errorType}: {scriptMessage} (line {at})" : $"{errorType}: {scriptMessage}")
    {
        Language = language;
        ErrorType = errorType;
        ScriptMessage = scriptMessage;
        Line = line;
        ScriptStack = scriptStack;
        Stdout = stdout;
        Stderr = stderr;
    }

    /// <summary>The language of the script.</summary>
    public ScriptLanguage Language { get; }

    /// <summary>
    /// The language's name for the error: JavaScript's error name (<c>TypeError</c>, <c>InternalError</c>…), Python's
    /// exception class, Lua's <c>RuntimeError</c>, <c>SyntaxError</c> or <c>MemoryError</c>; or <c>SourceTooLarge</c>,
    /// <c>ResultTooLarge</c>.
    /// </summary>
    public string ErrorType { get; }

    /// <summary>The error's message, as the script's language states it.</summary>
    public string ScriptMessage { get; }

    /// <summary>The 1-based line of the script where the error arose, or null when unknown.</summary>
    public int? Line { get; }

    /// <summary>The interpreter's stack trace, or an empty string.</summary>
    public string ScriptStack { get; }

    /// <summary>What the script printed to standard output before the error.</summary>
    public string Stdout { get; }

    /// <summary>What the script printed to standard error before the error.</summary>
    public string Stderr { get; }
}
