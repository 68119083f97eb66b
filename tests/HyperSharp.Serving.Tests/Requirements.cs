using System.Reflection;
using HyperSharp.Scripting;
using HyperSharp.Tests.Shared;
using Xunit;

namespace HyperSharp.Serving.Tests;

/// <summary>What a serving test needs: KVM, the built hypersharp executable, and for load tests a load generator.</summary>
internal static class Requirements
{
    private static readonly string[] s_wrkPaths = ["/usr/bin/wrk", "/usr/local/bin/wrk"];

    /// <summary>The hypersharp executable the CLI project built, with its bundled guests and interpreters next to it.</summary>
    public static string Cli => typeof(Requirements).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "HyperSharpCli").Value!;

    /// <summary>Skips, with the reason, where KVM is unusable (and fails instead under HYPERSHARP_REQUIRE_KVM=1).</summary>
    public static void Kvm() => Assert.SkipWhen(KvmRequirement.SkipReason is not null, KvmRequirement.SkipReason ?? "");

    /// <summary>Skips unless the interpreters the test uses are installed next to this assembly.</summary>
    public static void Interpreters(params ScriptLanguage[] languages)
    {
        Kvm();
        foreach (var language in languages)
        {
            Assert.SkipUnless(ScriptSandbox.IsAvailable(language), $"The {language} interpreter guest is not built.");
        }
    }

    /// <summary>
    /// The path of Debian's wrk; skipped with the reason where it is not installed (.ci/run installs it), and failed
    /// instead under HYPERSHARP_REQUIRE_KVM=1, which CI sets: there the load tests must run.
    /// </summary>
    public static string Wrk()
    {
        Kvm();
        var path = s_wrkPaths.FirstOrDefault(File.Exists);
        if (path is null && Environment.GetEnvironmentVariable(KvmRequirement.RequireVariable) == "1")
        {
            Assert.Fail("wrk is not installed: .ci/run installs it (apt-get install wrk).");
        }

        Assert.SkipWhen(path is null, "wrk is not installed (apt-get install wrk); .ci/run installs it.");
        return path!;
    }
}
