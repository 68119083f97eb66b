using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace HyperSharp.Cli.Commands.Serving;

/// <summary>Numeric options of the servers, each checked against its range as it is parsed, with one error line naming it.</summary>
internal static class NumberOption
{
    /// <summary>An option of type <typeparamref name="T"/> between <paramref name="min"/> and <paramref name="max"/>, <paramref name="defaultValue"/> when absent.</summary>
    public static Option<T> Create<T>(string name, string description, string helpName, T defaultValue, T min, T max)
        where T : struct, INumber<T>
    {
        return new Option<T>(name)
        {
            Description = description,
            HelpName = helpName,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => Parse(result, name, min, max) ?? defaultValue,
        };
    }

    /// <summary>As <see cref="Create"/>, null when absent.</summary>
    public static Option<T?> CreateOptional<T>(string name, string description, string helpName, T min, T max)
        where T : struct, INumber<T>
    {
        return new Option<T?>(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result => Parse(result, name, min, max),
        };
    }

    private static T? Parse<T>(ArgumentResult result, string name, T min, T max)
        where T : struct, INumber<T>
    {
        var text = result.Tokens[0].Value;
        if (T.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name}: '{text}' is not a number from {min} to {max}."));
        return null;
    }
}
