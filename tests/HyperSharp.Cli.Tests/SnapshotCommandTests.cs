using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace HyperSharp.Cli.Tests;

/// <summary>One directory saved by <c>snapshot save</c>, shared by the tests that only read it.</summary>
public sealed class SavedSnapshot : IDisposable
{
    private readonly string _directory;
    private readonly Lazy<(string Stdout, string Digest)> _saved;

    public SavedSnapshot()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"hypersharp-cli-tests-{Guid.NewGuid():N}");
        // Lazy, so a machine without KVM skips the tests instead of failing the fixture.
        _saved = new(() =>
        {
            var stdout = Cli.Run("snapshot", "save", Cli.SimpleGuest, _directory, "--tag", "t", "--call", "SetStatic", "41", "--call", "Add", "-2", "-3").Succeeded();
            return (stdout, stdout.TrimEnd('\n').Split('\n')[^1]);
        });
    }

    /// <summary>The directory, saved on first use.</summary>
    public string Directory
    {
        get
        {
            _ = _saved.Value;
            return _directory;
        }
    }

    public string SaveOutput => _saved.Value.Stdout;

    public string Digest => _saved.Value.Digest;

    public void Dispose()
    {
        if (System.IO.Directory.Exists(_directory))
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
    }
}

/// <summary><c>hypersharp snapshot …</c> in-process, against directories the tests save.</summary>
public sealed partial class SnapshotCommandTests : IClassFixture<SavedSnapshot>, IDisposable
{
    private readonly SavedSnapshot _saved;
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), $"hypersharp-cli-tests-{Guid.NewGuid():N}");

    public SnapshotCommandTests(SavedSnapshot saved)
    {
        Cli.RequireKvm();
        _saved = saved;
    }

    public void Dispose()
    {
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }

    [Fact]
    public void SaveRunsEachCallInOrderAndEndsWithTheDigest()
    {
        Assert.StartsWith("--call SetStatic 41\n--call Add -2 -3\n-5\nsaved simpleguest.elf as 't' in ", _saved.SaveOutput, StringComparison.Ordinal);
        Assert.Matches(@"save [\d.]+ ms \(\d+ MB/s\)\n", _saved.SaveOutput);
        Assert.Matches(DigestPattern(), _saved.Digest);
    }

    [Fact]
    public void LsShowsTagDigestMemoryAndGeneration()
    {
        var output = Cli.Run("snapshot", "ls", _saved.Directory).Succeeded();
        Assert.StartsWith("TAG  MANIFEST DIGEST", output, StringComparison.Ordinal);
        Assert.Matches($@"\nt +{_saved.Digest} +\d+ [KM]iB +1\n", output);
    }

    [Fact]
    public void InspectShowsTheConfigAsATable()
    {
        var output = Cli.Run("snapshot", "inspect", _saved.Directory).Succeeded();
        Assert.Matches(@"^Tags +t\nSaved +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n", output);
        Assert.Matches(@"\nArchitecture +x86_64\n", output);
        Assert.Matches(@"\nHypervisor +kvm\n", output);
        Assert.Matches(@"\nLoadable here +yes\n", output);
        Assert.Matches(@"\nGeneration +1\n", output);
        Assert.Matches($@"\nManifest +{_saved.Digest} +[\d,]+ bytes\n", output);
        Assert.Matches(@"\nMemory +sha256:[0-9a-f]{64} +[\d,]+ bytes\n", output);
        Assert.Contains("\n  String Echo(String)\n", output, StringComparison.Ordinal);
        Assert.EndsWith("Host functions (3)\n  Int HostPrint(String)\n  Int HostPrintError(String)\n  Int HostAdd(Int, Int)\n", output, StringComparison.Ordinal);
        Assert.Equal(output, Cli.Run("snapshot", "inspect", _saved.Directory, _saved.Digest).Succeeded());
    }

    [Fact]
    public void LsAsJsonListsTagDigestMemoryAndGeneration()
    {
        using var json = JsonDocument.Parse(Cli.Run("snapshot", "ls", _saved.Directory, "--json").Succeeded());
        var entry = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("t", entry.GetProperty("tag").GetString());
        Assert.Equal(_saved.Digest, entry.GetProperty("manifestDigest").GetString());
        Assert.True(entry.GetProperty("memoryBlobSize").GetInt64() > 0);
        Assert.Equal(1UL, entry.GetProperty("generation").GetUInt64());
    }

    [Fact]
    public void InspectAsJsonHasWhatTheTableShows()
    {
        using var json = JsonDocument.Parse(Cli.Run("snapshot", "inspect", _saved.Directory, "--json").Succeeded());
        var root = json.RootElement;
        Assert.Equal(["t"], root.GetProperty("tags").EnumerateArray().Select(tag => tag.GetString()));
        Assert.Equal("x86_64", root.GetProperty("architecture").GetString());
        Assert.True(root.GetProperty("loadableHere").GetBoolean());
        Assert.Equal(_saved.Digest, root.GetProperty("manifest").GetProperty("digest").GetString());
        Assert.Equal(SandboxOptions.Default.HeapSize, root.GetProperty("heapSize").GetUInt64());
        Assert.Contains(root.GetProperty("guestFunctions").EnumerateArray(), function =>
            function.GetProperty("name").GetString() == "Echo" && function.GetProperty("returnType").GetString() == "String");
        Assert.Equal(["HostPrint", "HostPrintError", "HostAdd"], root.GetProperty("hostFunctions").EnumerateArray().Select(function => function.GetProperty("name").GetString()));
    }

    [Fact]
    public void SaveIntoAFileOrBelowOneSaysItIsNotADirectory()
    {
        var file = Path.Combine(_scratch, "file");
        Directory.CreateDirectory(_scratch);
        File.WriteAllText(file, "");
        Assert.Equal($"error: SandboxIOException: '{file}' is not a directory.\n", Cli.Run("snapshot", "save", Cli.SimpleGuest, file, "--tag", "a").Failed(ExitCodes.FileError));
        Assert.Equal($"error: SandboxIOException: '{file}' is not a directory.\n", Cli.Run("snapshot", "save", Cli.SimpleGuest, Path.Combine(file, "below"), "--tag", "a").Failed(ExitCodes.FileError));
    }

    [Fact]
    public void VerifyPrintsOk() =>
        Assert.Matches(@"^OK t: \d+ [KM]iB verified in [\d.]+ ms \(\d+ MB/s\)\n$", Cli.Run("snapshot", "verify", _saved.Directory, "t").Succeeded());

    [Fact]
    public void CallResumesTheSavedState()
    {
        Assert.Equal("41\n", Cli.Run("snapshot", "call", _saved.Directory + ":t", "GetStatic").Succeeded());
        Assert.Equal("hi\n", Cli.Run("snapshot", "call", _saved.Directory, "Echo", "hi").Succeeded());
        Assert.Equal("-5\n", Cli.Run("snapshot", "call", $"{_saved.Directory}:{_saved.Digest}", "Add", "-2", "-3").Succeeded());
        Assert.Equal("42\n", Cli.Run("snapshot", "call", "--no-verify", _saved.Directory, "CallHostAdd", "20", "22").Succeeded());
        Assert.Equal("hi\n2\n", Cli.Run("snapshot", "call", _saved.Directory, "Print", "hi").Succeeded());
    }

    [Fact]
    public void CallTakesATimeout()
    {
        Assert.Equal("41\n", Cli.Run("snapshot", "call", "--timeout", "5000", _saved.Directory, "GetStatic").Succeeded());
        Assert.Contains("TimedOut", Cli.Run("snapshot", "call", "--timeout", "50", _saved.Directory, "Spin").Failed(ExitCodes.TimedOut), StringComparison.Ordinal);
    }

    [Fact]
    public void CallOfAMissingFunctionListsTheExports()
    {
        var error = Cli.Run("snapshot", "call", _saved.Directory + ":t", "Nope").Failed(ExitCodes.Usage);
        Assert.StartsWith($"error: '{_saved.Directory}:t' has no function 'Nope'. It exports:\n", error, StringComparison.Ordinal);
        Assert.Contains("\n  Int GetStatic()\n", error, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownTagIsAUsageErrorListingTheTags()
    {
        var error = Cli.Run("snapshot", "verify", _saved.Directory, "nope").Failed(ExitCodes.Usage);
        Assert.StartsWith("error: SnapshotFormatException: TagNotFound: ", error, StringComparison.Ordinal);
        Assert.EndsWith("Its tags: t.\n", error, StringComparison.Ordinal);
        Cli.Run("snapshot", "call", _saved.Directory + ":nope", "GetStatic").Failed(ExitCodes.Usage);
        Cli.Run("snapshot", "inspect", _saved.Directory, "sha256:" + new string('0', 64)).Failed(ExitCodes.Usage);
    }

    [Fact]
    public void MalformedReferenceIsAUsageError() =>
        Assert.Contains("is not a tag (", Cli.Run("snapshot", "inspect", _saved.Directory, "-x").Failed(ExitCodes.Usage) + Cli.Run("snapshot", "inspect", _saved.Directory, "sha256:AB").Failed(ExitCodes.Usage), StringComparison.Ordinal);

    [Fact]
    public void InvalidTagIsRefusedBeforeBooting() =>
        Assert.Contains("'.bad' is not a valid tag", Cli.Run("snapshot", "save", Cli.SimpleGuest, _scratch, "--tag", ".bad").Failed(ExitCodes.Usage), StringComparison.Ordinal);

    [Fact]
    public void SeveralTagsNeedAReferenceAndListSeparately()
    {
        var first = LastLine(Cli.Run("snapshot", "save", Cli.SimpleGuest, _scratch, "--tag", "a", "--durable").Succeeded());
        var second = LastLine(Cli.Run("snapshot", "save", Cli.SimpleGuest, _scratch, "--tag", "b", "--call", "SetStatic", "9").Succeeded());
        Assert.NotEqual(first, second);
        Assert.Equal($"error: {_scratch} has 2 tags; name one: a, b.\n", Cli.Run("snapshot", "inspect", _scratch).Failed(ExitCodes.Usage));
        var listing = Cli.Run("snapshot", "ls", _scratch).Succeeded();
        Assert.Matches($@"\na +{first} ", listing);
        Assert.Matches($@"\nb +{second} ", listing);
        Assert.Equal("0\n", Cli.Run("snapshot", "call", _scratch + ":a", "GetStatic").Succeeded());
        Assert.Equal("9\n", Cli.Run("snapshot", "call", _scratch + ":b", "GetStatic").Succeeded());
    }

    [Fact]
    public void RmRemovesATagAndItsBlobsAndKeepsTheOthersCallable()
    {
        var first = LastLine(Cli.Run("snapshot", "save", Cli.SimpleGuest, _scratch, "--tag", "a").Succeeded());
        var second = LastLine(Cli.Run("snapshot", "save", Cli.SimpleGuest, _scratch, "--tag", "b", "--call", "SetStatic", "9").Succeeded());
        var firstManifest = Path.Combine(_scratch, "blobs", "sha256", first["sha256:".Length..]);
        Assert.True(File.Exists(firstManifest));

        Assert.Equal($"removed 'a' from {_scratch}\n", Cli.Run("snapshot", "rm", _scratch, "a", "--durable").Succeeded());

        Assert.False(File.Exists(firstManifest));
        var listing = Cli.Run("snapshot", "ls", _scratch).Succeeded();
        Assert.DoesNotContain(first, listing, StringComparison.Ordinal);
        Assert.Matches($@"\nb +{second} ", listing);
        Assert.Equal("9\n", Cli.Run("snapshot", "call", _scratch, "GetStatic").Succeeded());
        Assert.Matches("^OK b: ", Cli.Run("snapshot", "verify", _scratch).Succeeded());
        Assert.EndsWith("Its tags: b.\n", Cli.Run("snapshot", "rm", _scratch, "a").Failed(ExitCodes.Usage), StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptedMemoryFailsVerificationButNotAnUnverifiedCall()
    {
        LastLine(Cli.Run("snapshot", "save", Cli.SimpleGuest, _scratch, "--tag", "t", "--call", "SetStatic", "5").Succeeded());
        var memory = new DirectoryInfo(Path.Combine(_scratch, "blobs", "sha256")).GetFiles().MaxBy(f => f.Length)!;
        using (var stream = new FileStream(memory.FullName, FileMode.Open, FileAccess.Write))
        {
            // Far past the guest's code and statics, in the heap, so the unverified guest still runs.
            stream.Position = stream.Length - 4096;
            stream.WriteByte(0xff);
        }

        var error = Cli.Run("snapshot", "verify", _scratch).Failed(ExitCodes.BadSnapshot);
        Assert.StartsWith("error: SnapshotFormatException: DigestMismatch: ", error, StringComparison.Ordinal);
        Cli.Run("snapshot", "call", _scratch, "GetStatic").Failed(ExitCodes.BadSnapshot);
        Assert.Equal("5\n", Cli.Run("snapshot", "call", "--no-verify", _scratch, "GetStatic").Succeeded());
        Cli.Run("snapshot", "ls", _scratch).Succeeded();
    }

    [Fact]
    public void SavingIntoADirectoryThatIsNotALayoutFails()
    {
        Directory.CreateDirectory(_scratch);
        File.WriteAllText(Path.Combine(_scratch, "unrelated.txt"), "x");
        var error = Cli.Run("snapshot", "save", Cli.SimpleGuest, _scratch, "--tag", "t").Failed(ExitCodes.BadSnapshot);
        Assert.StartsWith("error: SnapshotFormatException: NotAnOciLayout: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ABrokenEntryIsListedAndFailsLs()
    {
        LastLine(Cli.Run("snapshot", "save", Cli.SimpleGuest, _scratch, "--tag", "t").Succeeded());
        foreach (var blob in Directory.GetFiles(Path.Combine(_scratch, "blobs", "sha256")).Where(path => new FileInfo(path).Length > 100_000))
        {
            File.Delete(blob);
        }

        var result = Cli.Run("snapshot", "ls", _scratch);
        Assert.Equal(ExitCodes.BadSnapshot, result.ExitCode);
        Assert.Matches(@"\nt +sha256:[0-9a-f]{64} +unreadable: MissingBlob", result.Stdout);
    }

    private static string LastLine(string output) => output.TrimEnd('\n').Split('\n')[^1];

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestPattern();
}

/// <summary>The snapshot commands' checks that need no KVM: nothing is booted or loaded.</summary>
public sealed class SnapshotCommandUsageTests
{
    [Theory]
    [InlineData("ls")]
    [InlineData("inspect")]
    [InlineData("verify")]
    public void MissingDirectoryIsAUsageError(string command)
    {
        var missing = Path.Combine(Path.GetTempPath(), $"hypersharp-missing-{Guid.NewGuid():N}");
        Assert.Equal($"error: '{missing}' does not exist.\n", Cli.Run("snapshot", command, missing).Failed(ExitCodes.Usage));
    }

    [Theory]
    [InlineData("ls")]
    [InlineData("inspect")]
    [InlineData("verify")]
    public void AFileWhereTheDirectoryShouldBeIsAUsageError(string command) =>
        Assert.Equal($"error: '{Cli.SimpleGuest}' is not a directory.\n", Cli.Run("snapshot", command, Cli.SimpleGuest).Failed(ExitCodes.Usage));

    [Fact]
    public void MissingDirectoryOfACallIsAUsageError()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"hypersharp-missing-{Guid.NewGuid():N}");
        Assert.Equal($"error: '{missing}' does not exist.\n", Cli.Run("snapshot", "call", missing + ":t", "GetStatic").Failed(ExitCodes.Usage));
    }

    [Fact]
    public void EmptyDirectoryIsNotALayout()
    {
        var empty = Directory.CreateTempSubdirectory("hypersharp-empty-");
        try
        {
            var error = Cli.Run("snapshot", "ls", empty.FullName).Failed(ExitCodes.BadSnapshot);
            Assert.StartsWith("error: SnapshotFormatException: NotAnOciLayout: ", error, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void RmChecksItsArgumentsBeforeTouchingAnything()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"hypersharp-missing-{Guid.NewGuid():N}");
        Assert.Equal($"error: '{missing}' does not exist.\n", Cli.Run("snapshot", "rm", missing, "t").Failed(ExitCodes.Usage));
        var empty = Directory.CreateTempSubdirectory("hypersharp-empty-");
        try
        {
            Assert.Contains("'.bad' is not a valid tag", Cli.Run("snapshot", "rm", empty.FullName, ".bad").Failed(ExitCodes.Usage), StringComparison.Ordinal);
            Assert.StartsWith("error: SnapshotFormatException: NotAnOciLayout: ", Cli.Run("snapshot", "rm", empty.FullName, "t").Failed(ExitCodes.BadSnapshot), StringComparison.Ordinal);
            Assert.Contains("Required argument missing", Cli.Run("snapshot", "rm", empty.FullName).Failed(ExitCodes.Usage), StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void SaveRequiresATag() =>
        Assert.Contains("--tag", Cli.Run("snapshot", "save", Cli.SimpleGuest, "dir").Failed(ExitCodes.Usage), StringComparison.Ordinal);

    [Fact]
    public void HelpDocumentsTheCallGrammar() =>
        Assert.Contains("--call SetStatic 41 --call Leak 100", Cli.Run("snapshot", "save", "--help").Succeeded(), StringComparison.Ordinal);
}
