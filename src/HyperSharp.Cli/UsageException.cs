namespace HyperSharp.Cli;

/// <summary>
/// The user asked for something the CLI cannot do (unknown function, unparseable argument, …).
/// <see cref="Program"/> prints the message without a stack trace and exits with <see cref="ExitCodes.Usage"/>.
/// </summary>
internal sealed class UsageException(string message) : Exception(message);
