using HyperSharp.Hypervisors.Kvm;
using Xunit;

namespace HyperSharp.IntegrationTests.Hypervisors;

/// <summary>The shared KVM device keeps one idle VM, so sandboxes made and disposed one at a time never flip KVM's static keys.</summary>
public sealed class StaticKeyPinTests
{
    [KvmFact]
    public void TheSharedDeviceHoldsAnIdleVmAndVcpu()
    {
        Assert.True(KvmDevice.Shared.PinsStaticKeys);
    }

    [KvmFact]
    public void APrivatelyOpenedDeviceDoesNot()
    {
        using var device = KvmDevice.Open();
        Assert.False(device.PinsStaticKeys);
    }
}
