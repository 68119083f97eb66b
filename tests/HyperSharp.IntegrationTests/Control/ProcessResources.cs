namespace HyperSharp.IntegrationTests.Control;

/// <summary>
/// What this process holds, read from <c>/proc/self</c>: the descriptors and mappings sandboxes make (KVM VM and vCPU
/// fds, guest memory and snapshot memfds, <c>kvm_run</c> pages), and resident memory. The runtime's own descriptors
/// and mappings are left out: they come and go with assembly loads, GC regions and threads.
/// </summary>
internal readonly record struct ProcessResources(int FileDescriptors, int Mappings, long ResidentBytes)
{
    public static ProcessResources Read() => new(
        DescriptorTargets().Count(IsSandboxObject),
        File.ReadLines("/proc/self/maps").Count(IsSandboxObject),
        ResidentKilobytes() * 1024);

    /// <summary>What each open descriptor points at (<c>/proc/self/fd</c> link targets), for failure messages.</summary>
    public static List<string> DescriptorTargets() =>
        [.. Directory.GetFiles("/proc/self/fd").Select(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget ?? "?";
            }
            catch (IOException)
            {
                return "(closed)";
            }
        })];

    private static bool IsSandboxObject(string descriptorOrMapping) =>
        descriptorOrMapping.Contains("memfd:hypersharp", StringComparison.Ordinal) || descriptorOrMapping.Contains("kvm", StringComparison.Ordinal);

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
