namespace HyperSharp.Memory;

/// <summary>
/// Constants and the PEB layout of <c>guest/include/hypersharp/abi.h</c>. The ABI tests compile C
/// against the header to prove every value here equal.
/// </summary>
internal static class GuestAbi
{
    public const uint AbiVersion = 3;
    public const ulong PageSize = 4096;

    public const ulong GdtAddress = 0x1000;
    public const ulong TssOffset = 0x80;
    public const ulong PebAddress = 0x2000;
    public const ulong IdtAddress = 0x3000;
    public const ulong ExceptionCodeAddress = 0x4000;
    public const ulong PageTablesAddress = 0x5000;

    public const ushort SelectorCode = 0x08;
    public const ushort SelectorData = 0x10;
    public const ushort SelectorTss = 0x18;
    public const ushort SelectorUserCode = 0x28;
    public const ushort SelectorUserData = 0x30;

    public const ushort PortDone = 0x6800;
    public const ushort PortHostCall = 0x6801;
    public const ushort PortAbort = 0x6802;
    public const ushort PortFault = 0x6808;

    public const ulong PebMagic = 0x3142455048535348;

    public const int AbortOutOfMemory = 1000;
    public const int AbortAssertion = 1001;
    public const int AbortBadMessage = 1002;
    public const int AbortStackSmashed = 1003;
    public const int AbortExit = 1004;

    public const ulong MaxTlsSize = 1UL << 20;
    public const ulong MaxTlsAlignment = PageSize;

    /// <summary>Byte offsets of <c>struct hs_peb</c> fields.</summary>
    public static class Peb
    {
        public const int Magic = 0x00;
        public const int AbiVersion = 0x08;
        public const int PebSize = 0x0C;
        public const int MemorySize = 0x10;
        public const int ImageBase = 0x18;
        public const int ImageSize = 0x20;
        public const int HeapBase = 0x28;
        public const int HeapSize = 0x30;
        public const int StackBase = 0x38;
        public const int StackSize = 0x40;
        public const int ExceptionStackTop = 0x48;
        public const int InputBase = 0x50;
        public const int InputSize = 0x58;
        public const int OutputBase = 0x60;
        public const int OutputSize = 0x68;
        public const int RandomSeed = 0x70;
        public const int SeedGeneration = 0x78;
        public const int RealtimeNs = 0x80;
        public const int MonotonicNs = 0x88;
        public const int TscKhz = 0x90;
        public const int Size = 0x98;
    }

    /// <summary>Byte offsets of <c>struct hs_tcb</c> fields.</summary>
    public static class Tcb
    {
        public const int Self = 0x00;
        public const int StackGuard = 0x28;
        public const int Size = 0x40;
    }
}
