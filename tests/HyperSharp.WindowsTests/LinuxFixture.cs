namespace HyperSharp.WindowsTests;

/// <summary>
/// What <c>.ci/run</c> prepares on Linux before it starts these tests under Wine, in the directory
/// <c>HYPERSHARP_WINDOWS_FIXTURE</c> names: <c>layout</c>, an OCI layout the Linux CLI saved from a real guest under the
/// tag <c>warm</c>, and <c>simpleguest.elf</c>, that guest. Tests that need it are skipped, saying so, where it is absent.
/// </summary>
internal static class LinuxFixture
{
    public const string Tag = "warm";

    public const string MissingReason = "HYPERSHARP_WINDOWS_FIXTURE does not name a directory holding a layout saved on Linux; .ci/run prepares one.";

    public static string? Directory { get; } = Environment.GetEnvironmentVariable("HYPERSHARP_WINDOWS_FIXTURE") is { Length: > 0 } path
        && System.IO.Directory.Exists(Path.Combine(path, "layout")) ? path : null;

    public static bool IsPresent => Directory is not null;

    public static string Layout => Path.Combine(Directory!, "layout");

    public static string GuestBinary => Path.Combine(Directory!, "simpleguest.elf");

    /// <summary>The memory blob's path, from the manifest's one layer.</summary>
    public static string MemoryBlob() =>
        Path.Combine(Layout, "blobs", "sha256", Snapshot.Inspect(Layout, Tag).MemoryDigest["sha256:".Length..]);
}
