using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace HyperSharp.AspNetCore;

/// <summary>Reads a request body up to a limit, whether or not the client announced its length.</summary>
internal static class RequestBody
{
    /// <summary>The body's bytes, or null if it is larger than <paramref name="limit"/> (the caller answers 413).</summary>
    public static async Task<byte[]?> ReadAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        using var body = new MemoryStream();
        var buffer = new byte[16 << 10];
        while (true)
        {
            int read;
            try
            {
                read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return null;
            }

            if (read == 0)
            {
                return body.ToArray();
            }

            if (body.Length + read > limit)
            {
                return null;
            }

            body.Write(buffer, 0, read);
        }
    }
}
