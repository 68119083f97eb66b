using Xunit;

namespace HyperSharp.Cli.Tests;

public sealed class ExitCodesTests
{
    public static TheoryData<SandboxException, int> Mapping => new()
    {
        { new GuestBinaryException("not ELF"), ExitCodes.BadGuestBinary },
        { new HypervisorUnavailableException("no /dev/kvm"), ExitCodes.HypervisorUnavailable },
        { new HypervisorException("KVM_CREATE_VM", 12), ExitCodes.HypervisorUnavailable },
        { new GuestArgumentException("Add", "wrong"), ExitCodes.Usage },
        { new GuestFunctionNotFoundException("Nope"), ExitCodes.Usage },
        { new GuestAbortedException(7, ""), ExitCodes.GuestFailure },
        { new GuestFaultException("ud2", 6, 0, 0, 0, 0, false), ExitCodes.GuestFailure },
        { new GuestErrorException(1, "bad"), ExitCodes.GuestFailure },
        { new GuestProtocolException("bad"), ExitCodes.GuestFailure },
        { new HostFunctionException("HostAdd", "threw", null), ExitCodes.GuestFailure },
        { new SandboxPoisonedException("poisoned", null), ExitCodes.GuestFailure },
        { new SnapshotFormatException(SnapshotFormatError.DigestMismatch, "bad"), ExitCodes.BadSnapshot },
        { new SnapshotFormatException(SnapshotFormatError.CpuVendorMismatch, "other vendor"), ExitCodes.BadSnapshot },
        { new SnapshotFormatException(SnapshotFormatError.TagNotFound, "no such tag"), ExitCodes.Usage },
        { new SandboxIOException("/snaps/index.json", "No space left on device"), ExitCodes.FileError },
        { new SnapshotMismatchException("another CPU", ["the XSAVE area is 4160 bytes in the snapshot but 4096 bytes on this host"]), ExitCodes.BadSnapshot },
    };

    [Theory]
    [MemberData(nameof(Mapping))]
    public void MapsEachFailureKind(SandboxException exception, int expected) => Assert.Equal(expected, ExitCodes.For(exception));

    [Fact]
    public void CodesAreDistinct()
    {
        int[] codes = [ExitCodes.Success, ExitCodes.InternalError, ExitCodes.Usage, ExitCodes.GuestFailure, ExitCodes.HypervisorUnavailable, ExitCodes.BadGuestBinary,
            ExitCodes.BadSnapshot, ExitCodes.FileError, ExitCodes.TimedOut];
        Assert.Equal(codes.Length, codes.Distinct().Count());
    }
}
