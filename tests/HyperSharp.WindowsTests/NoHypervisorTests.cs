using HyperSharp.Elf;
using HyperSharp.Tests.Snapshots;
using Xunit;

namespace HyperSharp.WindowsTests;

/// <summary>
/// Windows without the Windows Hypervisor Platform (as under Wine, where <c>WinHvPlatform.dll</c> does not exist): the
/// library says why no sandbox can run, refuses to make one with <see cref="HypervisorUnavailableException"/> before
/// anything else, and everything that needs no hypervisor works.
/// </summary>
public sealed class NoHypervisorTests
{
    [Fact]
    public async Task TheHypervisorIsUnavailableWithAReason()
    {
        await Task.Yield();
        Assert.False(Hypervisor.IsAvailable);
        Assert.Equal("whp", Hypervisor.Name);
        Assert.Contains("WinHvPlatform.dll cannot be loaded", Hypervisor.UnavailableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatingASandboxThrowsHypervisorUnavailable()
    {
        await Task.Yield();
        var error = Assert.Throws<HypervisorUnavailableException>(() => Sandbox.Create([]));

        Assert.Equal(Hypervisor.UnavailableReason, error.Message);
    }

    [Fact(Skip = LinuxFixture.MissingReason, SkipUnless = nameof(LinuxFixture.IsPresent), SkipType = typeof(LinuxFixture))]
    public async Task CreatingASandboxFromAGuestFileReadsItThenThrowsHypervisorUnavailable()
    {
        await Task.Yield();
        Assert.Throws<HypervisorUnavailableException>(() => Sandbox.Create(LinuxFixture.GuestBinary));
    }

    [Fact]
    public async Task ASandboxFromASnapshotThrowsHypervisorUnavailable()
    {
        await Task.Yield();
        using var snapshot = SnapshotLayoutFixture.CreateSnapshot();

        Assert.Throws<HypervisorUnavailableException>(() => Sandbox.FromSnapshot(snapshot));
    }

    [Fact(Skip = LinuxFixture.MissingReason, SkipUnless = nameof(LinuxFixture.IsPresent), SkipType = typeof(LinuxFixture))]
    public async Task AGuestBinaryParses()
    {
        await Task.Yield();
        var image = ElfImage.Parse(GuestBinaryFile.Read(LinuxFixture.GuestBinary));

        Assert.NotEqual(0UL, image.ImageSize);
        Assert.True(image.EntryOffset < image.ImageSize);
    }

    [Fact]
    public async Task ADirectoryIsRefusedAsAGuestBinaryBeforeTheHypervisorIsAsked()
    {
        await Task.Yield();
        var error = Assert.Throws<GuestBinaryException>(() => Sandbox.Create(AppContext.BaseDirectory));

        Assert.Contains("is a directory, not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeviceIsRefusedBeforeAByteIsRead()
    {
        await Task.Yield();
        var error = Assert.Throws<SandboxIOException>(() => UntrustedFiles.ReadAllBytes("NUL", 16));

        Assert.Contains("is a character device, not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TagsAreCheckedWithoutAHypervisor()
    {
        await Task.Yield();
        Assert.True(SnapshotTag.IsValid("warm-1.0"));
        Assert.False(SnapshotTag.IsValid("../escape"));
    }
}
