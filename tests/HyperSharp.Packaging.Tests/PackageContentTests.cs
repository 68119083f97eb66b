using System.IO.Compression;
using Xunit;

namespace HyperSharp.Packaging.Tests;

/// <summary>
/// What the packed feed's packages carry besides code: the licence and readme in every one, and in each package with
/// third-party code the notices of exactly that code (the guest SDK's written by the guest build, not committed).
/// </summary>
[Collection(typeof(PackedFeedCollection))]
public sealed class PackageContentTests(PackedFeed feed)
{
    public static TheoryData<string, string[], string[]> Notices => new()
    {
        { "HyperSharp.Guest.Sdk", ["picolibc 1.8.10"], ["QuickJS", "Lua 5.4", "MicroPython"] },
        { "HyperSharp.Scripting", ["picolibc 1.8.10", "QuickJS 2025-04-26", "Lua 5.4.7", "MicroPython 1.25.0"], [] },
        { "HyperSharp.Cli", ["picolibc 1.8.10", "QuickJS 2025-04-26", "Lua 5.4.7", "MicroPython 1.25.0"], [] },
    };

    [Fact]
    public void EveryPackageHasTheLicenceAndAReadme()
    {
        feed.SkipUnlessUsable();
        var packages = Directory.GetFiles(feed.Feed, "*.nupkg");
        Assert.Equal(8, packages.Length);
        foreach (var package in packages)
        {
            using var zip = ZipFile.OpenRead(package);
            Assert.Contains(zip.Entries, e => e.FullName == "LICENSE");
            Assert.Contains(zip.Entries, e => e.FullName == "README.md");
        }
    }

    [Theory]
    [MemberData(nameof(Notices))]
    public void APackageWithThirdPartyCodeCarriesItsNotices(string package, string[] components, string[] absent)
    {
        feed.SkipUnlessUsable();
        using var zip = ZipFile.OpenRead(Path.Combine(feed.Feed, $"{package}.{feed.Version}.nupkg"));
        var entry = zip.GetEntry("THIRD-PARTY-NOTICES");
        Assert.NotNull(entry);
        using var reader = new StreamReader(entry.Open());
        var notices = reader.ReadToEnd();
        foreach (var component in components)
        {
            Assert.Contains(component, notices, StringComparison.Ordinal);
        }

        foreach (var component in absent)
        {
            Assert.DoesNotContain(component, notices, StringComparison.Ordinal);
        }

        // Licence texts, not only names: picolibc's files are listed with their copyright holders.
        Assert.Contains("Copyright: ", notices, StringComparison.Ordinal);
    }
}
