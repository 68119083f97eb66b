using System.Reflection;
using System.Xml.Linq;
using Xunit;

namespace HyperSharp.Packaging.Tests;

/// <summary>
/// Every package of the repository, packed once by <c>dotnet pack -c Release -o feed</c> at the root into a local feed
/// in a new temporary folder outside the repository, and a NuGet configuration that sees nothing else: no other
/// source (so no network), our packages restored into a private packages folder, and every other package (the ones our
/// packages depend on) taken from the machine's normal global packages folder, which the repository's own restore
/// filled. The packages get a version of their own, so no package of an earlier run or another checkout is used.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(15);

    /// <summary>The temporary folder holding the feed, the configuration, the packages and the projects of the tests.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"hypersharp-packaging-{Guid.NewGuid():N}");

    /// <summary>The version every package was packed with.</summary>
    public string Version { get; } = $"0.0.0-emptyfolder.g{Guid.NewGuid():N}";

    public string Feed => Path.Combine(Root, "feed");

    /// <summary>The nuget.config in <see cref="Root"/>: restores of projects under it find it by themselves.</summary>
    public string NuGetConfig => Path.Combine(Root, "nuget.config");

    /// <summary>The environment of every command: our packages go into the private packages folder.</summary>
    public IReadOnlyDictionary<string, string?> CommandEnvironment { get; private set; } = new Dictionary<string, string?>();

    /// <summary>Why the tests cannot run here, or null.</summary>
    public string? SkipReason { get; private set; }

    public static string RepoRoot => typeof(PackedFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "RepoRoot").Value!;

    public async ValueTask InitializeAsync()
    {
        // Guests are compiled with gcc and run in KVM; without them there is nothing to prove.
        SkipReason = KvmRequirementOrNull() ?? (FindOnPath("gcc") is null ? "gcc is not installed: the guest SDK compiles guests with it" : null);
        if (SkipReason is not null)
        {
            return;
        }

        Directory.CreateDirectory(Feed);
        var globalPackages = await NormalGlobalPackagesFolderAsync();
        WriteNuGetConfig(globalPackages);
        CommandEnvironment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(Root, "packages") };

        (await DotnetProcess.RunDotnetAsync(RepoRoot, CommandEnvironment, PackTimeout,
            "pack", Path.Combine(RepoRoot, "HyperSharp.slnx"), "-c", "Release", "-o", Feed, $"-p:PackageVersion={Version}", "-nodeReuse:false")).Succeeded();
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Skips the calling test, with the reason, where gcc or KVM is missing (KVM: see <c>KvmRequirement</c>).</summary>
    public void SkipUnlessUsable() => Assert.SkipWhen(SkipReason is not null, SkipReason ?? string.Empty);

    /// <summary>A new empty folder under <see cref="Root"/> for one project.</summary>
    public string NewFolder(string name)
    {
        var folder = Path.Combine(Root, name);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string? KvmRequirementOrNull() => HyperSharp.Tests.Shared.KvmRequirement.SkipReason;

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);

    /// <summary>Where this machine's restores put packages (NUGET_PACKAGES, a nuget.config setting or ~/.nuget/packages).</summary>
    private static async Task<string> NormalGlobalPackagesFolderAsync()
    {
        var result = await DotnetProcess.RunDotnetAsync(RepoRoot, new Dictionary<string, string?>(), TimeSpan.FromMinutes(2), "nuget", "locals", "global-packages", "--list");
        var line = result.Succeeded().Split('\n').Single(l => l.StartsWith("global-packages:", StringComparison.Ordinal));
        return line["global-packages:".Length..].Trim();
    }

    private void WriteNuGetConfig(string globalPackages)
    {
        var config = new XElement("configuration",
            new XElement("packageSources",
                new XElement("clear"),
                new XElement("add", new XAttribute("key", "hypersharp"), new XAttribute("value", Feed))),
            new XElement("fallbackPackageFolders",
                new XElement("clear"),
                new XElement("add", new XAttribute("key", "global"), new XAttribute("value", globalPackages))));
        new XDocument(config).Save(NuGetConfig);
    }
}

/// <summary>The tests that use the packed feed share one: packing twice at once in one repository collides in restore.</summary>
[CollectionDefinition]
public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>;
