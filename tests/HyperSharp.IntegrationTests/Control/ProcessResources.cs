namespace HyperSharp.IntegrationTests.Control;

/// <summary>What this process holds, read from <c>/proc/self</c>: open descriptors, mappings, resident memory.</summary>
internal readonly record struct ProcessResources(int FileDescriptors, int Mappings, long ResidentBytes)
{
    public static ProcessResources Read() => new(
        Directory.GetFiles("/proc/self/fd").Length,
        File.ReadAllLines("/proc/self/maps").Length,
        ResidentKilobytes() * 1024);

    private static long ResidentKilobytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
