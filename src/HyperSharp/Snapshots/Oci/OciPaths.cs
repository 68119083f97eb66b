namespace HyperSharp.Snapshots.Oci;

/// <summary>Where the files of an OCI image layout live inside its directory.</summary>
internal static class OciPaths
{
    public static string LayoutMarker(string directory) => Path.Combine(directory, "oci-layout");

    public static string Index(string directory) => Path.Combine(directory, "index.json");

    public static string Blobs(string directory) => Path.Combine(directory, "blobs", "sha256");

    public static string Blob(string directory, Sha256Digest digest) => Path.Combine(Blobs(directory), digest.Hex);
}
