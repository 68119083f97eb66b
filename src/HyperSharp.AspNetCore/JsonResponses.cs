using System.Text.Json;
using HyperSharp.Scripting;
using Microsoft.AspNetCore.Http;

namespace HyperSharp.AspNetCore;

/// <summary>Writes the JSON bodies of the endpoints straight to the response, without a serializer or reflection.</summary>
internal static class JsonResponses
{
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>
    /// Escapes only what JSON requires, so messages read as written (<c>'</c>, not <c>\u0027</c>); the bodies are
    /// <c>application/json</c>, never embedded in HTML.
    /// </summary>
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Answers <paramref name="status"/> with the document <paramref name="write"/> produces.</summary>
    public static async Task Write(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            write(writer);
        }

        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Answers <paramref name="status"/> with <c>{"error": {"type": …, "message": …}}</c>.</summary>
    public static Task Error(HttpContext context, int status, string type, string message) =>
        Write(context, status, writer => ScriptJson.WriteError(writer, type, message));
}
