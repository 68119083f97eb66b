using System.Text;
using System.Text.RegularExpressions;
using HyperSharp.Calls;
using Xunit;

namespace HyperSharp.AbiTests.Calls;

/// <summary>Every wire constant and layout mirrored in C# equals abi.h, with gcc's <c>_Static_assert</c> as the judge.</summary>
public sealed partial class WireFormatAbiTests
{
    [Fact]
    public void WireMirrorsMatchAbiHeader()
    {
        GccCompiler.SkipUnlessAvailable();
        var result = GccCompiler.Compile(StaticAsserts(), "-std=c11", "-fsyntax-only", "-Wall", "-Werror");
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void AMismatchIsReported()
    {
        GccCompiler.SkipUnlessAvailable();
        var source = StaticAsserts() + "_Static_assert(HS_MAX_PARAMETERS == 33, \"deliberately wrong\");\n";
        var result = GccCompiler.Compile(source, "-std=c11", "-fsyntax-only", "-Wall", "-Werror");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("deliberately wrong", result.StandardError, StringComparison.Ordinal);
    }

    private static string StaticAsserts()
    {
        var c = new StringBuilder("#include <stddef.h>\n#include \"hypersharp/abi.h\"\n");
        void Equal(string expression, long value, string what) =>
            c.Append("_Static_assert((").Append(expression).Append(") == ").Append(value).Append(", \"").Append(what).Append("\");\n");

        Equal("sizeof(hs_message_header)", WireFormat.HeaderSize, "WireFormat.HeaderSize");
        Equal("sizeof(hs_value_header)", WireFormat.ValueHeaderSize, "WireFormat.ValueHeaderSize");
        Equal("sizeof(hs_signature_header)", WireFormat.SignatureHeaderSize, "WireFormat.SignatureHeaderSize");
        Equal("HS_MAX_PARAMETERS", WireFormat.MaxParameters, "WireFormat.MaxParameters");
        Equal("HS_MAX_NAME_SIZE", WireFormat.MaxNameSize, "WireFormat.MaxNameSize");
        Equal("HS_MAX_FUNCTIONS", WireFormat.MaxFunctions, "WireFormat.MaxFunctions");
        Equal("HS_MAX_ABORT_MESSAGE", WireFormat.MaxAbortMessage, "WireFormat.MaxAbortMessage");
        Equal("HS_TYPE_BYTES", (long)WireFormat.MaxType, "WireFormat.MaxType");

        (string Field, int Offset, int Size)[] header =
        [
            ("size", WireFormat.HeaderSizeOffset, 4), ("kind", WireFormat.HeaderKindOffset, 1),
            ("return_type", WireFormat.HeaderReturnTypeOffset, 1), ("count", WireFormat.HeaderCountOffset, 2),
            ("name_size", WireFormat.HeaderNameSizeOffset, 4), ("reserved", WireFormat.HeaderReservedOffset, 4),
        ];
        (string Field, int Offset, int Size)[] value =
        [
            ("type", WireFormat.ValueTypeOffset, 1), ("reserved", WireFormat.ValueReservedOffset, 3), ("size", WireFormat.ValueSizeOffset, 4),
        ];
        (string Field, int Offset, int Size)[] signature =
        [
            ("return_type", WireFormat.SignatureReturnTypeOffset, 1), ("param_count", WireFormat.SignatureParamCountOffset, 1),
            ("name_size", WireFormat.SignatureNameSizeOffset, 2), ("reserved", WireFormat.SignatureReservedOffset, 4),
        ];
        foreach (var (type, fields) in new[] { ("hs_message_header", header), ("hs_value_header", value), ("hs_signature_header", signature) })
        {
            foreach (var (field, offset, size) in fields)
            {
                Equal($"offsetof({type}, {field})", offset, $"{type}.{field} offset");
                Equal($"sizeof((({type} *)0)->{field})", size, $"{type}.{field} size");
            }
        }

        foreach (var kind in Enum.GetValues<MessageKind>())
        {
            Equal("HS_MSG_" + kind.ToString().ToUpperInvariant(), (long)kind, $"MessageKind.{kind}");
        }

        foreach (var code in Enum.GetValues<WireErrorCode>())
        {
            Equal("HS_ERROR_" + UpperSnake().Replace(code.ToString(), "$1_$2").ToUpperInvariant(), (long)code, $"WireErrorCode.{code}");
        }

        foreach (var type in Enum.GetValues<GuestValueType>())
        {
            Equal("HS_TYPE_" + type.ToString().ToUpperInvariant(), (long)type, $"GuestValueType.{type}");
        }

        return c.ToString();
    }

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex UpperSnake();
}
