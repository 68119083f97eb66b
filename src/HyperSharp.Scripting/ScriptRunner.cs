using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text;

namespace HyperSharp.Scripting;

/// <summary>
/// One script run in a sandbox, for <see cref="ScriptSandbox"/> and <see cref="ScriptLease"/> alike: the source checked,
/// the interpreter's Run called, its document read, and every failure turned into the script-level exception, with
/// whether the interpreter must go back to its fresh snapshot before the next run.
/// </summary>
internal sealed class ScriptRunner(ScriptLanguage language, ScriptOptions options)
{
    /// <summary>Refuses source larger than <see cref="ScriptOptions.MaxSourceSize"/> before anything runs.</summary>
    /// <exception cref="ScriptException">The source is too large.</exception>
    public void CheckSource(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var sourceSize = Encoding.UTF8.GetByteCount(code);
        if (sourceSize > options.MaxSourceSize)
        {
            throw new ScriptException(language, "SourceTooLarge",
                $"the script has {sourceSize} bytes of UTF-8 source; ScriptOptions.MaxSourceSize allows {options.MaxSourceSize}", null, "", "", "");
        }
    }

    public ScriptOutcome Run(Sandbox sandbox, string code, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return Completed(sandbox.Call<string>(ScriptHost.RunFunction, cancellationToken, code), start);
        }
        catch (Exception e)
        {
            return Failed(e, sandbox, cancellationToken);
        }
    }

    public async Task<ScriptOutcome> RunAsync(Sandbox sandbox, string code, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return Completed(await sandbox.CallAsync<string>(ScriptHost.RunFunction, [code], cancellationToken).ConfigureAwait(false), start);
        }
        catch (Exception e)
        {
            return Failed(e, sandbox, cancellationToken);
        }
    }

    /// <summary>A run the interpreter finished: its value, or the script's own error, which keeps a session going.</summary>
    private ScriptOutcome Completed(string document, long start)
    {
        var fresh = !options.SessionMode;
        try
        {
            return new ScriptOutcome(RunDocument.Read(document, language, Stopwatch.GetElapsedTime(start)), null, fresh);
        }
        catch (Exception e) when (e is ScriptException or GuestProtocolException)
        {
            return new ScriptOutcome(null, ExceptionDispatchInfo.Capture(e), fresh || e is GuestProtocolException);
        }
    }

    private ScriptOutcome Failed(Exception failure, Sandbox sandbox, CancellationToken cancellationToken)
    {
        var fresh = !options.SessionMode;
        Exception? translated = null;
        switch (failure)
        {
            case GuestCallCanceledException canceled:
                fresh |= canceled.GuestRan;
                translated = canceled.Reason == CallCancellationReason.TimedOut
                    ? new ScriptTimeoutException(language, options.TimeLimit!.Value, canceled)
                    : new OperationCanceledException($"The {language} script was cancelled.", canceled, cancellationToken);
                break;
            case GuestErrorException error:
                // The interpreter ran the script but could not hand back its result: too large for the output buffer,
                // or no heap left to build it. The sandbox is ready; the run's state is not worth keeping.
                fresh = true;
                translated = new ScriptException(language, "ResultTooLarge", error.GuestMessage, null, "", "", "");
                break;
            case SandboxBusyException:
                // Another run holds the sandbox: this one changed nothing, and must not disturb that run's state.
                fresh = false;
                break;
            case SandboxException when sandbox.State != SandboxState.Ready:
                fresh = true;
                break;
        }

        return new ScriptOutcome(null, ExceptionDispatchInfo.Capture(translated ?? failure), fresh);
    }
}

/// <summary>How a run ended: its result or its failure, and whether the interpreter must return to its fresh snapshot.</summary>
internal readonly record struct ScriptOutcome(ScriptResult? Result, ExceptionDispatchInfo? Failure, bool Fresh)
{
    /// <summary>The result, or the run's failure thrown.</summary>
    public ScriptResult GetResult()
    {
        Failure?.Throw();
        return Result!;
    }
}
