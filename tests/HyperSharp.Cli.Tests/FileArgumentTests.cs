using System.Runtime.InteropServices;
using Xunit;

namespace HyperSharp.Cli.Tests;

/// <summary>
/// Guest paths and <c>@file</c> arguments that are not regular files: each is a clear error with its own exit code,
/// at once, never a hang (a FIFO), an endless read (<c>@/dev/zero</c>) or an internal error.
/// </summary>
public sealed class FileArgumentTests : IDisposable
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hypersharp-cli-files-");

    public FileArgumentTests() => Cli.RequireKvm();

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task AFifoGuestIsABadGuestBinaryAtOnce()
    {
        var fifo = Fifo("guest.fifo");
        var result = await Task.Run(() => Cli.Run("run", fifo, "Add", "1", "2"), TestContext.Current.CancellationToken).WaitAsync(HangLimit, TestContext.Current.CancellationToken);
        Assert.Contains("is a FIFO, not a regular file", result.Failed(ExitCodes.BadGuestBinary), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFifoBytesArgumentIsAUsageErrorAtOnce()
    {
        var fifo = Fifo("bytes.fifo");
        var result = await Task.Run(() => Cli.RunGuest("BytesLength", "@" + fifo), TestContext.Current.CancellationToken).WaitAsync(HangLimit, TestContext.Current.CancellationToken);
        Assert.Contains("is a FIFO, not a regular file", result.Failed(ExitCodes.Usage), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/zero", "is a character device, not a regular file")]
    [InlineData("/", "is a directory, not a regular file")]
    [InlineData("", "does not name a file")]
    public void ABytesArgumentThatIsNotARegularFileIsAUsageError(string path, string expected) =>
        Assert.Contains(expected, Cli.RunGuest("EchoBytes", "@" + path).Failed(ExitCodes.Usage), StringComparison.Ordinal);

    [Fact]
    public void ABytesArgumentLargerThanAnyInputBufferIsRefusedUnread()
    {
        var big = Path.Combine(_directory.FullName, "big");
        using (var file = File.Create(big))
        {
            file.SetLength((256L << 20) + 1);
        }

        Assert.Contains("more than the 268435456 bytes allowed", Cli.RunGuest("BytesLength", "@" + big).Failed(ExitCodes.Usage), StringComparison.Ordinal);
    }

    [Fact]
    public void ABytesArgumentThatReadsShorterThanItsSizeIsAUsageError()
    {
        // sysfs reports 4096 bytes for every attribute and returns far fewer: a file that shrinks between fstat and read.
        const string ShortFile = "/sys/kernel/mm/transparent_hugepage/enabled";
        Assert.SkipUnless(File.Exists(ShortFile), $"{ShortFile} is not here");
        Assert.Contains("shrank while it was read", Cli.RunGuest("BytesLength", "@" + ShortFile).Failed(ExitCodes.Usage), StringComparison.Ordinal);
    }

    [Fact]
    public void ADirectoryGuestIsABadGuestBinary() =>
        Assert.Contains("is a directory, not a regular file", Cli.Run("run", _directory.FullName, "Add", "1", "2").Failed(ExitCodes.BadGuestBinary), StringComparison.Ordinal);

    [Fact]
    public void AMissingGuestIsAUsageError() =>
        Assert.Contains("does not exist", Cli.Run("run", Path.Combine(_directory.FullName, "missing.elf"), "Add", "1", "2").Failed(ExitCodes.Usage), StringComparison.Ordinal);

    [Fact]
    public async Task SaveBoundsASetUpCallWithItsTimeout()
    {
        var layout = Path.Combine(_directory.FullName, "layout");
        var result = await Task.Run(() => Cli.Run("snapshot", "save", Cli.SimpleGuest, layout, "--tag", "t", "--timeout", "100", "--call", "Spin"), TestContext.Current.CancellationToken)
            .WaitAsync(HangLimit, TestContext.Current.CancellationToken);
        Assert.Contains("GuestCallCanceledException: TimedOut", result.Failed(ExitCodes.TimedOut), StringComparison.Ordinal);
        Assert.False(Directory.Exists(layout));
    }

    private string Fifo(string name)
    {
        var path = Path.Combine(_directory.FullName, name);
        Assert.Equal(0, MkFifo(path, 0x180));
        return path;
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(string path, uint mode);
}
