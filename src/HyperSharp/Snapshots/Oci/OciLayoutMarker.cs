namespace HyperSharp.Snapshots.Oci;

/// <summary>The <c>oci-layout</c> file that marks a directory as an OCI image layout.</summary>
internal sealed class OciLayoutMarker
{
    public required string ImageLayoutVersion { get; init; }
}
