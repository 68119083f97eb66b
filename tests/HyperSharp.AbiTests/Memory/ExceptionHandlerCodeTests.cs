using System.Globalization;
using HyperSharp.Memory;
using Xunit;

namespace HyperSharp.AbiTests.Memory;

/// <summary>
/// The exception handlers the host writes into every guest are machine code emitted by C#; the assembler is the
/// oracle: the assembly in <see cref="ExceptionHandlerCode"/>'s remarks, assembled by gcc, must give the same page.
/// </summary>
public sealed class ExceptionHandlerCodeTests
{
    private static readonly int[] s_vectorsWithErrorCode = [8, 10, 11, 12, 13, 14, 17, 21, 29, 30];

    [Fact]
    public void TheEmittedHandlersEqualTheAssembledOnes()
    {
        GccCompiler.SkipUnlessAvailable();
        using var directory = new TemporaryDirectory();
        File.WriteAllText(directory.Combine("handlers.S"), Assembly());
        var assembled = GccCompiler.Run(directory.Path, "-c", "handlers.S", "-o", "handlers.o");
        Assert.True(assembled.ExitCode == 0, assembled.ToString());
        var extracted = ProcessRunner.Run("objcopy", ["-O", "binary", "-j", ".text", "handlers.o", "handlers.bin"], directory.Path);
        Assert.True(extracted.ExitCode == 0, extracted.ToString());

        var expected = File.ReadAllBytes(directory.Combine("handlers.bin"));
        var actual = ExceptionHandlerCode.Build();
        Assert.Equal((int)GuestAbi.PageSize, expected.Length);
        var at = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(at == expected.Length, $"The emitted code differs from gcc's at offset 0x{at:x}.");
    }

    private static string Assembly()
    {
        var stubs = string.Concat(Enumerable.Range(0, InterruptTable.Vectors).Select(vector =>
            $"    stub {vector}, {(s_vectorsWithErrorCode.Contains(vector) ? 1 : 0)}\n"));
        return string.Create(CultureInfo.InvariantCulture, $$"""
                .text
                .equ HS_PORT_FAULT, {{GuestAbi.PortFault}}
                .macro stub vector, has_error_code
            1:
                .if \has_error_code == 0
                push $0
                .endif
                push $\vector
                {disp32} jmp common
                .org 1b + {{ExceptionHandlerCode.StubSize}}, 0xCC
                .endm
            {{stubs}}
            common:
                pop %rax
                pop %r8
                mov (%rsp), %r9
                mov 24(%rsp), %r10
                mov %cr2, %r11
                mov $HS_PORT_FAULT, %edx
                out %eax, %dx
            2:  jmp 2b
                .org {{GuestAbi.PageSize}}, 0xCC

            """);
    }
}
