/*
 * sys.stdin, sys.stdout and sys.stderr (and their .buffer): what a script prints is captured by
 * the script protocol (hs_script_write), up to the output limit, and returned with Run's result.
 * stdin is always at end of file. MicroPython's own printing (mp_plat_print: help(),
 * micropython.mem_info()) goes to stdout, its warnings to stderr (MICROPY_ERROR_PRINTER).
 */
#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/runtime.h"
#include "py/stream.h"

#include "script.h"

typedef struct stdio_obj {
    mp_obj_base_t base;
    int fd; /* 0 stdin, 1 stdout, 2 stderr */
} stdio_obj;

static void stdio_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind)
{
    (void)kind;
    stdio_obj *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "<io.%s %d>", mp_obj_get_type_str(self_in), self->fd);
}

static mp_uint_t stdio_read(mp_obj_t self_in, void *buffer, mp_uint_t size, int *error)
{
    (void)buffer;
    (void)size;
    stdio_obj *self = MP_OBJ_TO_PTR(self_in);
    if (self->fd != 0) {
        *error = MP_EPERM;
        return MP_STREAM_ERROR;
    }
    return 0;
}

static mp_uint_t stdio_write(mp_obj_t self_in, const void *buffer, mp_uint_t size, int *error)
{
    stdio_obj *self = MP_OBJ_TO_PTR(self_in);
    if (self->fd == 0) {
        *error = MP_EPERM;
        return MP_STREAM_ERROR;
    }
    hs_script_write(self->fd == 2 ? HS_SCRIPT_STDERR : HS_SCRIPT_STDOUT, buffer, size);
    return size;
}

static mp_uint_t stdio_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *error)
{
    (void)self_in;
    (void)arg;
    if (request == MP_STREAM_CLOSE || request == MP_STREAM_FLUSH) {
        return 0;
    }
    *error = MP_EINVAL;
    return MP_STREAM_ERROR;
}

static const mp_stream_p_t text_stream = {
    .read = stdio_read,
    .write = stdio_write,
    .ioctl = stdio_ioctl,
    .is_text = true,
};

static const mp_stream_p_t binary_stream = {
    .read = stdio_read,
    .write = stdio_write,
    .ioctl = stdio_ioctl,
    .is_text = false,
};

static const mp_rom_map_elem_t buffer_locals_table[] = {
    {MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&mp_stream_read_obj)},
    {MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&mp_stream_readinto_obj)},
    {MP_ROM_QSTR(MP_QSTR_readline), MP_ROM_PTR(&mp_stream_unbuffered_readline_obj)},
    {MP_ROM_QSTR(MP_QSTR_readlines), MP_ROM_PTR(&mp_stream_unbuffered_readlines_obj)},
    {MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&mp_stream_write_obj)},
    {MP_ROM_QSTR(MP_QSTR_flush), MP_ROM_PTR(&mp_stream_flush_obj)},
    {MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mp_identity_obj)},
    {MP_ROM_QSTR(MP_QSTR___enter__), MP_ROM_PTR(&mp_identity_obj)},
    {MP_ROM_QSTR(MP_QSTR___exit__), MP_ROM_PTR(&mp_stream___exit___obj)},
};
static MP_DEFINE_CONST_DICT(buffer_locals, buffer_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(buffer_type, MP_QSTR_FileIO, MP_TYPE_FLAG_ITER_IS_STREAM, print, stdio_print,
                                protocol, &binary_stream, locals_dict, &buffer_locals);

static const stdio_obj buffers[3] = {{{&buffer_type}, 0}, {{&buffer_type}, 1}, {{&buffer_type}, 2}};

/* The text streams: the buffer's methods plus .buffer, which names the stream's own buffer. */
static void stdio_attr(mp_obj_t self_in, qstr attribute, mp_obj_t *destination)
{
    stdio_obj *self = MP_OBJ_TO_PTR(self_in);
    if (destination[0] == MP_OBJ_NULL && attribute == MP_QSTR_buffer) {
        destination[0] = MP_OBJ_FROM_PTR(&buffers[self->fd]);
    } else {
        destination[1] = MP_OBJ_SENTINEL;
    }
}

static MP_DEFINE_CONST_OBJ_TYPE(text_type, MP_QSTR_TextIOWrapper, MP_TYPE_FLAG_ITER_IS_STREAM, print, stdio_print,
                                protocol, &text_stream, attr, stdio_attr, locals_dict, &buffer_locals);

const stdio_obj mp_sys_stdin_obj = {{&text_type}, 0};
const stdio_obj mp_sys_stdout_obj = {{&text_type}, 1};
const stdio_obj mp_sys_stderr_obj = {{&text_type}, 2};

mp_uint_t mp_hal_stdout_tx_strn(const char *text, size_t length)
{
    hs_script_write(HS_SCRIPT_STDOUT, text, length);
    return length;
}

void mp_hal_stdout_tx_strn_cooked(const char *text, size_t length)
{
    hs_script_write(HS_SCRIPT_STDOUT, text, length);
}

static void stderr_write(void *data, const char *text, size_t length)
{
    (void)data;
    hs_script_write(HS_SCRIPT_STDERR, text, length);
}

const mp_print_t mp_stderr_print = {NULL, stderr_write};
