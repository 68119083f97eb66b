using System.Reflection;
using HyperSharp.Tests.Shared;
using Xunit;

namespace HyperSharp.Scripting.Tests;

/// <summary>What a test needs before it can run a script: KVM, and the language's interpreter guest.</summary>
internal static class Interpreters
{
    /// <summary>Skips, with the reason, where KVM or the interpreter guest is missing.</summary>
    public static void Require(ScriptLanguage language)
    {
        Assert.SkipWhen(KvmRequirement.SkipReason is not null, KvmRequirement.SkipReason ?? string.Empty);
        Assert.SkipUnless(ScriptSandbox.IsAvailable(language),
            $"The {language} interpreter guest {InterpreterGuests.PathOf(language)} is not built: "
            + "MicroPython's guest comes with the micropython work (guest/runtimes/micropython); JavaScript's and Lua's come with every build.");
    }

    /// <summary>A sandbox for <paramref name="language"/>, once <see cref="Require"/> passed.</summary>
    public static ScriptSandbox Open(ScriptLanguage language, ScriptOptions? options = null, ScriptTools? tools = null)
    {
        Require(language);
        return ScriptSandbox.Create(language, options, tools);
    }

    /// <summary>The fetched, patched QuickJS source tree the guest build compiled.</summary>
    public static string QuickJsSource => typeof(Interpreters).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "QuickJsSource").Value!;
}

/// <summary>Runs scripts under the test's cancellation token, so an aborted test run stops its scripts too.</summary>
internal static class ScriptSandboxTestExtensions
{
    public static ScriptResult Execute(this ScriptSandbox sandbox, string code) => sandbox.Run(code, TestContext.Current.CancellationToken);
}
