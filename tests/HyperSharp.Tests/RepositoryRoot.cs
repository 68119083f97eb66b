namespace HyperSharp.Tests;

/// <summary>The repository checkout the tests run from, found by walking up to HyperSharp.slnx.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "HyperSharp.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("HyperSharp.slnx not found above " + AppContext.BaseDirectory);
    }
}
