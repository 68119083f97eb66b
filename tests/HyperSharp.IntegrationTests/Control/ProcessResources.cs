namespace HyperSharp.IntegrationTests.Control;

/// <summary>What this process holds, read from <c>/proc/self</c>: open descriptors, mappings, resident memory.</summary>
internal readonly record struct ProcessResources(int FileDescriptors, int Mappings, long ResidentBytes)
{
    public static ProcessResources Read() => new(
        Directory.GetFiles("/proc/self/fd").Length,
        File.ReadAllLines("/proc/self/maps").Length,
        ResidentKilobytes() * 1024);

    /// <summary>Minor page faults of the whole process so far (<c>/proc/self/stat</c> field 10).</summary>
    public static long MinorFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        // Fields after the parenthesised command name, which may itself contain spaces: state is field 3.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[10 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static long ResidentKilobytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
