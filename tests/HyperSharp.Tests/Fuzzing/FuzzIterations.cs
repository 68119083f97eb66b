namespace HyperSharp.Tests.Fuzzing;

/// <summary>
/// How many cases a fuzz test runs: a small default that keeps CI fast, or <c>HYPERSHARP_FUZZ_ITERATIONS</c> for a
/// long soak. Every fuzz test carries <c>[Trait("Category", "Fuzz")]</c>, so one command runs them all:
/// <c>HYPERSHARP_FUZZ_ITERATIONS=1000000 dotnet test --project tests/HyperSharp.Tests -- --filter-trait Category=Fuzz</c>.
/// </summary>
internal static class FuzzIterations
{
    /// <summary>The trait name and value every fuzz test carries.</summary>
    public const string Trait = "Category";

    /// <inheritdoc cref="Trait"/>
    public const string Category = "Fuzz";

    private const string Variable = "HYPERSHARP_FUZZ_ITERATIONS";

    /// <summary><c>HYPERSHARP_FUZZ_ITERATIONS</c> when it is a positive number, else <paramref name="ciDefault"/>.</summary>
    public static long Get(long ciDefault) =>
        long.TryParse(Environment.GetEnvironmentVariable(Variable), out var n) && n > 0 ? n : ciDefault;
}
