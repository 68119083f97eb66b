using HyperSharp.Memory;
using Xunit;

namespace HyperSharp.AbiTests.Memory;

/// <summary>The host's copy of abi.h (ports, addresses, PEB layout, abort codes) equals the header, with gcc as the oracle.</summary>
public sealed class GuestAbiHeaderTests
{
    [Fact]
    public void ConstantsAndPebLayoutMatchAbiH()
    {
        var asserts = new CAssertions("#include <hypersharp/abi.h>");
        asserts.Equal("HS_ABI_VERSION", GuestAbi.AbiVersion);
        asserts.Equal("HS_PAGE_SIZE", (long)GuestAbi.PageSize);
        asserts.Equal("HS_GDT_ADDRESS", (long)GuestAbi.GdtAddress);
        asserts.Equal("HS_TSS_OFFSET", (long)GuestAbi.TssOffset);
        asserts.Equal("HS_PEB_ADDRESS", (long)GuestAbi.PebAddress);
        asserts.Equal("HS_IDT_ADDRESS", (long)GuestAbi.IdtAddress);
        asserts.Equal("HS_EXCEPTION_CODE_ADDRESS", (long)GuestAbi.ExceptionCodeAddress);
        asserts.Equal("HS_PAGE_TABLES_ADDRESS", (long)GuestAbi.PageTablesAddress);
        asserts.Equal("HS_SELECTOR_CODE", GuestAbi.SelectorCode);
        asserts.Equal("HS_SELECTOR_DATA", GuestAbi.SelectorData);
        asserts.Equal("HS_SELECTOR_TSS", GuestAbi.SelectorTss);
        asserts.Equal("HS_SELECTOR_USER_CODE", GuestAbi.SelectorUserCode);
        asserts.Equal("HS_SELECTOR_USER_DATA", GuestAbi.SelectorUserData);
        asserts.Equal("HS_PORT_DONE", GuestAbi.PortDone);
        asserts.Equal("HS_PORT_HOST_CALL", GuestAbi.PortHostCall);
        asserts.Equal("HS_PORT_ABORT", GuestAbi.PortAbort);
        asserts.Equal("HS_PORT_FAULT", GuestAbi.PortFault);
        asserts.Equal("HS_PEB_MAGIC", unchecked((long)GuestAbi.PebMagic));
        asserts.Equal("HS_ABORT_OUT_OF_MEMORY", GuestAbi.AbortOutOfMemory);
        asserts.Equal("HS_ABORT_ASSERTION", GuestAbi.AbortAssertion);
        asserts.Equal("HS_ABORT_BAD_MESSAGE", GuestAbi.AbortBadMessage);
        asserts.Equal("HS_ABORT_STACK_SMASHED", GuestAbi.AbortStackSmashed);
        asserts.Equal("HS_ABORT_EXIT", GuestAbi.AbortExit);
        asserts.Equal("HS_MAX_TLS_SIZE", (long)GuestAbi.MaxTlsSize);
        asserts.Equal("HS_MAX_TLS_ALIGNMENT", (long)GuestAbi.MaxTlsAlignment);
        asserts.Equal("sizeof(hs_peb)", GuestAbi.Peb.Size);
        foreach (var field in typeof(GuestAbi.Peb).GetFields().Where(f => f.Name != nameof(GuestAbi.Peb.Size)))
        {
            asserts.Equal($"offsetof(hs_peb, {CAssertions.SnakeCase(field.Name)})", Convert.ToInt64(field.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture));
        }

        asserts.CompileOrFail();
    }

    [Fact]
    public void ThreadControlBlockLayoutMatchesAbiH()
    {
        var asserts = new CAssertions("#include <hypersharp/abi.h>");
        asserts.Equal("sizeof(hs_tcb)", GuestAbi.Tcb.Size);
        asserts.Equal("offsetof(hs_tcb, self)", GuestAbi.Tcb.Self);
        asserts.Equal("offsetof(hs_tcb, stack_guard)", GuestAbi.Tcb.StackGuard);
        asserts.CompileOrFail();
    }
}
