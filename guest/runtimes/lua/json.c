/* See json.h. */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"

#define MAX_DEPTH 200

typedef struct writer {
    lua_State *L;
    hs_script_buffer *json;
    int visiting; /* stack index of a table: the tables being written, for cycles */
} writer;

static void append(writer *w, const char *text, size_t length)
{
    if (!hs_script_buffer_append(w->json, text, length))
        luaL_error(w->L, "not enough memory to write JSON");
}

static void append_string(writer *w, const char *text, size_t length)
{
    if (!hs_script_buffer_append_json_string(w->json, text, length))
        luaL_error(w->L, "not enough memory to write JSON");
}

static void write_number(writer *w, int index)
{
    char text[64];
    int length;
    if (lua_isinteger(w->L, index)) {
        length = snprintf(text, sizeof text, LUA_INTEGER_FMT, (LUAI_UACINT)lua_tointeger(w->L, index));
    } else {
        double number = (double)lua_tonumber(w->L, index);
        length = isfinite(number) ? snprintf(text, sizeof text, "%.17g", number) : snprintf(text, sizeof text, "null");
    }
    append(w, text, (size_t)length);
}

/* 1..n with n the number of keys, or 0 when the table is not a sequence (the empty table is one). */
static lua_Integer sequence_length(lua_State *L, int table)
{
    lua_Integer keys = 0, largest = 0;
    lua_pushnil(L);
    while (lua_next(L, table)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
            lua_pop(L, 1);
            return -1;
        }
        lua_Integer key = lua_tointeger(L, -1);
        largest = key > largest ? key : largest;
        keys++;
    }
    return largest == keys ? keys : -1;
}

static void write_value(writer *w, int index, int depth);

static void write_key(writer *w, int index)
{
    lua_State *L = w->L;
    size_t length;
    const char *text;
    switch (lua_type(L, index)) {
    case LUA_TSTRING:
        text = lua_tolstring(L, index, &length);
        append_string(w, text, length);
        break;
    case LUA_TNUMBER:
        /* A number key as JSON writes a number: "1", "2.5". */
        lua_pushvalue(L, index);
        text = lua_tolstring(L, -1, &length);
        append_string(w, text, length);
        lua_pop(L, 1);
        break;
    default:
        luaL_error(L, "cannot convert a table key of type %s to JSON", luaL_typename(L, index));
    }
}

static void write_table(writer *w, int table, int depth)
{
    lua_State *L = w->L;
    if (depth > MAX_DEPTH)
        luaL_error(L, "cannot convert tables nested deeper than %d to JSON", MAX_DEPTH);
    luaL_checkstack(L, 6, "converting to JSON");
    lua_pushvalue(L, table);
    if (lua_rawget(L, w->visiting) != LUA_TNIL)
        luaL_error(L, "cannot convert a table that contains itself to JSON");
    lua_pop(L, 1);
    lua_pushvalue(L, table);
    lua_pushboolean(L, 1);
    lua_rawset(L, w->visiting);

    lua_Integer length = sequence_length(L, table);
    if (length >= 0) {
        append(w, "[", 1);
        for (lua_Integer i = 1; i <= length; i++) {
            if (i > 1)
                append(w, ",", 1);
            lua_rawgeti(L, table, i);
            write_value(w, lua_gettop(L), depth + 1);
            lua_pop(L, 1);
        }
        append(w, "]", 1);
    } else {
        append(w, "{", 1);
        int first = 1;
        lua_pushnil(L);
        while (lua_next(L, table)) {
            if (!first)
                append(w, ",", 1);
            first = 0;
            write_key(w, lua_gettop(L) - 1);
            append(w, ":", 1);
            write_value(w, lua_gettop(L), depth + 1);
            lua_pop(L, 1);
        }
        append(w, "}", 1);
    }

    lua_pushvalue(L, table);
    lua_pushnil(L);
    lua_rawset(L, w->visiting);
}

