using System.Net.Sockets;
using System.Runtime.InteropServices;
using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>
/// <see cref="Sandbox.Create(string, HostFunctions?, SandboxOptions?)"/> on paths that are not regular files: each is
/// refused at once with a typed error, never a hang (a FIFO) or an endless read (a device).
/// </summary>
public sealed class GuestFileTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hypersharp-guest-files-");

    public void Dispose() => _directory.Delete(recursive: true);

    [KvmFact]
    public async Task AFifoIsABadGuestBinaryAndNeverBlocks()
    {
        var fifo = Path.Combine(_directory.FullName, "guest.fifo");
        Assert.Equal(0, MkFifo(fifo, 0x180));
        var create = Task.Run(() => Assert.Throws<GuestBinaryException>(() => Sandbox.Create(fifo)), TestContext.Current.CancellationToken);
        var error = await create.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Contains("is a FIFO, not a regular file", error.Message, StringComparison.Ordinal);
    }

    [KvmFact]
    public void ADirectoryIsABadGuestBinary() =>
        Assert.Contains("is a directory, not a regular file", Assert.Throws<GuestBinaryException>(() => Sandbox.Create(_directory.FullName)).Message, StringComparison.Ordinal);

    [KvmFact]
    public void ADeviceIsABadGuestBinaryAndIsNotRead() =>
        Assert.Contains("is a character device", Assert.Throws<GuestBinaryException>(() => Sandbox.Create("/dev/zero")).Message, StringComparison.Ordinal);

    [KvmFact]
    public void ASocketIsABadGuestBinary()
    {
        var path = Path.Combine(_directory.FullName, "guest.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        Assert.Contains("is a socket", Assert.Throws<GuestBinaryException>(() => Sandbox.Create(path)).Message, StringComparison.Ordinal);
    }

    [KvmFact]
    public void AMissingFileIsAnIOErrorNamingThePath()
    {
        var missing = Path.Combine(_directory.FullName, "missing.elf");
        var error = Assert.Throws<SandboxIOException>(() => Sandbox.Create(missing));
        Assert.Equal(missing, error.Path);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [KvmFact]
    public void AFileThatReadsShorterThanItsSizeIsRefused()
    {
        // sysfs reports 4096 bytes for every attribute and returns far fewer: a file that shrinks between fstat and read.
        const string ShortFile = "/sys/kernel/mm/transparent_hugepage/enabled";
        Assert.SkipUnless(File.Exists(ShortFile), $"{ShortFile} is not here");
        Assert.Contains("shrank", Assert.Throws<GuestBinaryException>(() => Sandbox.Create(ShortFile)).Message, StringComparison.Ordinal);
    }

    [KvmFact]
    public void APathWithANulCharacterIsRefusedNotCut() =>
        Assert.Throws<ArgumentException>(() => Sandbox.Create(Guests.SimpleGuest + "\0.ignored"));

    [KvmFact]
    public void ASymlinkToAGuestIsFollowed()
    {
        var link = Path.Combine(_directory.FullName, "guest.elf");
        File.CreateSymbolicLink(link, Guests.NoopGuest);
        using var sandbox = Sandbox.Create(link);
        Assert.Equal(7, sandbox.Call<int>("EchoI32", 7));
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(string path, uint mode);
}
