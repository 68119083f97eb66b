using System.Text.RegularExpressions;
using Xunit;

namespace HyperSharp.Tests.Style;

/// <summary>
/// Every unsafe block, pointer dereference and use of a SafeHandle's raw handle (<c>DangerousAddRef</c>,
/// <c>DangerousGetHandle</c>) in the library names its invariant in a SAFETY comment.
/// </summary>
public sealed partial class SafetyCommentTests
{
    [Fact]
    public void EveryUnsafeRegionHasASafetyComment()
    {
        var missing = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "src", "HyperSharp"), "*.cs", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (!NeedsSafetyComment(lines[i]))
                {
                    continue;
                }

                // The comment stands within the few lines above (or on the line, or on the enclosing member's doc).
                var window = lines[Math.Max(0, i - 6)..(i + 1)];
                if (!window.Any(l => l.Contains("SAFETY:", StringComparison.Ordinal)))
                {
                    missing.Add($"{Path.GetRelativePath(RepositoryRoot.Path, file)}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        Assert.True(missing.Count == 0, "Unsafe code without a // SAFETY: comment:\n" + string.Join('\n', missing));
    }

    /// <summary>An unsafe block, a fixed statement, a pointer dereference/cast that reads or writes memory, or a raw handle.</summary>
    private static bool NeedsSafetyComment(string line)
    {
        var code = line.Trim();
        if (code.StartsWith("//", StringComparison.Ordinal) || code.StartsWith('*'))
        {
            return false;
        }

        return code.StartsWith("unsafe {", StringComparison.Ordinal) || code == "unsafe"
            || code.StartsWith("fixed (", StringComparison.Ordinal)
            || code.Contains(".DangerousAddRef(", StringComparison.Ordinal)
            || code.Contains(".DangerousGetHandle(", StringComparison.Ordinal)
            || PointerAccess().IsMatch(code);
    }

    // `->`, `*(T*)`, `new Span<T>(pointer`, `new ReadOnlySpan<T>(pointer`: places where a raw pointer is used.
    [GeneratedRegex(@"->|\*\(\w+\*\)|new (ReadOnly)?Span<\w+>\(\(?\w+\*?\)?\s*[\w.]*(Address|buffer|data|pointer)")]
    private static partial Regex PointerAccess();
}
