/*
 * Raw writes into the output buffer, for test guests that forge protocol messages the SDK would
 * refuse to write (simpleguest's hostile functions, hostileguest). Not part of the SDK.
 */
#ifndef HYPERSHARP_TESTS_RAW_OUTPUT_H
#define HYPERSHARP_TESTS_RAW_OUTPUT_H

#include "hypersharp/guest.h"
#include "hypersharp/wire.h"

static inline uint8_t *output(void) { return (uint8_t *)(uintptr_t)hs_get_peb()->output_base; }

static inline uint32_t output_size(void) { return (uint32_t)hs_get_peb()->output_size; }

static inline void put_u8(size_t offset, uint8_t value) { output()[offset] = value; }

static inline void put_u16(size_t offset, uint16_t value) { memcpy(output() + offset, &value, 2); }

static inline void put_u32(size_t offset, uint32_t value) { memcpy(output() + offset, &value, 4); }

static inline void put_i32(size_t offset, int32_t value) { memcpy(output() + offset, &value, 4); }

static inline void put_header(uint32_t size, uint8_t kind, uint8_t return_type, uint16_t count,
                              uint32_t name_size)
{
    hs_message_header header = {size, kind, return_type, count, name_size, 0};
    memcpy(output(), &header, sizeof header);
}

static inline void put_value_header(size_t offset, uint8_t type, uint32_t size)
{
    hs_value_header header = {.type = type, .size = size};
    memcpy(output() + offset, &header, sizeof header);
}

#endif
