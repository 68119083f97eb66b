namespace HyperSharp.Cli;

/// <summary>The few facts of <c>/proc/cpuinfo</c> that matter here, from its first processor block.</summary>
/// <param name="Vendor">The <c>vendor_id</c> field, e.g. GenuineIntel.</param>
/// <param name="Model">The <c>model name</c> field.</param>
/// <param name="UnderHypervisor">Whether the <c>hypervisor</c> flag is set: KVM here runs nested inside another VM.</param>
internal sealed record CpuInfo(string? Vendor, string? Model, bool UnderHypervisor)
{
    /// <summary>Reads <c>/proc/cpuinfo</c>; null when it cannot be read (not Linux, or no /proc).</summary>
    public static CpuInfo? Read()
    {
        try
        {
            return Parse(File.ReadAllText("/proc/cpuinfo"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses the text of <c>/proc/cpuinfo</c>; every processor block repeats the same facts, so the first wins.</summary>
    public static CpuInfo Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? vendor = null, model = null, flags = null;
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var value = line[(colon + 1)..].Trim();
            switch (line[..colon].Trim())
            {
                case "vendor_id":
                    vendor ??= value;
                    break;
                case "model name":
                    model ??= value;
                    break;
                case "flags":
                    flags ??= value;
                    break;
            }
        }

        return new CpuInfo(vendor, model, flags is not null && flags.Split(' ').Contains("hypervisor"));
    }
}