static void write_value(writer *w, int index, int depth)
{
    lua_State *L = w->L;
    size_t length;
    const char *text;
    switch (lua_type(L, index)) {
    case LUA_TNIL:
        append(w, "null", 4);
        break;
    case LUA_TBOOLEAN:
        lua_toboolean(L, index) ? append(w, "true", 4) : append(w, "false", 5);
        break;
    case LUA_TNUMBER:
        write_number(w, index);
        break;
    case LUA_TSTRING:
        text = lua_tolstring(L, index, &length);
        append_string(w, text, length);
        break;
    case LUA_TTABLE:
        write_table(w, index, depth);
        break;
    default:
        luaL_error(L, "cannot convert a %s to JSON", luaL_typename(L, index));
    }
}

void hs_lua_to_json(lua_State *L, int first, int count, int as_array, hs_script_buffer *json)
{
    first = lua_absindex(L, first);
    lua_newtable(L);
    writer w = {L, json, lua_gettop(L)};
    if (as_array)
        append(&w, "[", 1);
    for (int i = 0; i < count; i++) {
        if (i > 0)
            append(&w, ",", 1);
        write_value(&w, first + i, 0);
    }
    if (as_array)
        append(&w, "]", 1);
    lua_pop(L, 1);
}

typedef struct reader {
    lua_State *L;
    const char *at, *start, *end;
} reader;

static _Noreturn void syntax_error(reader *r, const char *what)
{
    luaL_error(r->L, "invalid JSON at offset %d: %s", (int)(r->at - r->start), what);
    abort(); /* luaL_error does not return */
}

static void skip_space(reader *r)
{
    while (r->at < r->end && (*r->at == ' ' || *r->at == '\t' || *r->at == '\n' || *r->at == '\r'))
        r->at++;
}

static int literal(reader *r, const char *word)
{
    size_t length = strlen(word);
    if ((size_t)(r->end - r->at) < length || memcmp(r->at, word, length) != 0)
        return 0;
    r->at += length;
    return 1;
}

static unsigned hex4(reader *r)
{
    unsigned value = 0;
    for (int i = 0; i < 4; i++, r->at++) {
        char c = r->at < r->end ? *r->at : 0;
        int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (digit < 0)
            syntax_error(r, "bad \\u escape");
        value = value * 16 + (unsigned)digit;
    }
    return value;
}

static void add_utf8(luaL_Buffer *b, unsigned code)
{
    char bytes[4];
    size_t length;
    if (code < 0x80) {
        bytes[0] = (char)code, length = 1;
    } else if (code < 0x800) {
        bytes[0] = (char)(0xC0 | code >> 6), bytes[1] = (char)(0x80 | (code & 0x3F)), length = 2;
    } else if (code < 0x10000) {
        bytes[0] = (char)(0xE0 | code >> 12), bytes[1] = (char)(0x80 | (code >> 6 & 0x3F));
        bytes[2] = (char)(0x80 | (code & 0x3F)), length = 3;
    } else {
        bytes[0] = (char)(0xF0 | code >> 18), bytes[1] = (char)(0x80 | (code >> 12 & 0x3F));
        bytes[2] = (char)(0x80 | (code >> 6 & 0x3F)), bytes[3] = (char)(0x80 | (code & 0x3F)), length = 4;
    }
    luaL_addlstring(b, bytes, length);
}

