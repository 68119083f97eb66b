namespace HyperSharp.IntegrationTests.Control;

/// <summary>
/// What this process holds, read from <c>/proc/self</c>: open descriptors, the mappings sandboxes make (guest memory
/// and snapshot memfds, <c>kvm_run</c> pages: the runtime's own come and go too freely to count), resident memory.
/// </summary>
internal readonly record struct ProcessResources(int FileDescriptors, int Mappings, long ResidentBytes)
{
    public static ProcessResources Read() => new(
        Directory.GetFiles("/proc/self/fd").Length,
        File.ReadLines("/proc/self/maps").Count(IsSandboxMapping),
        ResidentKilobytes() * 1024);

    private static bool IsSandboxMapping(string line) =>
        line.Contains("memfd:hypersharp", StringComparison.Ordinal) || line.Contains("kvm", StringComparison.Ordinal);

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
