using System.Buffers.Binary;

namespace HyperSharp.Memory;

/// <summary>
/// The machine code of the guest's CPU exception handlers, which the host writes into a read/execute,
/// supervisor-only page at <see cref="GuestAbi.ExceptionCodeAddress"/>. They are the only code that runs in
/// ring 0, and they read nothing but their own stack (IST1, supervisor-only): guest code cannot change them,
/// their stack or the tables that lead to them. Each reports through <c>HS_PORT_FAULT</c>, which the TSS I/O
/// bitmap keeps closed to ring 3, and is never resumed.
/// </summary>
/// <remarks>
/// The same code in assembly, assembled by gcc and compared byte for byte with <see cref="Build"/> by
/// <c>ExceptionHandlerCodeTests</c> in tests/HyperSharp.AbiTests:
/// <code>
/// stub_N:                   ; one per vector, StubSize bytes apart, padded with int3
///     push $0               ; only for vectors where the CPU pushes no error code
///     push $N
///     jmp common
/// common:                   ; stack: vector, error code, RIP, CS, RFLAGS, RSP, SS
///     pop %rax              ; RAX = vector
///     pop %r8               ; R8  = error code
///     mov (%rsp), %r9       ; R9  = faulting RIP
///     mov 24(%rsp), %r10    ; R10 = RSP at the fault
///     mov %cr2, %r11        ; R11 = CR2
///     mov $HS_PORT_FAULT, %edx
///     out %eax, %dx
/// 1:  jmp 1b                ; never resumed
/// </code>
/// </remarks>
internal static class ExceptionHandlerCode
{
    public const int StubSize = 16;

    /// <summary>Where the shared reporting code starts, after the 32 stubs.</summary>
    public const int CommonOffset = InterruptTable.Vectors * StubSize;

    /// <summary>Vectors for which the CPU pushes an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX.</summary>
    private static readonly int[] s_vectorsWithErrorCode = [8, 10, 11, 12, 13, 14, 17, 21, 29, 30];

    private const byte PushImmediate8 = 0x6A;
    private const byte JumpRelative32 = 0xE9;
    private const byte Int3 = 0xCC;

    private static ReadOnlySpan<byte> Common =>
    [
        0x58,                               // pop %rax
        0x41, 0x58,                         // pop %r8
        0x4C, 0x8B, 0x0C, 0x24,             // mov (%rsp), %r9
        0x4C, 0x8B, 0x54, 0x24, 0x18,       // mov 0x18(%rsp), %r10
        0x41, 0x0F, 0x20, 0xD3,             // mov %cr2, %r11
        0xBA, GuestAbi.PortFault & 0xFF, GuestAbi.PortFault >> 8, 0x00, 0x00, // mov $HS_PORT_FAULT, %edx
        0xEF,                               // out %eax, (%dx)
        0xEB, 0xFE,                         // 1: jmp 1b
    ];

    /// <summary>The guest address of the stub for <paramref name="vector"/>, which the IDT gate points at.</summary>
    public static ulong StubAddress(int vector) => GuestAbi.ExceptionCodeAddress + (ulong)(vector * StubSize);

    /// <summary>The whole page of code: the stubs, then the common part, then int3 to the end of the page.</summary>
    public static byte[] Build()
    {
        var code = new byte[GuestAbi.PageSize];
        code.AsSpan().Fill(Int3);
        for (var vector = 0; vector < InterruptTable.Vectors; vector++)
        {
            var stub = code.AsSpan(vector * StubSize, StubSize);
            var at = 0;
            if (!s_vectorsWithErrorCode.Contains(vector))
            {
                stub[at++] = PushImmediate8;
                stub[at++] = 0;
            }

            stub[at++] = PushImmediate8;
            stub[at++] = (byte)vector;
            stub[at++] = JumpRelative32;
            var nextInstruction = (vector * StubSize) + at + sizeof(int);
            BinaryPrimitives.WriteInt32LittleEndian(stub[at..], CommonOffset - nextInstruction);
        }

        Common.CopyTo(code.AsSpan(CommonOffset));
        return code;
    }

    public static void Write(GuestMemory memory) => s_code.CopyTo(memory.GetSpan(GuestAbi.ExceptionCodeAddress, GuestAbi.PageSize));

    private static readonly byte[] s_code = Build();
}
