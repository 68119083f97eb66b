using Xunit;
namespace HyperSharp.WindowsTests;
public sealed class ProbeTests
{
    [Fact]
    public async Task Runs() { await Task.Yield(); Assert.True(OperatingSystem.IsWindows()); }
}
