using System.Text;

namespace HyperSharp.Cli.Commands;

/// <summary>
/// What <c>run</c>, <c>snapshot save</c> and <c>snapshot call</c> share: the host functions the CLI offers
/// guests, and calling a function with arguments parsed from text by its declared types.
/// </summary>
internal sealed class GuestCalls(TextWriter output, TextWriter error)
{
    private bool _lineOpen;

    /// <summary>
    /// HostPrint writing to the output, HostPrintError to the error output (both shown safely on a terminal), and
    /// HostAdd; a snapshot saved by the CLI records exactly these.
    /// </summary>
    public HostFunctions CreateHostFunctions()
    {
        var host = new HostFunctions();
        host.Define(HostFunctions.HostPrintName, (string text) => Print(text));
        host.Define(HostFunctions.HostPrintErrorName, (string text) =>
        {
            error.Write(text);
            return Encoding.UTF8.GetByteCount(text);
        });
        host.Define("HostAdd", (int a, int b) => a + b);
        return host;
    }

    /// <summary>Calls <paramref name="functionName"/> with <paramref name="texts"/> parsed by its signature and returns the result.</summary>
    /// <param name="sandbox">The sandbox to call.</param>
    /// <param name="functionName">The guest function.</param>
    /// <param name="texts">The arguments as typed on the command line.</param>
    /// <param name="source">What the functions come from, for the unknown-function message: a file name or a snapshot reference.</param>
    public static GuestValue Call(Sandbox sandbox, string functionName, IReadOnlyList<string> texts, string source)
    {
        var signature = sandbox.GuestFunctions.FirstOrDefault(f => f.Name == functionName)
            ?? throw new UsageException(UnknownFunction(source, functionName, sandbox.GuestFunctions));
        return sandbox.Call(functionName, signature.ReturnType, ParseArguments(signature, texts));
    }

    /// <summary>Prints a non-void result on its own line: it never continues the guest's last printed line.</summary>
    public void WriteResult(GuestValue result)
    {
        if (result.Type == GuestValueType.Void)
        {
            return;
        }

        if (_lineOpen)
        {
            output.WriteLine();
            _lineOpen = false;
        }

        output.WriteLine(ArgumentParsing.Format(result));
    }

    private int Print(string text)
    {
        output.Write(text);
        _lineOpen = !text.EndsWith('\n');
        return Encoding.UTF8.GetByteCount(text);
    }

    private static GuestValue[] ParseArguments(GuestFunctionSignature signature, IReadOnlyList<string> texts)
    {
        var types = signature.ParameterTypes;
        if (texts.Count != types.Count)
        {
            throw new UsageException($"{signature} takes {types.Count} argument(s), but got {texts.Count}.");
        }

        var values = new GuestValue[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            if (!ArgumentParsing.TryParse(texts[i], types[i], out values[i], out var error))
            {
                throw new UsageException($"parameter {i} ({types[i]}) of {signature}: {error}");
            }
        }

        return values;
    }

    private static string UnknownFunction(string source, string name, IReadOnlyList<GuestFunctionSignature> functions)
    {
        var message = new StringBuilder($"'{source}' has no function '{name}'. It exports:");
        foreach (var function in functions)
        {
            message.Append("\n  ").Append(function);
        }

        return message.ToString();
    }
}
