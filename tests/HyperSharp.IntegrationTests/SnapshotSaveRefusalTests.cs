using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>
/// Snapshots of real guests that <see cref="Snapshot.Load"/> would refuse are refused by <see cref="Snapshot.Save"/>, before
/// anything is written; and what Save writes, Load reads back exactly.
/// </summary>
public sealed class SnapshotSaveRefusalTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hypersharp-save-refusal-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [KvmFact]
    public void AGuestThatEndsACallOffItsStackCannotBeSaved()
    {
        using var sandbox = Sandbox.Create(Guests.StackLiarGuest);
        sandbox.Call("FinishOnForeignStack");
        using var snapshot = sandbox.Snapshot();

        var error = Assert.Throws<SnapshotFormatException>(() => snapshot.Save(_directory, "t"));

        Assert.Equal(SnapshotFormatError.BadEntryPoint, error.Reason);
        Assert.Contains("RSP 0x", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
        // The snapshot itself is fine in memory: only the file format bounds the stack pointer.
        using var twin = Sandbox.FromSnapshot(snapshot);
        Assert.Equal(1UL, twin.Generation);
    }

    [KvmFact]
    public void HostFunctionNamesOutsideTheBasicPlaneRoundTrip()
    {
        var host = TestHostFunctions.Create();
        host.Define("Grin\U0001F600", (int x) => x);
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, host);
        using var snapshot = sandbox.Snapshot();
        snapshot.Save(_directory, "t");

        using var loaded = Snapshot.Load(_directory, "t");

        Assert.Equal(snapshot.HostFunctions, loaded.HostFunctions);
        using var twin = Sandbox.FromSnapshot(loaded, host);
        Assert.Equal(3, twin.Call<int>("Add", 1, 2));
    }
}
