using HyperSharp.Tests.Snapshots;
using Xunit;

namespace HyperSharp.Cli.Tests;

/// <summary>
/// Hostile snapshot directories and guests against the snapshot commands: each ends in its documented exit code with
/// one line, never exit 1 (internal error), and nothing is written where it must not be.
/// </summary>
public sealed class HostileFileCommandTests : IDisposable
{
    private readonly SnapshotLayoutFixture _layout = new();

    public HostileFileCommandTests() => Cli.RequireKvm();

    public void Dispose() => _layout.Dispose();

    private static string GuestsDirectory => Path.GetDirectoryName(Cli.SimpleGuest)!;

    [Fact]
    public void ALayoutWhoseSizesSandboxOptionsRefuseIsABadSnapshot()
    {
        Cli.Run("snapshot", "save", "--heap-size", "64K", Cli.SimpleGuest, _layout.Layout, "--tag", "t").Succeeded();
        _layout.EditConfig(c =>
        {
            // 2 KiB moved from the heap to the stack: sizes in range, memory size unchanged, not page-aligned.
            var fields = c["layout"]!;
            fields["heap_size"] = (ulong)fields["heap_size"]! - 0x800;
            fields["stack_base"] = (ulong)fields["stack_base"]! - 0x800;
            fields["stack_size"] = (ulong)fields["stack_size"]! + 0x800;
        });

        var error = Cli.Run("snapshot", "call", _layout.Layout, "GetStatic").Failed(ExitCodes.BadSnapshot);

        Assert.StartsWith("error: SnapshotFormatException: BadLayout: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SavingIntoALayoutWhoseIndexIsADirectoryIsABadSnapshot()
    {
        _layout.Save("v1");
        var index = Path.Combine(_layout.Layout, "index.json");
        File.Delete(index);
        Directory.CreateDirectory(index);

        var error = Cli.Run("snapshot", "save", Cli.SimpleGuest, _layout.Layout, "--tag", "t").Failed(ExitCodes.BadSnapshot);

        Assert.StartsWith("error: SnapshotFormatException: NotARegularFile: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SavingThroughASymlinkedBlobDirectoryIsRefused()
    {
        _layout.Save("v1");
        var blobs = Path.Combine(_layout.Layout, "blobs");
        var outside = Path.Combine(_layout.Root, "outside");
        Directory.Move(blobs, outside);
        Directory.CreateSymbolicLink(blobs, outside);
        var before = Directory.GetFiles(outside, "*", SearchOption.AllDirectories).Length;

        var error = Cli.Run("snapshot", "save", Cli.SimpleGuest, _layout.Layout, "--tag", "t").Failed(ExitCodes.BadSnapshot);

        Assert.Contains("is a symbolic link", error, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(outside, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void AGuestThatEndsOffItsStackIsRefusedBeforeAnythingIsWritten()
    {
        var error = Cli.Run("snapshot", "save", Path.Combine(GuestsDirectory, "stackliarguest.elf"), _layout.Layout, "--tag", "t",
            "--call", "FinishOnForeignStack").Failed(ExitCodes.BadSnapshot);

        Assert.StartsWith("error: SnapshotFormatException: BadEntryPoint: The snapshot was not saved", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_layout.Layout));
    }

    [Fact]
    public void ASnapshotRecordingHostFunctionsTheCliLacksIsABadSnapshot()
    {
        // The synthetic snapshot records HostAdd(Int, Int) and HostVoid(); the CLI offers HostPrint and HostAdd.
        _layout.Save("v1");
        var error = Cli.Run("snapshot", "call", _layout.Layout, "Add", "1", "2").Failed(ExitCodes.BadSnapshot);
        Assert.StartsWith("error: SnapshotMismatchException: ", error, StringComparison.Ordinal);
        Assert.Contains("HostVoid", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ALayoutDirectoryUnderARegularFileIsAFileError()
    {
        var file = Path.Combine(_layout.Root, "file");
        File.WriteAllText(file, "x");

        var error = Cli.Run("snapshot", "save", Cli.SimpleGuest, Path.Combine(file, "layout"), "--tag", "t").Failed(ExitCodes.FileError);

        Assert.Equal($"error: SandboxIOException: '{file}' is not a directory.\n", error);
    }
}
