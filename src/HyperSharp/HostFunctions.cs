using System.Collections.Frozen;
using System.Text;
using HyperSharp.Calls;
using HyperSharp.Execution;

namespace HyperSharp;

/// <summary>
/// A registry of host functions that guests may call, reusable across sandboxes. Each sandbox takes
/// a copy when it is created, so later changes affect only sandboxes created afterwards.
/// Host functions that need to know which sandbox is calling (per-sandbox state, output, limits) take a
/// <see cref="Caller"/> as their first parameter; it costs nothing per call.
/// A new registry already holds <c>HostPrint(string) → int</c>, which writes to <see cref="Console.Out"/>, and
/// <c>HostPrintError(string) → int</c>, which writes to <see cref="Console.Error"/>: the guest C library's
/// stdout and stderr. For a sandbox with a <see cref="SandboxOptions.LoggerFactory"/> both log instead. Define
/// either again to send guest output elsewhere.
/// </summary>
/// <remarks>
/// Functions take up to 8 parameters of type <see cref="int"/>, <see cref="uint"/>, <see cref="long"/>,
/// <see cref="ulong"/>, <see cref="float"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>
/// or <c>byte[]</c> and return one of those or nothing. An exception thrown by a host function goes
/// back to the guest as an error; if the guest passes it on, the caller of
/// <see cref="Sandbox.Call{TResult}(string, ReadOnlySpan{GuestValue})"/> gets a
/// <see cref="HostFunctionException"/> whose <see cref="Exception.InnerException"/> is the original.
/// Registration is thread-safe.
/// </remarks>
public sealed partial class HostFunctions
{
    /// <summary>The name of the print function the guest SDK's <c>hs_printf</c> calls.</summary>
    public const string HostPrintName = "HostPrint";

    /// <summary>The name of the print function the guest C library's <c>stderr</c> calls.</summary>
    public const string HostPrintErrorName = "HostPrintError";

    /// <summary>UTF-8 that throws on lone surrogates instead of writing U+FFFD.</summary>
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<string, HostFunction> _functions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The last <see cref="Freeze"/>, until a definition changes.</summary>
    private HostFunctionTable? _frozen;

    /// <summary>Creates a registry holding the default <c>HostPrint</c> and <c>HostPrintError</c>.</summary>
    public HostFunctions()
    {
        Define(HostPrintName, static (Caller caller, string text) => caller.Sandbox.PrintGuestOutput(text, isError: false));
        Define(HostPrintErrorName, static (Caller caller, string text) => caller.Sandbox.PrintGuestOutput(text, isError: true));
    }

    /// <summary>The signatures of every defined function, ordered by name.</summary>
    public IReadOnlyList<GuestFunctionSignature> Signatures
    {
        get
        {
            lock (_lock)
            {
                return [.. _functions.Values.Select(f => f.Signature).OrderBy(s => s.Name, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>
    /// Defines (or replaces) a host function from its signature and an untyped body, for callers that only
    /// know the types at run time. The body receives exactly the declared parameter types and must return a
    /// value of <paramref name="returnType"/> (<c>default</c> for <see cref="GuestValueType.Void"/>).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A type is void where a value is needed, there are more than 32 parameters, or the name is empty, longer than
    /// 256 UTF-8 bytes or not valid UTF-16 (a lone surrogate).
    /// </exception>
    public void Define(string name, GuestValueType returnType, IReadOnlyList<GuestValueType> parameterTypes, Func<GuestValue[], GuestValue> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        Define(name, returnType, parameterTypes, (_, args) => function(args));
    }

    /// <summary>
    /// Defines (or replaces) a host function from its signature and an untyped body that also receives the calling
    /// sandbox (<see cref="Caller"/>).
    /// </summary>
    /// <inheritdoc cref="Define(string, GuestValueType, IReadOnlyList{GuestValueType}, Func{GuestValue[], GuestValue})"/>
    public void Define(string name, GuestValueType returnType, IReadOnlyList<GuestValueType> parameterTypes, Func<Caller, GuestValue[], GuestValue> function)
    {
        ArgumentNullException.ThrowIfNull(parameterTypes);
        ArgumentNullException.ThrowIfNull(function);
        if (!Enum.IsDefined(returnType))
        {
            throw new ArgumentException($"Unknown return type {returnType}.", nameof(returnType));
        }

        foreach (var type in parameterTypes)
        {
            if (type == GuestValueType.Void || !Enum.IsDefined(type))
            {
                throw new ArgumentException($"Parameter type {type} is not a value type that can cross the sandbox boundary.", nameof(parameterTypes));
            }
        }

        DefineCore(name, returnType, [.. parameterTypes], (caller, args) =>
        {
            var result = function(new Caller(caller), args.ToArray());
            if (result.Type != returnType)
            {
                throw new InvalidOperationException($"Host function '{name}' returned {result.Type}, but its signature says {returnType}.");
            }

            return result;
        });
    }

    /// <summary>Removes a function; returns whether it was defined.</summary>
    public bool Remove(string name)
    {
        lock (_lock)
        {
            _frozen = null;
            return _functions.Remove(name);
        }
    }

    /// <summary>
    /// A copy for sandboxes: lookups without locks, unaffected by later changes. Built once and shared until the
    /// next <see cref="Define(string, GuestValueType, IReadOnlyList{GuestValueType}, Func{GuestValue[], GuestValue})"/> or <see cref="Remove"/>.
    /// </summary>
    internal HostFunctionTable Freeze()
    {
        lock (_lock)
        {
            return _frozen ??= new HostFunctionTable(_functions.ToFrozenDictionary(StringComparer.Ordinal));
        }
    }

    private void DefineCore(string name, GuestValueType returnType, GuestValueType[] parameterTypes, HostInvoker invoke)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        int nameSize;
        try
        {
            nameSize = s_strictUtf8.GetByteCount(name);
        }
        catch (EncoderFallbackException e)
        {
            // A lone surrogate has no UTF-8 form: the guest could never name the function, and a snapshot file would
            // record U+FFFD instead, which would not match this registry when loaded.
            throw new ArgumentException($"Host function name '{name}' is not valid UTF-16: {e.Message}", nameof(name), e);
        }

        if (nameSize > WireFormat.MaxNameSize)
        {
            throw new ArgumentException($"Host function names are at most {WireFormat.MaxNameSize} UTF-8 bytes.", nameof(name));
        }

        if (parameterTypes.Length > WireFormat.MaxParameters)
        {
            throw new ArgumentException(
                $"Host function '{name}' declares {parameterTypes.Length} parameters; the wire format carries at most {WireFormat.MaxParameters}.",
                nameof(parameterTypes));
        }

        var function = new HostFunction(new GuestFunctionSignature(name, returnType, parameterTypes), invoke);
        lock (_lock)
        {
            _functions[name] = function;
            _frozen = null;
        }
    }
}

/// <summary>Runs a host function for <paramref name="caller"/> on decoded arguments whose types already match its signature.</summary>
internal delegate GuestValue HostInvoker(Sandbox caller, ReadOnlySpan<GuestValue> args);

/// <summary>A defined host function: what it accepts and how to run it.</summary>
internal sealed record HostFunction(GuestFunctionSignature Signature, HostInvoker Invoke);
