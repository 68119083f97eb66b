/*
 * Lua values to and from JSON, for script results and tool calls (docs/scripting.md, "Lua").
 *
 * To JSON: nil -> null; booleans; integers as integers; floats in the shortest form that reads
 * back the same, NaN and infinities -> null (as JavaScript's JSON.stringify); strings (invalid
 * UTF-8 -> U+FFFD); a table whose keys are exactly 1..n -> an array, the empty table -> [], any
 * other table -> an object whose keys are its string and number keys. A cycle, a function,
 * userdata, a thread, a key of another type or nesting deeper than 200 is a Lua error.
 *
 * From JSON: null -> nil (so it leaves a hole in an array and no key in an object), numbers
 * without fraction or exponent that fit -> integers, others -> floats, objects and arrays ->
 * tables (arrays from index 1).
 */
#ifndef HYPERSHARP_LUA_JSON_H
#define HYPERSHARP_LUA_JSON_H

#include <stddef.h>

#include "lua.h"
#include "script.h"

/* Appends the JSON of the `count` values at stack indices first.. as an array, or of the value at
 * `first` alone when `as_array` is false. Raises a Lua error for what has no JSON form. */
void hs_lua_to_json(lua_State *L, int first, int count, int as_array, hs_script_buffer *json);

/* Pushes the value of the JSON text; raises a Lua error naming the offset of a syntax error. */
void hs_lua_from_json(lua_State *L, const char *text, size_t length);

#endif
