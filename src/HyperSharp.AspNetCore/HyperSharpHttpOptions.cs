namespace HyperSharp.AspNetCore;

/// <summary>The limits of HyperSharp's HTTP endpoints, beyond those of the pools they run on.</summary>
public sealed record HyperSharpHttpOptions
{
    /// <summary>The largest request body accepted, in bytes; larger ones are answered 413. Default 1 MiB.</summary>
    public long MaxRequestBodySize { get; init; } = 1 << 20;

    /// <summary>The <c>Retry-After</c> seconds sent with a 503 when no sandbox became free in time. Default 1.</summary>
    public int RetryAfterSeconds { get; init; } = 1;
}
