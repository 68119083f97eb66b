using System.Text;
using HyperSharp.Scripting;
using Microsoft.AspNetCore.Http;

namespace HyperSharp.AspNetCore;

/// <summary>
/// <c>POST …/scripts/{language}</c>: the body is the code as UTF-8 text; the answer is the run as <see cref="ScriptJson"/>
/// writes it: 200 with the value, stdout, stderr and duration; 422 for the script's error, 408 for its time limit,
/// 413 for source over the limit, 503 when no interpreter became free, 500 when the interpreter itself failed.
/// </summary>
internal sealed class ScriptEndpoint(IReadOnlyDictionary<ScriptLanguage, ScriptSandboxPool> pools, HyperSharpHttpOptions options)
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public async Task Handle(HttpContext context)
    {
        var language = (string)context.Request.RouteValues["language"]!;
        if (!TryParseLanguage(language, out var parsed) || !pools.TryGetValue(parsed, out var pool))
        {
            await JsonResponses.Error(context, StatusCodes.Status404NotFound, "LanguageNotServed",
                $"'{language}' is not a language this server runs; it runs: {string.Join(", ", pools.Keys.Select(Name))}.").ConfigureAwait(false);
            return;
        }

        var limit = Math.Min(options.MaxRequestBodySize, pool.Options.MaxSourceSize);
        var body = await RequestBody.ReadAsync(context, limit).ConfigureAwait(false);
        if (body is null)
        {
            await JsonResponses.Error(context, StatusCodes.Status413PayloadTooLarge, "SourceTooLarge", $"The script is larger than {limit} bytes.").ConfigureAwait(false);
            return;
        }

        string code;
        try
        {
            code = s_strictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            await JsonResponses.Error(context, StatusCodes.Status400BadRequest, "InvalidUtf8", "The script is not valid UTF-8.").ConfigureAwait(false);
            return;
        }

        ScriptResult result;
        try
        {
            result = await pool.RunAsync(code, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (ScriptJson.ErrorType(e) is not null)
        {
            var status = e switch
            {
                ScriptException { ErrorType: "SourceTooLarge" } => StatusCodes.Status413PayloadTooLarge,
                ScriptException => StatusCodes.Status422UnprocessableEntity,
                ScriptTimeoutException => StatusCodes.Status408RequestTimeout,
                SandboxPoolExhaustedException => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            };
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await JsonResponses.Write(context, status, writer => ScriptJson.TryWriteError(writer, e)).ConfigureAwait(false);
            return;
        }

        await JsonResponses.Write(context, StatusCodes.Status200OK, writer => ScriptJson.WriteResult(writer, result)).ConfigureAwait(false);
    }

    /// <summary>The path name of <paramref name="language"/>.</summary>
    public static string Name(ScriptLanguage language) => language switch
    {
        ScriptLanguage.JavaScript => "javascript",
        ScriptLanguage.Python => "python",
        _ => "lua",
    };

    private static bool TryParseLanguage(string name, out ScriptLanguage language)
    {
        switch (name.ToLowerInvariant())
        {
            case "javascript" or "js":
                language = ScriptLanguage.JavaScript;
                return true;
            case "python" or "py":
                language = ScriptLanguage.Python;
                return true;
            case "lua":
                language = ScriptLanguage.Lua;
                return true;
            default:
                language = default;
                return false;
        }
    }
}
