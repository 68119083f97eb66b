using System.Reflection;

namespace HyperSharp.IntegrationTests;

/// <summary>Paths of the test guests that the build compiles from guest/ and copies next to the tests.</summary>
public static class Guests
{
    public static string SimpleGuest => PathOf("simpleguest.elf");

    public static string NoopGuest => PathOf("noopguest.elf");

    public static string HostileGuest => PathOf("hostileguest.elf");

    public static string RingZeroGuest => PathOf("ring0guest.elf");

    public static string InitLiarGuest => PathOf("initliarguest.elf");

    public static string LibcGuest => PathOf("libcguest.elf");

    public static string LuaGuest => PathOf("luaguest.elf");

    /// <summary>tests/libcguest's conformance program built natively against glibc.</summary>
    public static string LibcTestNative => PathOf("libctest-native");

    public static string StackLiarGuest => PathOf("stackliarguest.elf");

    /// <summary>The MicroPython interpreter guest (guest/runtimes/micropython).</summary>
    public static string MicroPython => PathOf("micropython.elf");

    /// <summary>MicroPython's source as the guest build fetched it (its tests/ included), under the guest build output.</summary>
    public static string MicroPythonSource => Path.Combine(
        typeof(Guests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GuestOutputDir").Value!,
        "obj", "src", "micropython");

    private static string PathOf(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "guests", fileName);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Test guest {fileName} was not built into {Path.GetDirectoryName(path)}.", path);
    }
}

/// <summary>Host functions the simple guest's round-trip functions call.</summary>
public static class TestHostFunctions
{
    public static HostFunctions Create(TextWriter? print = null)
    {
        var host = new HostFunctions();
        host.Define("HostInt", (int x) => x);
        host.Define("HostUInt", (uint x) => x);
        host.Define("HostLong", (long x) => x);
        host.Define("HostULong", (ulong x) => x);
        host.Define("HostFloat", (float x) => x);
        host.Define("HostDouble", (double x) => x);
        host.Define("HostBool", (bool x) => x);
        host.Define("HostString", (string x) => x);
        host.Define("HostBytes", (byte[] x) => x);
        host.Define("HostAdd", (int a, int b) => a + b);
        host.Define("HostVoid", () => { });
        host.Define("Throws", int () => throw new InvalidOperationException("host function exploded"));
        if (print is not null)
        {
            host.Define(HostFunctions.HostPrintName, (string text) =>
            {
                print.Write(text);
                return text.Length;
            });
        }

        return host;
    }
}

/// <summary>One sandbox of the simple guest shared by the tests of a class, which xunit runs one at a time.</summary>
public sealed class SimpleGuestFixture : IDisposable
{
    private readonly Lazy<Sandbox> _sandbox = new(() => Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create(),
        new SandboxOptions { InputBufferSize = 4UL << 20, OutputBufferSize = 4UL << 20, HeapSize = 8UL << 20 }));

    public Sandbox Sandbox => _sandbox.Value;

    public void Dispose()
    {
        if (_sandbox.IsValueCreated)
        {
            _sandbox.Value.Dispose();
        }
    }
}
