/*
 * The N-API floor: no-op functions that take their arguments as a real addon
 * function must (every number read, every buffer's and typed array's memory
 * found, every array's elements reached, every string copied out) and make
 * nothing but a result of the same shape. bench/floor/floor.js calls them with
 * bsdsock's native arguments, as often as bsdsock calls its addon.
 *
 *   int(...)   -> 0      (sendto, recvInto, select, poll, epollWait, ...)
 *   bool(...)  -> true   (sendall)
 *   str(...)   -> "127.0.0.1\n" (getaddrinfo's hosts)
 *
 * Built by bench/run.js with cc against Node's own node_api.h (no node-gyp
 * download): cc -O2 -shared -fPIC -I<node>/include/node floor.c -o floor.node
 */
#define NAPI_VERSION 8
#include <node_api.h>

static void take_value(napi_env env, napi_value v);

static void take_array(napi_env env, napi_value v)
{
    uint32_t len = 0;
    napi_get_array_length(env, v, &len);
    for (uint32_t i = 0; i < len; i++) {
        napi_value item;
        napi_get_element(env, v, i, &item);
        take_value(env, item);
    }
}

static void take_object(napi_env env, napi_value v)
{
    bool is;
    napi_is_typedarray(env, v, &is);
    if (is) {
        napi_typedarray_type type;
        size_t length, offset;
        void *data;
        napi_value buffer;
        napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset);
        return;
    }
    napi_is_array(env, v, &is);
    if (is)
        take_array(env, v);
}

static void take_value(napi_env env, napi_value v)
{
    napi_valuetype type;
    napi_typeof(env, v, &type);
    if (type == napi_number) {
        int32_t n;
        napi_get_value_int32(env, v, &n);
    } else if (type == napi_string) {
        char text[256];
        size_t len;
        napi_get_value_string_utf8(env, v, text, sizeof text, &len);
    } else if (type == napi_object) {
        take_object(env, v);
    }
}

static void take_args(napi_env env, napi_callback_info info)
{
    size_t argc = 8;
    napi_value argv[8];
    napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
    for (size_t i = 0; i < argc; i++)
        take_value(env, argv[i]);
}

static napi_value ret_int(napi_env env, napi_callback_info info)
{
    napi_value result;
    take_args(env, info);
    napi_create_int32(env, 0, &result);
    return result;
}

static napi_value ret_bool(napi_env env, napi_callback_info info)
{
    napi_value result;
    take_args(env, info);
    napi_get_boolean(env, true, &result);
    return result;
}

static napi_value ret_str(napi_env env, napi_callback_info info)
{
    napi_value result;
    take_args(env, info);
    napi_create_string_utf8(env, "127.0.0.1\n", NAPI_AUTO_LENGTH, &result);
    return result;
}

static void export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb)
{
    napi_value fn;
    napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
    napi_set_named_property(env, exports, name, fn);
}

NAPI_MODULE_INIT()
{
    export_fn(env, exports, "int", ret_int);
    export_fn(env, exports, "bool", ret_bool);
    export_fn(env, exports, "str", ret_str);
    return exports;
}