static void read_string(reader *r)
{
    luaL_Buffer b;
    luaL_buffinit(r->L, &b);
    r->at++; /* the opening quote */
    for (;;) {
        const char *run = r->at;
        while (r->at < r->end && *r->at != '"' && *r->at != '\\' && (unsigned char)*r->at >= 0x20)
            r->at++;
        luaL_addlstring(&b, run, (size_t)(r->at - run));
        if (r->at >= r->end || (unsigned char)*r->at < 0x20)
            syntax_error(r, "unterminated string");
        if (*r->at++ == '"')
            break;
        char escape = r->at < r->end ? *r->at++ : 0;
        switch (escape) {
        case '"': case '\\': case '/': luaL_addchar(&b, escape); break;
        case 'b': luaL_addchar(&b, '\b'); break;
        case 'f': luaL_addchar(&b, '\f'); break;
        case 'n': luaL_addchar(&b, '\n'); break;
        case 'r': luaL_addchar(&b, '\r'); break;
        case 't': luaL_addchar(&b, '\t'); break;
        case 'u': {
            unsigned code = hex4(r);
            if (code >= 0xD800 && code < 0xDC00 && r->end - r->at >= 6 && r->at[0] == '\\' && r->at[1] == 'u') {
                const char *back = r->at;
                r->at += 2;
                unsigned low = hex4(r);
                if (low >= 0xDC00 && low < 0xE000)
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                else
                    r->at = back;
            }
            add_utf8(&b, code >= 0xD800 && code < 0xE000 ? 0xFFFD : code);
            break;
        }
        default:
            syntax_error(r, "bad escape");
        }
    }
    luaL_pushresult(&b);
}

static void read_number(reader *r)
{
    const char *start = r->at;
    if (r->at < r->end && *r->at == '-')
        r->at++;
    while (r->at < r->end && ((*r->at >= '0' && *r->at <= '9') || *r->at == '.' || *r->at == 'e' || *r->at == 'E' ||
                              *r->at == '+' || *r->at == '-'))
        r->at++;
    char text[64];
    size_t length = (size_t)(r->at - start);
    if (length == 0 || length >= sizeof text)
        syntax_error(r, "bad number");
    memcpy(text, start, length);
    text[length] = 0;
    /* Integers of what fits in 64 bits and floats of the rest, as Lua's own reader makes them. */
    if (lua_stringtonumber(r->L, text) != length + 1)
        syntax_error(r, "bad number");
}

static void read_value(reader *r, int depth);

static void read_container(reader *r, char close, int depth)
{
    lua_State *L = r->L;
    if (depth > MAX_DEPTH)
        syntax_error(r, "nested too deeply");
    luaL_checkstack(L, 4, "reading JSON");
    lua_newtable(L);
    r->at++;
    skip_space(r);
    if (r->at < r->end && *r->at == close) {
        r->at++;
        return;
    }
    for (lua_Integer index = 1;; index++) {
        skip_space(r);
        if (close == '}') {
            if (r->at >= r->end || *r->at != '"')
                syntax_error(r, "expected a string key");
            read_string(r);
            skip_space(r);
            if (r->at >= r->end || *r->at++ != ':')
                syntax_error(r, "expected ':'");
            read_value(r, depth + 1);
            lua_rawset(L, -3);
        } else {
            read_value(r, depth + 1);
            lua_rawseti(L, -2, index);
        }
        skip_space(r);
        if (r->at < r->end && *r->at == ',') {
            r->at++;
            continue;
        }
        if (r->at < r->end && *r->at == close) {
            r->at++;
            return;
        }
        syntax_error(r, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static void read_value(reader *r, int depth)
{
    skip_space(r);
    char c = r->at < r->end ? *r->at : 0;
    if (c == '{' || c == '[')
        read_container(r, c == '{' ? '}' : ']', depth);
    else if (c == '"')
        read_string(r);
    else if (c == '-' || (c >= '0' && c <= '9'))
        read_number(r);
    else if (literal(r, "true"))
        lua_pushboolean(r->L, 1);
    else if (literal(r, "false"))
        lua_pushboolean(r->L, 0);
    else if (literal(r, "null"))
        lua_pushnil(r->L);
    else
        syntax_error(r, "unexpected character");
}

void hs_lua_from_json(lua_State *L, const char *text, size_t length)
{
    reader r = {L, text, text, text + length};
    read_value(&r, 0);
    skip_space(&r);
    if (r.at != r.end)
        syntax_error(&r, "text after the value");
}
