using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>
/// Drives guest/tests/hostileguest, which lies in every field the host reads, writes where it must not and misuses
/// instructions, ports and host calls. Every case must end in exactly the expected typed error (or a correct result),
/// leave the sandbox in the expected state, and <see cref="Sandbox.Restore()"/> must bring back a working sandbox.
/// </summary>
public sealed class HostileGuestTableTests(HostileGuestFixture fixture) : IClassFixture<HostileGuestFixture>
{
    /// <summary>One hostile act: the guest function and case number, and what the host must answer.</summary>
    /// <param name="Name">Names the case in the test explorer.</param>
    /// <param name="Function">The hostileguest function to call.</param>
    /// <param name="Mode">Its case number (the INT argument), or -1 for a function without parameters.</param>
    /// <param name="Expected">The exact exception type, or null when the call must return <paramref name="Code"/>.</param>
    /// <param name="Fragment">Text the exception's message (or its inner exception's) must contain.</param>
    /// <param name="Vector">For a <see cref="GuestFaultException"/>, the CPU exception vector.</param>
    /// <param name="OrVector">Another vector a hypervisor may raise instead, where they differ.</param>
    /// <param name="Code">For a <see cref="GuestAbortedException"/>, the abort code; for a result, the INT it returns.</param>
    /// <param name="Inner">For a <see cref="HostFunctionException"/>, the type of the host-side cause.</param>
    public sealed record HostileCase(string Name, string Function, int Mode, Type? Expected, string Fragment, int? Vector = null, int? Code = null, Type? Inner = null, int? OrVector = null)
    {
        public SandboxState After => Expected is null || Expected == typeof(HostFunctionException) ? SandboxState.Ready : SandboxState.Poisoned;
    }

