namespace HyperSharp.IntegrationTests.Hardening;

/// <summary>A fresh directory under the system's temporary folder, deleted with everything in it on dispose.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("hypersharp-test-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
