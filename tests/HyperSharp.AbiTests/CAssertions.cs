using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Xunit;

namespace HyperSharp.AbiTests;

/// <summary>
/// Collects C# sizes, offsets and constants as <c>_Static_assert</c>s against a C header, then lets gcc judge them all
/// in one compile. A mismatch names the C expression, its C# value and where it came from. With
/// <paramref name="windows"/>, the judge is mingw-w64's cross compiler (<see cref="MingwCompiler"/>) and C names are the
/// C# names as they are (the Windows SDK's PascalCase), not snake_case.
/// </summary>
internal sealed class CAssertions(string prelude, bool windows = false)
{
    private readonly StringBuilder _source = new StringBuilder(prelude).Append("\n#include <stddef.h>\n");

    /// <summary>Checks the optimiser must fold away (<see cref="Folded"/>): each calls a function that is an error to call.</summary>
    private readonly StringBuilder _folded = new();

    private int _foldedCount;

    /// <summary>Asserts <c>sizeof</c> and the offset of every public field; C names are the snake_case of the C# names unless overridden.</summary>
    public void Struct<T>(string cType, params (string Field, string CField)[] overrides)
        where T : unmanaged
    {
        Equal($"sizeof({cType})", Unsafe.SizeOf<T>(), typeof(T).Name);
        Offsets<T>(cType, [.. typeof(T).GetFields(BindingFlags.Public | BindingFlags.Instance)
            .Select(f => (f.Name, overrides.FirstOrDefault(o => o.Field == f.Name).CField ?? (windows ? f.Name : SnakeCase(f.Name))))]);
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

    /// <summary>
    /// Asserts a value C cannot state as a constant expression, such as a bit inside a bitfield union
    /// (<c>((WHV_X64_SEGMENT_REGISTER){.Long = 1}).Attributes</c>): a function compares it and calls, on a mismatch, a
    /// function declared with <c>__attribute__((error))</c>. The optimiser folds a match away; a mismatch survives and
    /// is a compile error naming the expression.
    /// </summary>
    public void Folded(string cExpression, long csharpValue, string origin)
    {
        var name = $"hs_mismatch_{_foldedCount++}";
        _source.Append(CultureInfo.InvariantCulture,
            $"extern void {name}(void) __attribute__((error(\"{cExpression} != C# {origin} = {csharpValue}\")));\n");
        _folded.Append(CultureInfo.InvariantCulture, $"  if ((long long)({cExpression}) != {csharpValue}LL) {name}();\n");
    }

    public ProcessResult Compile()
    {
        var source = _foldedCount == 0 ? _source.ToString() : $"{_source}void hs_folded_checks(void)\n{{\n{_folded}}}\n";
        // Folded checks need the optimiser and code generation; the rest needs only the front end.
        string[] mode = _foldedCount == 0 ? ["-fsyntax-only"] : ["-O1", "-c", "-o", "/dev/null"];
        string[] arguments = ["-std=gnu11", .. mode, "-Wall", "-Werror"];
        return windows ? MingwCompiler.Compile(source, arguments) : GccCompiler.Compile(source, arguments);
    }

    public void CompileOrFail()
    {
        if (windows)
        {
            MingwCompiler.SkipUnlessAvailable();
        }
        else
        {
            GccCompiler.SkipUnlessAvailable();
        }

        var result = Compile();
        Assert.True(result.ExitCode == 0, $"{(windows ? MingwCompiler.Name : "gcc")} disagrees with the C# mirror:\n{result.StandardError}");
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
