namespace HyperSharp.Scripting;

/// <summary>
/// A run took longer than <see cref="ScriptOptions.TimeLimit"/> and was stopped. The sandbox was restored to the fresh
/// interpreter and is ready (in session mode, that ends the session).
/// </summary>
public sealed class ScriptTimeoutException : SandboxException
{
    internal ScriptTimeoutException(ScriptLanguage language, TimeSpan timeLimit, Exception innerException)
        : base($"The {language} script ran longer than its time limit of {timeLimit.TotalMilliseconds:0.###} ms and was stopped.", innerException)
    {
        Language = language;
        TimeLimit = timeLimit;
    }

    /// <summary>The language of the script.</summary>
    public ScriptLanguage Language { get; }

    /// <summary>The limit the run exceeded.</summary>
    public TimeSpan TimeLimit { get; }
}