    private static readonly HostileCase[] Cases =
    [
        // Lies in a call's result: every one is a protocol violation and poisons the sandbox.
        Protocol("result: size past the output buffer", "LieInResult", 1, "exceeds the 65536-byte buffer"),
        Protocol("result: size near 4 GiB", "LieInResult", 2, "size 4294967288 at offset 0 exceeds"),
        Protocol("result: size not a multiple of 8", "LieInResult", 3, "size 33 at offset 0 is not a multiple of 8"),
        Protocol("result: size smaller than the header", "LieInResult", 4, "size 8 at offset 0 is smaller than the 16-byte header"),
        Protocol("result: unknown message kind", "LieInResult", 5, "unknown message kind 99"),
        Protocol("result: unknown return type", "LieInResult", 6, "unknown return type tag 200"),
        Protocol("result: two values", "LieInResult", 7, "count 2 at offset 6 is not 0 or 1"),
        Protocol("result: count 65535", "LieInResult", 8, "count 65535 at offset 6 is not 0 or 1"),
        Protocol("result: reserved header field set", "LieInResult", 9, "reserved header field at offset 12"),
        Protocol("result: name size in a RETURN", "LieInResult", 10, "name size at offset 8 is 5, not 0"),
        Protocol("result: unknown value tag", "LieInResult", 11, "unknown type tag 42"),
        Protocol("result: value tagged VOID", "LieInResult", 12, "has type VOID"),
        Protocol("result: INT of size 8", "LieInResult", 13, "has size 8, not 4"),
        Protocol("result: INT of size 0xFFFFFFFF", "LieInResult", 14, "has size 4294967295, not 4"),
        Protocol("result: nonzero padding", "LieInResult", 15, "padding of value 0 at offset 28 is 0x01"),
        Protocol("result: nonzero value reserved byte", "LieInResult", 16, "reserved byte of value 0 at offset 17"),
        Protocol("result: value type differs from the header", "LieInResult", 17, "is LONG, but the header says INT"),
        Protocol("result: another return type", "LieInResult", 18, "return type LONG at offset 5 is not the expected INT"),
        Protocol("result: VOID for an INT function", "LieInResult", 19, "return type VOID at offset 5 is not the expected INT"),
        Protocol("result: bytes after the last part", "LieInResult", 20, "8 bytes at offset 32 follow the last part"),
        Protocol("result: a FUNCTIONS message", "LieInResult", 21, "expected a RETURN message"),
        Protocol("result: a CALL message", "LieInResult", 22, "expected a RETURN message"),
        Protocol("result: ERROR without text", "LieInResult", 23, "value 0 at offset 16 has type tag 1, not STRING"),
        Protocol("result: ERROR with no value", "LieInResult", 24, "count 0 at offset 6 is not 1"),
        Protocol("result: nothing written", "LieInResult", 25, "size 0 at offset 0 is smaller than the 16-byte header"),
        Protocol("text: lone continuation byte", "LieInTextResult", 1, "is not valid UTF-8"),
        Protocol("text: overlong NUL", "LieInTextResult", 2, "is not valid UTF-8"),
        Protocol("text: encoded surrogate", "LieInTextResult", 3, "is not valid UTF-8"),
        Protocol("text: code point above U+10FFFF", "LieInTextResult", 4, "is not valid UTF-8"),
        Protocol("text: no NUL after the text", "LieInTextResult", 5, "the NUL after STRING value 0 at offset 27 is 0x64"),
        Protocol("text: length one past the message", "LieInTextResult", 6, "with size 17 runs past the end of the 32-byte message"),
        Protocol("text: length of the whole output buffer", "LieInTextResult", 7, "with size 65536 runs past the end"),
        Protocol("text: length 0xFFFFFFFF", "LieInTextResult", 8, "with size 4294967295 runs past the end"),
        Protocol("text: message and length fill the buffer", "LieInTextResult", 9, "with size 65512 runs past the end of the 65536-byte message"),
        Protocol("text: ERROR text not UTF-8", "LieInTextResult", 10, "is not valid UTF-8"),

        // Lies in a host-call request: refused before any host function runs, and poisoning.
        Protocol("host call: name past the message", "LieInHostCall", 1, "function name at offset 16 with size 48 runs past the end"),
        Protocol("host call: name over 256 bytes", "LieInHostCall", 2, "name size 300 at offset 8 exceeds the limit of 256 bytes"),
        Protocol("host call: name not UTF-8", "LieInHostCall", 3, "function name at offset 16 is not valid UTF-8"),
        Protocol("host call: 33 arguments", "LieInHostCall", 4, "count 33 at offset 6 exceeds the limit of 32 parameters"),
        Protocol("host call: count larger than the values", "LieInHostCall", 5, "value 2 at offset 56 runs past the end"),
        Protocol("host call: count smaller than the values", "LieInHostCall", 6, "16 bytes at offset 40 follow the last part"),
        Protocol("host call: unknown value tag", "LieInHostCall", 7, "unknown type tag 77"),
        Protocol("host call: string length past the buffer", "LieInHostCall", 8, "with size 2147483632 runs past the end"),
        Protocol("host call: size past the output buffer", "LieInHostCall", 9, "exceeds the 65536-byte buffer"),
        Protocol("host call: a RETURN instead of a CALL", "LieInHostCall", 10, "not a CALL"),
        Protocol("host call: an ERROR instead of a CALL", "LieInHostCall", 11, "not a CALL"),
        Protocol("host call: BOOL 2", "LieInHostCall", 12, "BOOL value 0 at offset 24 is 2"),
        Protocol("host call: name padding not zero", "LieInHostCall", 13, "padding of function name at offset 23"),

        // Well-formed host calls the host refuses as data: the guest passes the error on and stays ready.
        HostError("host call: unknown function", 1, typeof(ArgumentException), "'NoSuchHostFunction', which is not defined"),
        HostError("host call: too few arguments", 2, typeof(ArgumentException), "takes 2 parameter(s), but the guest passed 1"),
        HostError("host call: too many arguments", 3, typeof(ArgumentException), "takes 2 parameter(s), but the guest passed 3"),
        HostError("host call: wrong argument type", 4, typeof(ArgumentException), "Parameter 0 of host function 'HostAdd' is Int, but the guest passed Long"),
        HostError("host call: wrong return type", 5, typeof(ArgumentException), "returns Int, but the guest expects String"),
        HostError("host call: the host function throws", 6, typeof(InvalidOperationException), "host function exploded"),
        HostError("host call: longest name, undefined", 7, typeof(ArgumentException), "which is not defined"),
        HostError("host call: reply larger than the input buffer", 8, typeof(InvalidOperationException), "(SandboxOptions.InputBufferSize)"),
        new("host call: re-entering the sandbox from a host function", "CallReentrantHost", -1, typeof(HostFunctionException), "by the call that is running the current host function", Inner: typeof(SandboxBusyException)),

        // Memory the guest must not touch: each write is a page fault, reported as such.
        Fault("memory: write own page tables", "Scribble", 1, 14, "write to 0x5000, an unmapped page"),
        Fault("memory: write own parameter block", "Scribble", 2, 14, "a read-only page"),
        Fault("memory: write past guest memory", "Scribble", 6, 14, "an unmapped page"),
        Fault("memory: write at 1 TiB", "Scribble", 7, 14, "write to 0x10000000000, an unmapped page"),
        Fault("memory: read own page tables", "Scribble", 8, 14, "read from 0x5000, an unmapped page"),

        // Every structure the CPU consults on the guest's behalf is out of ring 3's reach (docs/security.md).
        Fault("table: write the GDT", "Scribble", 3, 14, "write to 0x1000"),
        Fault("table: read the GDT", "Scribble", 11, 14, "read from 0x1008"),
        Fault("table: write the TSS I/O bitmap", "Scribble", 4, 14, "write to 0x10e8"),
        Fault("table: write the TSS stack pointer", "Scribble", 13, 14, "write to 0x10a4"),
        Fault("table: write the exception stack", "Scribble", 5, 14, "write to"),
        Fault("table: write the IDT", "Scribble", 9, 14, "write to 0x3000"),
        Fault("table: read the IDT", "Scribble", 12, 14, "read from 0x3000"),
        Fault("table: point the #UD gate at guest code, found with SIDT", "Misbehave", 12, 14, "write to 0x3060"),
        Fault("table: write the exception handlers", "Scribble", 10, 14, "write to 0x4000"),
        Fault("table: call the exception handlers from ring 3", "Misbehave", 20, 14, "0x4000"),
        Fault("table: load an IDT of its own", "Misbehave", 5, 13, "general protection fault"),
        Fault("table: load a GDT of its own", "Misbehave", 15, 13, "general protection fault"),
        Fault("table: load another task register", "Misbehave", 16, 13, "general protection fault"),
        Fault("table: switch page tables", "Misbehave", 6, 13, "general protection fault"),
        Fault("table: clear CR0.WP", "Misbehave", 18, 13, "general protection fault"),

        // Ways into ring 0 that the CPU refuses to ring 3.
        // The SDM says #GP (gate DPL 0, or past the limit); kvm_pvm raises #UD for every INT n from ring 3.
        Fault("ring 0: INT to an exception gate", "Misbehave", 13, 13, "(vector ") with { OrVector = 6 },
        Fault("ring 0: INT past the IDT", "Misbehave", 14, 13, "(vector ") with { OrVector = 6 },
        Fault("ring 0: far return to the ring-0 code segment", "Misbehave", 17, 13, "general protection fault"),
        Fault("ring 0: HLT", "Misbehave", 19, 13, "general protection fault"),
        // EFER.SCE is clear, so the SDM says #UD; kvm_pvm enters ring 0 at LSTAR = 0, which is not mapped: #PF at RIP 0.
        Fault("ring 0: SYSCALL", "Misbehave", 21, 6, "(vector ") with { OrVector = 14 },
        new("ring 0: a hypercall, refused to ring 3", "Misbehave", 22, null, string.Empty, Code: -1),

        // Ports and forged signals: ring 3 reaches exactly the three guest ports, with one 32-bit OUT each.
        Fault("port: OUT to a closed port", "Misbehave", 1, 13, "general protection fault"),
        Protocol("port: byte OUT to an open, unassigned port", "Misbehave", 2, "wrote 1 byte(s) to I/O port 0x6803"),
        Fault("port: 32-bit OUT straddling the open range", "Misbehave", 3, 13, "general protection fault"),
        Protocol("port: IN from an open port", "Misbehave", 4, "read from I/O port 0x6801"),
        Fault("port: forged fault report to the closed fault port", "Misbehave", 7, 13, "general protection fault"),
        Fault("port: 32-bit OUT at the last open port", "Misbehave", 8, 13, "general protection fault"),
        new("signal: abort with a lying message size", "Misbehave", 9, typeof(GuestAbortedException), "unreadable", Code: 77),
        new("signal: abort text not UTF-8", "Misbehave", 10, typeof(GuestAbortedException), "unreadable", Code: 78),
        Protocol("signal: byte OUT to the done port", "Misbehave", 11, "wrote 1 byte(s) to I/O port 0x6800"),
    ];

