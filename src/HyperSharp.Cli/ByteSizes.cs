using System.Globalization;

namespace HyperSharp.Cli;

/// <summary>Memory sizes as people write them: <c>65536</c>, <c>64K</c>, <c>1M</c>, <c>4G</c> (binary multiples).</summary>
internal static class ByteSizes
{
    private static readonly (string Unit, int Shift)[] s_units = [("G", 30), ("M", 20), ("K", 10)];

    /// <summary>Parses a byte count with an optional K, M or G suffix (also KiB, MiB, GiB), case-insensitive.</summary>
    public static bool TryParse(string text, out ulong bytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        var number = text.AsSpan();
        var shift = 0;
        foreach (var (unit, unitShift) in s_units)
        {
            var suffix = number.EndsWith(unit + "iB", StringComparison.OrdinalIgnoreCase) ? unit.Length + 2
                : number.EndsWith(unit, StringComparison.OrdinalIgnoreCase) ? unit.Length
                : 0;
            if (suffix > 0)
            {
                number = number[..^suffix];
                shift = unitShift;
                break;
            }
        }

        bytes = 0;
        if (!ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > ulong.MaxValue >> shift)
        {
            return false;
        }

        bytes = count << shift;
        return true;
    }

    /// <summary>The largest whole binary unit: <c>1 MiB</c>, <c>128 KiB</c>; plain bytes when no unit divides evenly.</summary>
    public static string Format(ulong bytes)
    {
        foreach (var (unit, shift) in s_units)
        {
            var size = 1UL << shift;
            if (bytes >= size && bytes % size == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{bytes >> shift} {unit}iB");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
    }

    /// <summary>For amounts that change while shown (progress): one decimal in the largest unit reached, <c>1.5 GiB</c>.</summary>
    public static string FormatApproximate(ulong bytes)
    {
        foreach (var (unit, shift) in s_units)
        {
            if (bytes >= 1UL << shift)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1UL << shift):F1} {unit}iB");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
    }
}
