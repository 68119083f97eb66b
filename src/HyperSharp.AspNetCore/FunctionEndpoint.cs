using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace HyperSharp.AspNetCore;

/// <summary>
/// <c>POST …/functions/{name}</c>: the body is a JSON array of the arguments, converted by the guest function's signature;
/// the answer is <c>{"result": …}</c>, or <c>{"error": {"type", "message"}}</c> with the status of what went wrong.
/// Each request rents a sandbox from the pool, and returning it restores it to the pool's snapshot.
/// </summary>
internal sealed class FunctionEndpoint(SandboxPool pool, HyperSharpHttpOptions options)
{
    private readonly FrozenDictionary<string, GuestFunctionSignature> _functions =
        pool.Snapshot.GuestFunctions.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    public async Task Handle(HttpContext context)
    {
        var name = (string)context.Request.RouteValues["name"]!;
        if (!_functions.TryGetValue(name, out var signature))
        {
            await JsonResponses.Error(context, StatusCodes.Status404NotFound, "FunctionNotFound", $"The guest exports no function named '{name}'.").ConfigureAwait(false);
            return;
        }

        var body = await RequestBody.ReadAsync(context, options.MaxRequestBodySize).ConfigureAwait(false);
        if (body is null)
        {
            await JsonResponses.Error(context, StatusCodes.Status413PayloadTooLarge, "BodyTooLarge",
                $"The body is larger than {options.MaxRequestBodySize} bytes.").ConfigureAwait(false);
            return;
        }

        GuestValue[] arguments;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (!GuestValueJson.TryReadArguments(document.RootElement, signature, out arguments, out var problem))
            {
                await JsonResponses.Error(context, StatusCodes.Status400BadRequest, "InvalidArguments", problem).ConfigureAwait(false);
                return;
            }
        }
        catch (JsonException e)
        {
            await JsonResponses.Error(context, StatusCodes.Status400BadRequest, "InvalidJson", e.Message).ConfigureAwait(false);
            return;
        }

        GuestValue result;
        try
        {
            await using var lease = await pool.RentAsync(context.RequestAborted).ConfigureAwait(false);
            result = await lease.Sandbox.CallAsync(name, signature.ReturnType, arguments, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException)
        {
            // The client went away; its guest call was stopped and there is nobody to answer.
            return;
        }
        catch (Exception e) when (Failure(e) is { } failure)
        {
            if (failure.Status == StatusCodes.Status503ServiceUnavailable)
            {
                context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await JsonResponses.Error(context, failure.Status, failure.Type, e.Message).ConfigureAwait(false);
            return;
        }

        await JsonResponses.Write(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("result");
            GuestValueJson.Write(writer, result);
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>The status and error type a failed call is answered with.</summary>
    private static (int Status, string Type)? Failure(Exception failure) => failure switch
    {
        SandboxPoolExhaustedException => (StatusCodes.Status503ServiceUnavailable, "Busy"),
        GuestCallCanceledException { Reason: CallCancellationReason.TimedOut } => (StatusCodes.Status408RequestTimeout, "Timeout"),
        GuestArgumentException => (StatusCodes.Status400BadRequest, "InvalidArguments"),
        GuestErrorException => (StatusCodes.Status422UnprocessableEntity, "GuestError"),
        HostFunctionException => (StatusCodes.Status500InternalServerError, "HostFunctionFailed"),
        GuestAbortedException => (StatusCodes.Status500InternalServerError, "GuestAborted"),
        GuestFaultException => (StatusCodes.Status500InternalServerError, "GuestFault"),
        GuestProtocolException or GuestAccessViolationException => (StatusCodes.Status500InternalServerError, "GuestProtocolViolation"),
        GuestCallCanceledException => (StatusCodes.Status500InternalServerError, "Stopped"),
        SandboxException => (StatusCodes.Status500InternalServerError, "SandboxFailure"),
        _ => null,
    };
}