    public static IEnumerable<TheoryDataRow<string>> CaseNames => Cases.Select(c => new TheoryDataRow<string>(c.Name));

    private Sandbox Sandbox => fixture.Sandbox;

    [KvmFact]
    public void CaseNamesAreUnique() => Assert.Equal(Cases.Length, Cases.Select(c => c.Name).Distinct().Count());

    [KvmTheory]
    [MemberData(nameof(CaseNames))]
    public void EveryHostileActEndsInATypedErrorOrACorrectResultAndRestoreRecovers(string name)
    {
        var hostile = Cases.Single(c => c.Name == name);
        Sandbox.Restore();
        Assert.Equal(SandboxState.Ready, Sandbox.State);

        GuestValue[] args = hostile.Mode >= 0 ? [hostile.Mode] : [];
        var returnType = Sandbox.GuestFunctions.Single(f => f.Name == hostile.Function).ReturnType;
        if (hostile.Expected is null)
        {
            Assert.Equal(hostile.Code, Sandbox.Call(hostile.Function, returnType, args).AsInt32());
        }
        else
        {
            var e = Assert.Throws(hostile.Expected, () => Sandbox.Call(hostile.Function, returnType, args));
            var text = e.Message + " | " + e.InnerException?.Message;
            Assert.Contains(hostile.Fragment, text, StringComparison.Ordinal);
            CheckDetails(hostile, e);
        }

        Assert.Equal(hostile.After, Sandbox.State);
        if (hostile.After == SandboxState.Poisoned)
        {
            Assert.Throws<SandboxPoisonedException>(() => Sandbox.Call<string>("Echo", "refused"));
        }
        else
        {
            Assert.Equal("still ready", Sandbox.Call<string>("Echo", "still ready"));
        }

        Sandbox.Restore();
        Assert.Equal(SandboxState.Ready, Sandbox.State);
        Assert.Equal("restored", Sandbox.Call<string>("Echo", "restored"));
    }

