using System.Reflection;

namespace HyperSharp.Cli;

/// <summary>
/// Internal library constants the CLI shows and checks options against, read by reflection.
/// The library grants InternalsVisibleTo to "hypersharp", a name this assembly cannot take (see the
/// csproj); once it names "HyperSharp.Cli" instead, these become direct references.
/// </summary>
internal static class LibraryConstants
{
    /// <summary>The guest ABI version (<c>HyperSharp.Memory.GuestAbi.AbiVersion</c>, <c>HS_ABI_VERSION</c>).</summary>
    public static uint AbiVersion { get; } = Read<uint>("HyperSharp.Memory.GuestAbi", "AbiVersion");

    /// <summary>The smallest <see cref="SandboxOptions.HeapSize"/>.</summary>
    public static ulong MinHeapSize { get; } = ReadOption("MinHeapSize");

    /// <summary>The largest <see cref="SandboxOptions.HeapSize"/>.</summary>
    public static ulong MaxHeapSize { get; } = ReadOption("MaxHeapSize");

    /// <summary>The smallest <see cref="SandboxOptions.StackSize"/>.</summary>
    public static ulong MinStackSize { get; } = ReadOption("MinStackSize");

    /// <summary>The largest <see cref="SandboxOptions.StackSize"/>.</summary>
    public static ulong MaxStackSize { get; } = ReadOption("MaxStackSize");

    /// <summary>The smallest input or output buffer.</summary>
    public static ulong MinBufferSize { get; } = ReadOption("MinBufferSize");

    /// <summary>The largest input or output buffer.</summary>
    public static ulong MaxBufferSize { get; } = ReadOption("MaxBufferSize");

    private static ulong ReadOption(string name) => Read<ulong>(typeof(SandboxOptions).FullName!, name);

    private static T Read<T>(string typeName, string constantName)
    {
        var type = typeof(Sandbox).Assembly.GetType(typeName, throwOnError: true)!;
        var field = type.GetField(constantName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new MissingFieldException(typeName, constantName);
        return (T)field.GetRawConstantValue()!;
    }
}
