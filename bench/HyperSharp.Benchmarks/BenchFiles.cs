namespace HyperSharp.Benchmarks;

/// <summary>
/// Finds the files the build puts next to the benchmarks: the test guests (guests/*.elf) and the
/// rawkvm program. BenchmarkDotNet runs benchmarks from a generated project inside this project's
/// output folder, so the search walks up from the running assembly.
/// </summary>
public static class BenchFiles
{
    /// <summary>Set, the guests come from this directory instead (e.g. guests built with other compiler flags).</summary>
    public const string GuestDirectoryVariable = "HYPERSHARP_BENCH_GUESTS";

    public static string SimpleGuest => Guest("simpleguest.elf");

    public static string NoopGuest => Guest("noopguest.elf");

    /// <summary>Lua 5.4 built with hs-cc (guest/tests/luaguest): <c>RunLua(string) → string</c>.</summary>
    public static string LuaGuest => Guest("luaguest.elf");

    /// <summary>Ordinary C against the guest C library (guest/tests/libcguest), e.g. <c>ReadClock(int) → long</c>.</summary>
    public static string LibcGuest => Guest("libcguest.elf");

    public static string RawKvm => Find("rawkvm");

    /// <summary>QuickJS built natively from the guest build's fetched source (bench/scriptnative/quickjs-native.c).</summary>
    public static string QuickJsNative => Find("quickjs-native");

    /// <summary>Lua built natively from the guest build's fetched source (bench/scriptnative/lua-native.c).</summary>
    public static string LuaNative => Find("lua-native");

    /// <summary>The process-isolation contender's executable (bench/HyperSharp.Benchmarks.Worker), copied here by the project reference.</summary>
    public static string Worker => Find("HyperSharp.Benchmarks.Worker");

    private static string Guest(string fileName)
    {
        var directory = Environment.GetEnvironmentVariable(GuestDirectoryVariable);
        if (string.IsNullOrEmpty(directory))
        {
            return Find(Path.Combine("guests", fileName));
        }

        var path = Path.GetFullPath(Path.Combine(directory, fileName));
        return File.Exists(path) ? path : throw new FileNotFoundException($"{GuestDirectoryVariable} is set, but {path} does not exist.", path);
    }

    private static string Find(string relativePath)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relativePath} was not found next to {AppContext.BaseDirectory} or above it; build bench/HyperSharp.Benchmarks first.", relativePath);
    }
}

/// <summary>The host functions the simple guest calls in the benchmarks.</summary>
public static class BenchHost
{
    public static HostFunctions Create()
    {
        var host = new HostFunctions();
        host.Define("HostAdd", (int a, int b) => a + b);
        return host;
    }
}