    private static void CheckDetails(HostileCase hostile, Exception e)
    {
        switch (e)
        {
            case GuestFaultException fault:
                Assert.Contains(fault.Vector, new[] { hostile.Vector, hostile.OrVector ?? hostile.Vector });
                break;
            case GuestAbortedException abort:
                Assert.Equal(hostile.Code, abort.ErrorCode);
                break;
            case HostFunctionException host:
                Assert.IsType(hostile.Inner!, host.InnerException);
                break;
            default:
                Assert.IsType<GuestProtocolException>(e);
                break;
        }
    }

    private static HostileCase Protocol(string name, string function, int mode, string fragment) =>
        new(name, function, mode, typeof(GuestProtocolException), fragment);

    private static HostileCase HostError(string name, int mode, Type inner, string fragment) =>
        new(name, "MisuseHostCall", mode, typeof(HostFunctionException), fragment, Inner: inner);

    private static HostileCase Fault(string name, string function, int mode, int vector, string fragment) =>
        new(name, function, mode, typeof(GuestFaultException), fragment, Vector: vector);
}

/// <summary>
/// One sandbox of the hostile guest with the host functions its cases call, and a clean snapshot each case restores
/// first. Host function <c>Reenter</c> calls back into the very sandbox that is calling it.
/// </summary>
public sealed class HostileGuestFixture : IDisposable
{
    private readonly Lazy<Sandbox> _sandbox;
    private Snapshot? _clean;

    public HostileGuestFixture() => _sandbox = new(() =>
    {
        Sandbox? self = null;
        var host = new HostFunctions();
        host.Define("HostAdd", (int a, int b) => a + b);
        host.Define("HostRepeat", (int n) => new string('r', n));
        host.Define("Throws", int () => throw new InvalidOperationException("host function exploded"));
        host.Define("Reenter", () => self!.Call<string>("Echo", "re-entered"));
        self = Sandbox.Create(Guests.HostileGuest, host);
        _clean = self.Snapshot();
        return self;
    });

    public Sandbox Sandbox => _sandbox.Value;

    public void Dispose()
    {
        if (_sandbox.IsValueCreated)
        {
            _sandbox.Value.Dispose();
        }

        _clean?.Dispose();
    }
}
