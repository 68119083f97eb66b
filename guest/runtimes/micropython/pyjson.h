/* Python values to and from JSON with MicroPython's json module (pyjson.c). */
#ifndef HYPERSHARP_PYJSON_H
#define HYPERSHARP_PYJSON_H

#include <stdbool.h>
#include <stddef.h>

#include "py/obj.h"

/* True when json.dumps(value) is valid JSON that means what the value means: None, bools, ints,
 * finite floats, str, lists and tuples of those, dicts with str keys. Raises
 * RuntimeError ("maximum recursion depth exceeded") for values nested deeper than the stack allows. */
bool pyjson_is_representable(mp_obj_t value);

/* json.dumps(value), a str. */
mp_obj_t pyjson_dumps(mp_obj_t value);

/* json.loads of the text. */
mp_obj_t pyjson_loads(const char *text, size_t length);

#endif
