/*
 * HyperSharp guest ABI: the one header the host (C#) and the guest SDK (C) must agree on.
 *
 * Every constant and struct here is mirrored in src/HyperSharp (Memory/GuestAbi.cs and
 * Calls/WireFormat.cs) and checked against this file by tests/HyperSharp.AbiTests, which
 * compiles C with gcc as the oracle. docs/guest-abi.md explains the meaning of each item.
 */
#ifndef HYPERSHARP_ABI_H
#define HYPERSHARP_ABI_H

#include <stdint.h>

/* Bumped whenever anything in this file changes meaning. The host refuses other versions. */
#define HS_ABI_VERSION 3u

#define HS_PAGE_SIZE 4096u

/* ---- Fixed guest-physical (= guest-virtual) addresses -------------------------------- */
/* [0, 0x1000) is never mapped, so a NULL dereference faults. Everything the CPU consults on the
 * guest's behalf (GDT, TSS and its I/O bitmap, IDT, the exception handlers, the page tables, the
 * exception stack) is written by the host and out of reach of guest code, which runs in ring 3 from
 * its first instruction: supervisor-only, and read-only where the CPU only reads it. */
#define HS_GDT_ADDRESS 0x1000u        /* GDT at +0, TSS at +HS_TSS_OFFSET; read-only, NX, supervisor only */
#define HS_TSS_OFFSET 0x80u
#define HS_PEB_ADDRESS 0x2000u        /* hs_peb; read-only, NX */
#define HS_IDT_ADDRESS 0x3000u        /* 32 interrupt gates; read-only, NX, supervisor only */
#define HS_EXCEPTION_CODE_ADDRESS 0x4000u /* the host's exception handlers; read/execute, supervisor only */
#define HS_PAGE_TABLES_ADDRESS 0x5000u /* PML4 first; not mapped in the guest at all */

/* Segment selectors installed by the host (GDT entries 1, 2, 3-4, 5 and 6). Guest code runs on the
 * user (DPL 3) ones, with RPL 3: CS 0x2B, SS/DS/ES/FS/GS 0x33. The DPL 0 ones serve the host's
 * exception handlers. */
#define HS_SELECTOR_CODE 0x08u
#define HS_SELECTOR_DATA 0x10u
#define HS_SELECTOR_TSS 0x18u
#define HS_SELECTOR_USER_CODE 0x28u
#define HS_SELECTOR_USER_DATA 0x30u

/* ---- I/O ports: the only guest -> host channel ------------------------------------------ */
/* Guest code sends each signal with one 32-bit OUT (`out %eax, %dx`), which the CPU checks as four
 * consecutive ports: the TSS I/O permission bitmap opens ports 0x6800-0x6805 to ring 3, exactly what
 * the three guest ports below need. Any other port, width or string form raises #GP or ends the call
 * as a protocol violation. */
/* Init or a guest call finished; the output buffer holds a message (FUNCTIONS after init,
 * RETURN or ERROR after a call). The host resumes the guest at the next instruction for the
 * next call. */
#define HS_PORT_DONE 0x6800u
/* The output buffer holds a CALL for a host function. The host writes a RETURN or ERROR message
 * into the input buffer right after the guest call's own message and resumes the guest. */
#define HS_PORT_HOST_CALL 0x6801u
/* The guest gave up: EAX = abort code; the output buffer holds an ERROR message with the same
 * code and the text. The guest is never resumed. */
#define HS_PORT_ABORT 0x6802u
/* A CPU exception, sent only by the host's ring-0 exception handlers (the bitmap keeps it closed to
 * ring 3, so a fault report cannot be forged): RAX = vector, R8 = error code, R9 = faulting RIP,
 * R10 = RSP at the fault, R11 = CR2. The guest is never resumed. */
#define HS_PORT_FAULT 0x6808u

/* ---- Parameter block (PEB): where everything is; read-only to the guest ----------------- */
#define HS_PEB_MAGIC 0x3142455048535348ull /* "HSHPEB1" little-endian */

typedef struct hs_peb {
    uint64_t magic;               /* HS_PEB_MAGIC */
    uint32_t abi_version;         /* HS_ABI_VERSION */
    uint32_t peb_size;            /* sizeof(hs_peb) */
    uint64_t memory_size;         /* bytes of guest memory, from address 0 */
    uint64_t image_base;          /* first byte of the loaded ELF image */
    uint64_t image_size;
    uint64_t heap_base;
    uint64_t heap_size;
    uint64_t stack_base;          /* lowest stack byte; the page below it is an unmapped guard */
    uint64_t stack_size;
    uint64_t exception_stack_top; /* TSS IST1: every exception handler runs on this stack */
    uint64_t input_base;          /* host -> guest messages */
    uint64_t input_size;
    uint64_t output_base;         /* guest -> host messages */
    uint64_t output_size;
    uint64_t random_seed;         /* the guest reseeds its random source from this ... */
    uint64_t seed_generation;     /* ... whenever this differs from the last value it saw */
    /* The clock, written by the host before init and before every call. The guest reads RDTSC
     * when a call starts and extrapolates from there: now = *_ns + (rdtsc - start) * 10^6 /
     * tsc_khz, so reading the clock costs no exit. */
    int64_t realtime_ns;          /* wall clock: nanoseconds since 1970-01-01 00:00:00 UTC */
    uint64_t monotonic_ns;        /* the host's monotonic clock; never goes back, not even
                                   * across a restore */
    uint64_t tsc_khz;             /* the vCPU's TSC frequency (KVM_GET_TSC_KHZ); 0: unknown, the
                                   * guest then does not extrapolate within a call */
} hs_peb;

