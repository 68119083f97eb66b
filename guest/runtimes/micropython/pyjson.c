/* Python values to and from JSON with MicroPython's json module. Its printer writes any object it
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

typedef struct output {
    hs_script_buffer *buffer;
    bool full;
} output;

static void write_text(void *data, const char *text, size_t length)
{
    output *out = data;
    if (!out->full && !hs_script_buffer_append(out->buffer, text, length)) {
        out->full = true;
    }
}

/* Straight into memory outside the GC heap that doubles as it grows: json.dumps builds a str that
 * grows a few bytes at a time, which costs time quadratic in its length (600 ms for 1 MB). The
 * json printer takes its separators from an mp_print_ext_t. */
bool pyjson_print(hs_script_buffer *buffer, mp_obj_t value, mp_print_kind_t kind)
{
    output out = {buffer, false};
    mp_print_ext_t print = {{&out, write_text}, ",", ":"};
    nlr_buf_t nlr;
    if (nlr_push(&nlr) != 0) {
        hs_script_buffer_free(buffer);
        nlr_jump(nlr.ret_val);
    }
    mp_obj_print_helper(&print.base, value, kind);
    nlr_pop();
    return !out.full;
}

/* json.loads, found directly rather than through __import__, which scripts can replace. */
mp_obj_t pyjson_loads(const char *text, size_t length)
{
    mp_obj_t loads = mp_load_attr(mp_module_get_builtin(MP_QSTR_json, true), MP_QSTR_loads);
    return mp_call_function_1(loads, mp_obj_new_str(text, length));
}
