/* Python values to and from JSON with MicroPython's json module (pyjson.c). */
#ifndef HYPERSHARP_PYJSON_H
#define HYPERSHARP_PYJSON_H

#include <stdbool.h>
#include <stddef.h>

#include "py/obj.h"

#include "script.h"

/* True when the json module writes the value as valid JSON that means what the value means: None,
 * bools, ints, finite floats, str, lists and tuples of those, dicts with str keys. Raises
 * RuntimeError ("maximum recursion depth exceeded") for values nested deeper than the stack allows. */
bool pyjson_is_representable(mp_obj_t value);

/* Appends the value to `buffer` as json.dumps(value, separators=(',', ':')) would give it
 * (kind PRINT_JSON), or as repr() (PRINT_REPR). False when the buffer's memory ran out. Raises
 * what printing raises (RuntimeError for deep nesting, an exception from a __repr__), having freed
 * the buffer. */
bool pyjson_print(hs_script_buffer *buffer, mp_obj_t value, mp_print_kind_t kind);

/* json.loads of the text. */
mp_obj_t pyjson_loads(const char *text, size_t length);

#endif
