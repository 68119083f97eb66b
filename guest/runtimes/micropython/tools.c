/*
 * The `tools` module: `tools.<name>(...)` calls the host's tool <name> through the script protocol
 * (hs_script_call_tool). Positional arguments travel as a JSON array; keyword arguments, if any,
 * as one JSON object after them (`tools.search("q", limit=5)` sends ["q",{"limit":5}]). The
 * tool's JSON result comes back as the Python value; a tool that fails, or one the host does not
 * have, raises tools.ToolError with the host's message. Arguments json cannot encode raise
 * TypeError before the host is called. Configure also makes `tools` a builtin, so scripts need
 * no import.
 */
#include "py/objexcept.h"
#include "py/runtime.h"

#include "pyjson.h"
#include "script.h"

MP_DEFINE_EXCEPTION(ToolError, Exception)

typedef struct tool_obj {
    mp_obj_base_t base;
    qstr name;
} tool_obj;

static void tool_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind)
{
    (void)kind;
    tool_obj *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "<tool '%q'>", self->name);
}

static mp_obj_t tool_call(mp_obj_t self_in, size_t n_args, size_t n_kw, const mp_obj_t *args)
{
    tool_obj *self = MP_OBJ_TO_PTR(self_in);
    mp_obj_t arguments = mp_obj_new_list(n_args, (mp_obj_t *)args);
    if (n_kw > 0) {
        mp_obj_t keywords = mp_obj_new_dict(n_kw);
        for (size_t i = 0; i < n_kw; i++) {
            mp_obj_dict_store(keywords, args[n_args + 2 * i], args[n_args + 2 * i + 1]);
        }
        mp_obj_list_append(arguments, keywords);
    }
    if (!pyjson_is_representable(arguments)) {
        mp_raise_msg_varg(&mp_type_TypeError,
                          MP_ERROR_TEXT("arguments of tool '%q' must be JSON values (None, bool, int, finite float, "
                                        "str, list, tuple, dict with str keys)"),
                          self->name);
    }
    hs_script_buffer json = {0};
    if (!pyjson_print(&json, arguments, PRINT_JSON)) {
        hs_script_buffer_free(&json);
        mp_raise_msg(&mp_type_MemoryError, MP_ERROR_TEXT("no memory for the tool's arguments"));
    }
    size_t name_length;
    const char *name = (const char *)qstr_data(self->name, &name_length);
    const char *reply;
    size_t reply_length;
    bool ok = hs_script_call_tool(name, name_length, json.data, json.length, &reply, &reply_length);
    hs_script_buffer_free(&json);
    if (!ok) {
        mp_obj_t message = mp_obj_new_str(reply, reply_length);
        nlr_raise(mp_obj_new_exception_arg1(&mp_type_ToolError, message));
    }
    return pyjson_loads(reply, reply_length);
}

static MP_DEFINE_CONST_OBJ_TYPE(tool_type, MP_QSTR_tool, MP_TYPE_FLAG_NONE, print, tool_print, call, tool_call);

/* Any attribute of the module is a tool, except dunder names, which Python itself looks up. */
static mp_obj_t tools_getattr(mp_obj_t attribute)
{
    qstr name = mp_obj_str_get_qstr(attribute);
    size_t length;
    const byte *text = qstr_data(name, &length);
    if (length >= 2 && text[0] == '_' && text[1] == '_') {
        mp_raise_msg_varg(&mp_type_AttributeError, MP_ERROR_TEXT("module 'tools' has no attribute '%q'"), name);
    }
    tool_obj *tool = mp_obj_malloc(tool_obj, &tool_type);
    tool->name = name;
    return MP_OBJ_FROM_PTR(tool);
}
static MP_DEFINE_CONST_FUN_OBJ_1(tools_getattr_obj, tools_getattr);

/* `import tools` calls a built-in module's __init__ if it has one; without this entry it would ask
 * __getattr__, which refuses dunder names. */
static mp_obj_t tools_init(void)
{
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(tools_init_obj, tools_init);

static const mp_rom_map_elem_t tools_globals_table[] = {
    {MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_tools)},
    {MP_ROM_QSTR(MP_QSTR___init__), MP_ROM_PTR(&tools_init_obj)},
    {MP_ROM_QSTR(MP_QSTR___getattr__), MP_ROM_PTR(&tools_getattr_obj)},
    {MP_ROM_QSTR(MP_QSTR_ToolError), MP_ROM_PTR(&mp_type_ToolError)},
};
static MP_DEFINE_CONST_DICT(tools_globals, tools_globals_table);

const mp_obj_module_t tools_module = {
    .base = {&mp_type_module},
    .globals = (mp_obj_dict_t *)&tools_globals,
};

MP_REGISTER_MODULE(MP_QSTR_tools, tools_module);
