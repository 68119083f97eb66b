using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Xunit;

namespace HyperSharp.AbiTests;

/// <summary>
/// Collects C# sizes, offsets and constants as <c>_Static_assert</c>s against a C header, then lets gcc judge them all
/// in one compile. A mismatch names the C expression, its C# value and where it came from.
/// </summary>
internal sealed class CAssertions(string prelude)
{
    private readonly StringBuilder _source = new StringBuilder(prelude).Append("\n#include <stddef.h>\n");

    /// <summary>Asserts <c>sizeof</c> and the offset of every public field; C names are the snake_case of the C# names unless overridden.</summary>
    public void Struct<T>(string cType, params (string Field, string CField)[] overrides)
        where T : unmanaged
    {
        Equal($"sizeof({cType})", Unsafe.SizeOf<T>(), typeof(T).Name);
        Offsets<T>(cType, [.. typeof(T).GetFields(BindingFlags.Public | BindingFlags.Instance)
            .Select(f => (f.Name, overrides.FirstOrDefault(o => o.Field == f.Name).CField ?? SnakeCase(f.Name)))]);
    }

    /// <summary>Asserts the offsets of the named fields only (for structs that mirror part of a C struct).</summary>
    public void Offsets<T>(string cType, params (string Field, string CField)[] fields)
        where T : unmanaged
    {
        foreach (var (field, cField) in fields)
        {
            Equal($"offsetof({cType}, {cField})", Marshal.OffsetOf<T>(field).ToInt64(), $"{typeof(T).Name}.{field}");
        }
    }

    /// <summary>Asserts every integral constant of <paramref name="type"/>, whose names are the C macro names.</summary>
    public void ConstantsOf(Type type)
    {
        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
        {
            Equal(field.Name, Convert.ToInt64(field.GetRawConstantValue(), CultureInfo.InvariantCulture), $"{type.Name}.{field.Name}");
        }
    }

    public void Equal(string cExpression, long csharpValue, string? origin = null) =>
        _source.Append(CultureInfo.InvariantCulture,
            $"_Static_assert((long long)({cExpression}) == {csharpValue}LL, \"{cExpression} != C# {origin ?? cExpression} = {csharpValue}\");\n");

    public ProcessResult Compile() => GccCompiler.Compile(_source.ToString(), "-std=gnu11", "-fsyntax-only", "-Wall", "-Werror");

    public void CompileOrFail()
    {
        GccCompiler.SkipUnlessAvailable();
        var result = Compile();
        Assert.True(result.ExitCode == 0, $"gcc disagrees with the C# mirror:\n{result.StandardError}");
    }

    public static string SnakeCase(string pascal)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0 && (char.IsLower(pascal[i - 1]) || char.IsDigit(pascal[i - 1])))
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(pascal[i]));
        }

        return builder.ToString();
    }
}
