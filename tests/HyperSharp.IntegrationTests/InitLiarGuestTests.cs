using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>
/// A guest may lie before the sandbox exists: in the function list it announces at the end of init, in a host call
/// from <c>hs_main</c>, or by faulting. <see cref="Sandbox.Create(string, HostFunctions?, SandboxOptions?)"/> must then
/// throw the typed error, and nothing it half-built may stop the next sandbox from working. guest/tests/initliarguest
/// picks its lie from the heap size, the one number a test controls at init.
/// </summary>
public sealed class InitLiarGuestTests
{
    [KvmTheory]
    [InlineData(1, typeof(GuestProtocolException), "announced function 'Twice' twice")]
    [InlineData(2, typeof(GuestProtocolException), "count 1025 at offset 6 exceeds the limit of 1024 functions")]
    [InlineData(3, typeof(GuestProtocolException), "has 33 parameters; the limit is 32")]
    [InlineData(4, typeof(GuestProtocolException), "parameter 0 of signature 0 at offset 24 has type VOID")]
    [InlineData(5, typeof(GuestProtocolException), "name of signature 0 at offset 25 is not valid UTF-8")]
    [InlineData(7, typeof(GuestProtocolException), "without announcing its functions")]
    [InlineData(8, typeof(GuestProtocolException), "exceeds the 65536-byte buffer")]
    [InlineData(9, typeof(GuestProtocolException), "function name at offset 16 with size 200 runs past the end of the 32-byte message")]
    [InlineData(10, typeof(GuestFaultException), "a read-only page")]
    [InlineData(11, typeof(GuestAbortedException), "no such lie")]
    public void ALieDuringInitFailsCreateWithATypedError(int lie, Type expected, string fragment)
    {
        var e = Assert.Throws(expected, () => Sandbox.Create(Guests.InitLiarGuest, options: HeapFor(lie)));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);

        using var honest = Sandbox.Create(Guests.InitLiarGuest, options: HeapFor(0));
        Assert.Equal("after a lie", honest.Call<string>("Echo", "after a lie"));
    }

    [KvmFact]
    public void AnEmptyFunctionNameIsNotALieAndSurvivesASnapshotFile()
    {
        // The wire format allows a guest to announce a function named "". Regression: the snapshot loader refused the
        // snapshot the library itself had saved from such a sandbox.
        using var sandbox = Sandbox.Create(Guests.InitLiarGuest, options: HeapFor(6));
        Assert.Contains(sandbox.GuestFunctions, f => f.Name.Length == 0);
        var directory = Path.Combine(Path.GetTempPath(), "hypersharp-empty-name-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var snapshot = sandbox.Snapshot())
            {
                snapshot.Save(directory, "empty-name");
            }

            using var loaded = Snapshot.Load(directory, "empty-name");
            using var restored = Sandbox.FromSnapshot(loaded);
            Assert.Contains(restored.GuestFunctions, f => f.Name.Length == 0);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static SandboxOptions HeapFor(int lie) => new() { HeapSize = 4096UL * (ulong)(lie + 1) };
}