/* ---- Thread control block: where FS base points ---------------------------------------------
 * The host places the guest's TLS block (PT_TLS: .tdata copied, .tbss zeroed) right below this
 * block and sets FS base to its address (x86-64 psABI TLS variant II), so local-exec TLS and
 * code built with -fstack-protector read %fs:-n, %fs:0 and %fs:0x28 as on Linux. It lies in
 * read/write pages after the ELF image, inside image_size. */
typedef struct hs_tcb {
    uint64_t self;           /* %fs:0: the thread pointer itself */
    uint64_t reserved[4];    /* 0 */
    uint64_t stack_guard;    /* %fs:0x28: a random stack-protector canary per sandbox */
    uint64_t reserved2[2];   /* 0 */
} hs_tcb;

/* The largest PT_TLS segment (MemSiz) a guest may have, and its largest alignment. */
#define HS_MAX_TLS_SIZE (1u << 20)
#define HS_MAX_TLS_ALIGNMENT HS_PAGE_SIZE

/* ---- Wire format ---------------------------------------------------------------------------
 * Little-endian. A message is a 16-byte header followed by its body; every part is padded with
 * zero bytes to a multiple of 8, so every scalar is naturally aligned in guest memory. */
enum hs_message_kind {
    HS_MSG_CALL = 1,      /* name + parameter values; header.return_type = expected return type */
    HS_MSG_RETURN = 2,    /* count 0 (void) or 1 value */
    HS_MSG_ERROR = 3,     /* header.code = error code; one STRING value: the message */
    HS_MSG_FUNCTIONS = 4, /* count signatures: the guest's exported functions, sent after init */
};

typedef struct hs_message_header {
    uint32_t size;        /* whole message in bytes, header included; a multiple of 8 */
    uint8_t kind;         /* enum hs_message_kind */
    uint8_t return_type;  /* enum hs_type: CALL = expected, RETURN = type of the value (VOID if none) */
    uint16_t count;       /* CALL: parameters; RETURN: 0 or 1; ERROR: 1; FUNCTIONS: signatures */
    uint32_t name_size;   /* CALL: bytes of the UTF-8 name; ERROR: the error code; else 0 */
    uint32_t reserved;    /* 0 */
} hs_message_header;

enum hs_type {
    HS_TYPE_VOID = 0, /* return type only */
    HS_TYPE_INT = 1,  /* int32_t */
    HS_TYPE_UINT = 2, /* uint32_t */
    HS_TYPE_LONG = 3, /* int64_t */
    HS_TYPE_ULONG = 4,
    HS_TYPE_FLOAT = 5,
    HS_TYPE_DOUBLE = 6,
    HS_TYPE_BOOL = 7,   /* one byte, 0 or 1 */
    HS_TYPE_STRING = 8, /* UTF-8, followed by at least one zero byte (usable as a C string) */
    HS_TYPE_BYTES = 9,
};

/* A value: this header, then `size` payload bytes, then zero padding to a multiple of 8.
 * STRING payloads are padded to hs_align8(size + 1) so a NUL always follows the text. */
typedef struct hs_value_header {
    uint8_t type;       /* enum hs_type, never VOID */
    uint8_t reserved[3];
    uint32_t size;      /* INT/UINT/FLOAT 4, LONG/ULONG/DOUBLE 8, BOOL 1, STRING/BYTES length */
} hs_value_header;

/* A FUNCTIONS entry: this header, param_count type bytes, name_size name bytes, padding to 8. */
typedef struct hs_signature_header {
    uint8_t return_type;
    uint8_t param_count;
    uint16_t name_size;
    uint32_t reserved;
} hs_signature_header;

/* Limits both sides enforce. */
#define HS_MAX_PARAMETERS 32u
#define HS_MAX_NAME_SIZE 256u
#define HS_MAX_FUNCTIONS 1024u
#define HS_MAX_ABORT_MESSAGE 1024u /* longer abort texts are cut at a UTF-8 boundary */

/* Error codes carried by ERROR messages. Aborts carry the guest's own code instead. */
enum hs_error_code {
    HS_ERROR_GUEST = 1,             /* the guest function reported a failure itself */
    HS_ERROR_HOST_FUNCTION = 2,     /* a host function failed; the guest passed the failure on */
    HS_ERROR_RESULT_TOO_LARGE = 3,  /* the result did not fit the output buffer */
    HS_ERROR_FUNCTION_NOT_FOUND = 4,
    HS_ERROR_BAD_CALL = 5,          /* the guest could not decode the CALL it was given */
};

/* Abort codes the SDK itself uses (user code may use any other value). */
#define HS_ABORT_OUT_OF_MEMORY 1000  /* the SDK itself could not get memory it cannot do without */
#define HS_ABORT_ASSERTION 1001      /* assert() failed; the text names expression, file and line */
#define HS_ABORT_BAD_MESSAGE 1002    /* a host reply the SDK could not decode */
#define HS_ABORT_STACK_SMASHED 1003  /* __stack_chk_fail: a stack-protector canary was overwritten */
#define HS_ABORT_EXIT 1004           /* the guest called abort(), exit() or _Exit() */

/* The host writes the reply to a host call into the input buffer right after the guest call's
 * own message (at offset header.size of that message), so the guest's parameters stay valid
 * while it calls the host. Each host call's reply replaces the previous one. */
static inline uint64_t hs_align8(uint64_t n) { return (n + 7u) & ~(uint64_t)7u; }

#endif
