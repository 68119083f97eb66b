namespace HyperSharp.Tests.Shared;

/// <summary>
/// Whether a test that needs a real KVM VM runs: it is skipped, with the reason, only where KVM is unusable, and
/// never when <c>HYPERSHARP_REQUIRE_KVM=1</c> (as in CI), where it runs and fails instead of hiding the problem.
/// </summary>
internal static class KvmRequirement
{
    public const string RequireVariable = "HYPERSHARP_REQUIRE_KVM";

    /// <summary>The reason to skip, or null to run the test.</summary>
    public static string? SkipReason =>
        Hypervisor.IsAvailable || Environment.GetEnvironmentVariable(RequireVariable) == "1"
            ? null
            : $"KVM is unavailable: {Hypervisor.UnavailableReason}";
}
