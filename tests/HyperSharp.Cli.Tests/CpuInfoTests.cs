using Xunit;

namespace HyperSharp.Cli.Tests;

public sealed class CpuInfoTests
{
    private const string TwoProcessors = """
        processor	: 0
        vendor_id	: GenuineIntel
        model name	: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz
        flags		: fpu vme sse2 hypervisor lahf_lm

        processor	: 1
        vendor_id	: Other
        model name	: Other
        flags		: fpu
        """;

    [Fact]
    public void ReadsTheFirstProcessor()
    {
        var cpu = CpuInfo.Parse(TwoProcessors);
        Assert.Equal("GenuineIntel", cpu.Vendor);
        Assert.Equal("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", cpu.Model);
        Assert.True(cpu.UnderHypervisor);
    }

    [Fact]
    public void BareMetalHasNoHypervisorFlag() =>
        Assert.False(CpuInfo.Parse("vendor_id : AuthenticAMD\nflags : fpu svm hypervisorish\n").UnderHypervisor);

    [Fact]
    public void MissingFieldsAreNull()
    {
        var cpu = CpuInfo.Parse("processor : 0\n");
        Assert.Null(cpu.Vendor);
        Assert.Null(cpu.Model);
        Assert.False(cpu.UnderHypervisor);
    }
}
