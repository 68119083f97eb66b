/*
 * Encoder and strict decoder for the wire format of docs/guest-abi.md §6.
 *
 * Freestanding and stateless: wire.c needs only <stdint.h> and <stddef.h>, so the same file
 * runs inside the guest and in hosted test tools (guest/tools/wirecheck.c).
 */
#ifndef HYPERSHARP_WIRE_H
#define HYPERSHARP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "hypersharp/abi.h"

/* One value. Scalars are held by value; STRING and BYTES point at their payload, which for a
 * decoded message lies inside the message (a decoded STRING is followed by a NUL). */
typedef struct hs_value {
    uint8_t type;  /* enum hs_type, never VOID */
    uint32_t size; /* payload bytes; the encoder derives it from the type for scalars */
    union {
        int32_t i32;   /* INT */
        uint32_t u32;  /* UINT */
        int64_t i64;   /* LONG */
        uint64_t u64;  /* ULONG */
        float f32;     /* FLOAT */
        double f64;    /* DOUBLE */
        uint8_t b;     /* BOOL: 0 or 1 */
        const void *p; /* STRING, BYTES */
    } as;
} hs_value;

/* One FUNCTIONS entry. */
typedef struct hs_signature {
    uint8_t return_type; /* enum hs_type, VOID allowed */
    uint8_t param_count;
    uint16_t name_size;
    const uint8_t *param_types; /* param_count enum hs_type bytes */
    const char *name;           /* name_size UTF-8 bytes, not NUL-terminated */
} hs_signature;

/* A decoded (or to-be-encoded) CALL, RETURN or ERROR, or a decoded FUNCTIONS. */
typedef struct hs_message {
    uint32_t size;       /* decode: bytes the message occupies */
    uint8_t kind;        /* enum hs_message_kind */
    uint8_t return_type; /* CALL: expected type; RETURN: type of the value or VOID */
    uint16_t count;      /* values (CALL, RETURN, ERROR) or signatures (FUNCTIONS) */
    uint32_t code;       /* ERROR: the error code */
    const char *name;    /* CALL: function name, UTF-8, not NUL-terminated */
    uint32_t name_size;
    hs_value values[HS_MAX_PARAMETERS]; /* CALL: parameters; RETURN: 0-1; ERROR: the message */
    const uint8_t *signatures;          /* FUNCTIONS (decode only): the first encoded signature */
} hs_message;

/* Checks every rule of §6 for the message at the start of `buffer` (`buffer_size` readable
 * bytes). Returns NULL and fills `message` when valid, else a short reason. */
const char *hs_wire_decode(const void *buffer, size_t buffer_size, hs_message *message);

/* Steps through the signatures of a FUNCTIONS message hs_wire_decode accepted: start with
 * `*cursor = message.signatures` and call it `message.count` times. */
void hs_wire_next_signature(const uint8_t **cursor, hs_signature *signature);

enum hs_wire_status {
    HS_WIRE_OK = 0,
    HS_WIRE_NO_SPACE = 1, /* valid, but larger than the capacity; *size says how large */
    HS_WIRE_INVALID = 2,  /* would break a rule of §6 (bad tag, BOOL not 0/1, bad UTF-8, limit) */
};

/* The encoders write a complete message, padding included, to `buffer` and store its length in
 * `*size`. They validate their input as strictly as the decoder, so they never emit a message
 * the other side would refuse. */
int hs_wire_encode(void *buffer, size_t capacity, const hs_message *message, uint64_t *size);
int hs_wire_encode_call(void *buffer, size_t capacity, const char *name, size_t name_size,
                        uint8_t return_type, const hs_value *values, size_t count, uint64_t *size);
int hs_wire_encode_return(void *buffer, size_t capacity, const hs_value *value /* NULL: void */,
                          uint64_t *size);
/* `text` may already lie at buffer + HS_WIRE_PAYLOAD_OFFSET, so callers can format the
 * message in place. */
int hs_wire_encode_error(void *buffer, size_t capacity, uint32_t code, const char *text,
                         size_t length, uint64_t *size);
int hs_wire_encode_functions(void *buffer, size_t capacity, const hs_signature *signatures,
                             size_t count, uint64_t *size);

/* Where the payload of the single value of a RETURN or ERROR starts: after the message header
 * and the value header. */
#define HS_WIRE_PAYLOAD_OFFSET 24u

/* Length of the longest prefix of `data` that is valid UTF-8 (RFC 3629: no overlong forms,
 * surrogates or code points above U+10FFFF); equals `size` when all of it is valid. */
size_t hs_utf8_valid_prefix(const void *data, size_t size);

#endif
