namespace HyperSharp.Tests.Calls;

/// <summary>One line of tests/vectors/wire.txt.</summary>
internal sealed record WireVector(string Name, bool Ok, byte[] Bytes, string? Rendering, int Line)
{
    private static readonly Lazy<IReadOnlyDictionary<string, WireVector>> s_all = new(Load);

    /// <summary>All vectors by name.</summary>
    public static IReadOnlyDictionary<string, WireVector> All => s_all.Value;

    /// <summary>The repository's tests/vectors/wire.txt, found by walking up from the test binary.</summary>
    public static string FilePath
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "tests", "vectors", "wire.txt");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException($"tests/vectors/wire.txt not found above {AppContext.BaseDirectory}.");
        }
    }

    private static Dictionary<string, WireVector> Load()
    {
        var vectors = new Dictionary<string, WireVector>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(FilePath))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var rendering = (string?)null;
            var bar = line.IndexOf(" | ", StringComparison.Ordinal);
            if (bar >= 0)
            {
                rendering = line[(bar + 3)..];
                line = line[..bar];
            }

            var fields = line.Split(' ');
            if (fields.Length != 3 || fields[1] is not ("ok" or "bad") || (fields[1] == "ok") != (rendering is not null))
            {
                throw new FormatException($"wire.txt line {lineNumber} is not '<name> ok <hex> | <rendering>' or '<name> bad <hex>'.");
            }

            if (fields[2].Any(char.IsAsciiLetterUpper))
            {
                throw new FormatException($"wire.txt line {lineNumber}: hex must be lowercase.");
            }

            if (!vectors.TryAdd(fields[0], new WireVector(fields[0], fields[1] == "ok", Convert.FromHexString(fields[2]), rendering, lineNumber)))
            {
                throw new FormatException($"wire.txt line {lineNumber}: duplicate vector name {fields[0]}.");
            }
        }

        return vectors;
    }
}
