/* Python values to and from JSON with MicroPython's json module. Its dumps writes any object it
 * cannot encode as its repr (so `{1: 2}`, `nan` or `<function>` would come out as text that is
 * not JSON): pyjson_is_representable says beforehand whether the result will be JSON. */
#include <math.h>

#include "py/cstack.h"
#include "py/objmodule.h"
#include "py/runtime.h"

#include "pyjson.h"

bool pyjson_is_representable(mp_obj_t value)
{
    mp_cstack_check();
    if (value == mp_const_none || mp_obj_is_bool(value) || mp_obj_is_int(value) || mp_obj_is_str(value)) {
        return true;
    }
    if (mp_obj_is_float(value)) {
        return isfinite(mp_obj_float_get(value));
    }
    if (mp_obj_is_type(value, &mp_type_list) || mp_obj_is_type(value, &mp_type_tuple)) {
        size_t count;
        mp_obj_t *items;
        mp_obj_get_array(value, &count, &items);
        for (size_t i = 0; i < count; i++) {
            if (!pyjson_is_representable(items[i])) {
                return false;
            }
        }
        return true;
    }
    if (mp_obj_is_type(value, &mp_type_dict) || mp_obj_is_type(value, &mp_type_ordereddict)) {
        mp_map_t *map = mp_obj_dict_get_map(value);
        for (size_t i = 0; i < map->alloc; i++) {
            if (mp_map_slot_is_filled(map, i) &&
                (!mp_obj_is_str(map->table[i].key) || !pyjson_is_representable(map->table[i].key) ||
                 !pyjson_is_representable(map->table[i].value))) {
                return false;
            }
        }
        return true;
    }
    return false;
}

/* json's functions, found directly rather than through __import__, which scripts can replace. */
static mp_obj_t json_function(qstr name)
{
    return mp_load_attr(mp_module_get_builtin(MP_QSTR_json, true), name);
}

mp_obj_t pyjson_dumps(mp_obj_t value)
{
    return mp_call_function_1(json_function(MP_QSTR_dumps), value);
}

mp_obj_t pyjson_loads(const char *text, size_t length)
{
    return mp_call_function_1(json_function(MP_QSTR_loads), mp_obj_new_str(text, length));
}
