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
 * And the event-loop floor's few real functions (bench/floor/loop.js): the
 * least any addon on Node's event loop can do per request/response.
 *
 *   connectTo(port, type) -> fd   a non-blocking socket of that type connected to 127.0.0.1:port
 *                                 (TCP_NODELAY for a stream)
 *   bound(type) -> fd             a non-blocking socket of that type bound to 127.0.0.1 (a port of its own)
 *   portOf(fd) -> port            the port it is bound to
 *   send(fd, buf), recv(fd, buf)  the syscall itself: its count, or -errno
 *   sendto(fd, buf, port)         sendto(2) to 127.0.0.1:port: its count, or -errno
 *   recvfrom(fd, buf)             recvfrom(2), the sender's address taken (and dropped): its count, or -errno
 *   listener() -> fd              a non-blocking TCP socket listening on 127.0.0.1 (a port of its own)
 *   accept(fd) -> fd              accept4(2): a non-blocking connection with TCP_NODELAY, or -errno
 *   watch(fd, callback)           a uv_poll handle watching fd for reading, level-triggered,
 *                                 calling callback() through napi_make_callback
 *   unwatch(fd)                   stops and closes fd's handle, then closes fd
 *   watchEcho(fd, callback)       a uv_poll handle that, at each readiness, receives in C, calls
 *                                 callback() through napi_make_callback, and sends the bytes back
 *                                 in C; at EOF it closes the handle and fd: the one crossing per
 *                                 message that any design on Node's loop must make
 *
 * Built by bench/run.js with cc against Node's own node_api.h and uv.h (no
 * node-gyp download): cc -O2 -shared -fPIC -I<node>/include/node floor.c -o floor.node
 */
#define _GNU_SOURCE /* accept4 */
#define NAPI_VERSION 8
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

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
    napi_is_arraybuffer(env, v, &is);
    if (is) {
        void *data;
        size_t length;
        napi_get_arraybuffer_info(env, v, &data, &length);
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

/* ---- the event-loop floor ---- */

static int32_t int_arg(napi_env env, napi_value v)
{
    int32_t n = -1;
    napi_get_value_int32(env, v, &n);
    return n;
}

static napi_value int_result(napi_env env, int64_t n)
{
    napi_value result;
    napi_create_int64(env, n, &result);
    return result;
}

/* 127.0.0.1:port */
static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    return sa;
}

static napi_value connect_to(napi_env env, napi_callback_info info)
{
    size_t argc = 2;
    napi_value argv[2];
    napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
    struct sockaddr_in sa = loopback(int_arg(env, argv[0]));
    int type = int_arg(env, argv[1]), one = 1, fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        (type == SOCK_STREAM && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) ||
        fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
        return int_result(env, -errno);
    return int_result(env, fd);
}

/* The call's one argument, a number. */
static int32_t only_arg(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value argv[1];
    napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
    return int_arg(env, argv[0]);
}

/* A non-blocking socket of `type` bound to 127.0.0.1 (a port of its own), or -errno. */
static int bound_fd(int type)
{
    struct sockaddr_in sa = loopback(0);
    int fd = socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        return -errno;
    return fd;
}

static napi_value bound(napi_env env, napi_callback_info info)
{
    return int_result(env, bound_fd(only_arg(env, info)));
}

static napi_value listener(napi_env env, napi_callback_info info)
{
    (void)info;
    int fd = bound_fd(SOCK_STREAM);
    if (fd >= 0 && listen(fd, 1024) < 0)
        fd = -errno;
    return int_result(env, fd);
}

static napi_value accept_fn(napi_env env, napi_callback_info info)
{
    int one = 1, fd = accept4(only_arg(env, info), NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
        return int_result(env, -errno);
    return int_result(env, fd);
}

static napi_value port_of(napi_env env, napi_callback_info info)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    if (getsockname(only_arg(env, info), (struct sockaddr *)&sa, &len) < 0)
        return int_result(env, -errno);
    return int_result(env, ntohs(sa.sin_port));
}

enum io { SEND, RECV, SENDTO, RECVFROM };

/* send(fd, buf), recv(fd, buf), sendto(fd, buf, port), recvfrom(fd, buf): the syscall on the buffer's bytes. */
static napi_value io_call(napi_env env, napi_callback_info info, enum io io)
{
    size_t argc = 3, len = 0;
    napi_value argv[3];
    void *data = NULL;
    napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
    int fd = int_arg(env, argv[0]);
    napi_get_buffer_info(env, argv[1], &data, &len);
    struct sockaddr_in to = loopback(io == SENDTO ? int_arg(env, argv[2]) : 0);
    struct sockaddr_storage from;
    socklen_t fromlen = sizeof from;
    ssize_t n = io == SEND     ? send(fd, data, len, 0)
                : io == RECV   ? recv(fd, data, len, 0)
                : io == SENDTO ? sendto(fd, data, len, 0, (struct sockaddr *)&to, sizeof to)
                               : recvfrom(fd, data, len, 0, (struct sockaddr *)&from, &fromlen);
    return int_result(env, n < 0 ? -errno : n);
}

static napi_value send_fn(napi_env env, napi_callback_info info)
{
    return io_call(env, info, SEND);
}

static napi_value recv_fn(napi_env env, napi_callback_info info)
{
    return io_call(env, info, RECV);
}

static napi_value sendto_fn(napi_env env, napi_callback_info info)
{
    return io_call(env, info, SENDTO);
}

static napi_value recvfrom_fn(napi_env env, napi_callback_info info)
{
    return io_call(env, info, RECVFROM);
}

struct watcher {
    uv_poll_t poll;
    int fd;
    napi_env env;
    napi_ref callback;
};

/* The watchers by fd, for unwatch. */
#define MAX_FD 65536
static struct watcher *watchers[MAX_FD];

static void call_back(struct watcher *w)
{
    napi_handle_scope scope;
    napi_value callback, global, result;
    napi_open_handle_scope(w->env, &scope);
    napi_get_reference_value(w->env, w->callback, &callback);
    napi_get_global(w->env, &global);
    /* make_callback runs the microtasks afterwards, as Node's own I/O callbacks do. */
    napi_make_callback(w->env, NULL, global, callback, 0, NULL, &result);
    napi_close_handle_scope(w->env, scope);
}

static void on_readable(uv_poll_t *poll, int status, int events)
{
    (void)status;
    (void)events;
    call_back(poll->data);
}

static void stop_watching(int fd);

static void on_echo(uv_poll_t *poll, int status, int events)
{
    static char buf[64 * 1024];
    struct watcher *w = poll->data;
    int fd = w->fd;
    (void)status;
    (void)events;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EAGAIN)
        return;
    if (n <= 0) {
        stop_watching(fd);
        close(fd);
        return;
    }
    call_back(w);
    if (send(fd, buf, (size_t)n, 0) != n)
        abort(); /* a 64-byte echo always fits: anything else is a broken run */
}

static napi_value start_watch(napi_env env, napi_callback_info info, uv_poll_cb cb)
{
    size_t argc = 2;
    napi_value argv[2];
    uv_loop_t *loop;
    napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
    int fd = int_arg(env, argv[0]);
    struct watcher *w = calloc(1, sizeof *w);
    if (fd < 0 || fd >= MAX_FD || w == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &w->poll, fd) != 0)
        return int_result(env, -1);
    w->env = env;
    w->fd = fd;
    w->poll.data = w;
    watchers[fd] = w;
    napi_create_reference(env, argv[1], 1, &w->callback);
    return int_result(env, uv_poll_start(&w->poll, UV_READABLE, cb));
}

static napi_value watch_fn(napi_env env, napi_callback_info info)
{
    return start_watch(env, info, on_readable);
}

static napi_value watch_echo_fn(napi_env env, napi_callback_info info)
{
    return start_watch(env, info, on_echo);
}

static void on_closed(uv_handle_t *handle)
{
    struct watcher *w = handle->data;
    napi_delete_reference(w->env, w->callback);
    free(w);
}

static void stop_watching(int fd)
{
    struct watcher *w = fd >= 0 && fd < MAX_FD ? watchers[fd] : NULL;
    if (w != NULL) {
        watchers[fd] = NULL;
        uv_poll_stop(&w->poll);
        uv_close((uv_handle_t *)&w->poll, on_closed);
    }
}

static napi_value unwatch_fn(napi_env env, napi_callback_info info)
{
    int fd = only_arg(env, info);
    stop_watching(fd);
    return int_result(env, close(fd) < 0 ? -errno : 0);
}

NAPI_MODULE_INIT()
{
    export_fn(env, exports, "connectTo", connect_to);
    export_fn(env, exports, "send", send_fn);
    export_fn(env, exports, "recv", recv_fn);
    export_fn(env, exports, "watch", watch_fn);
    export_fn(env, exports, "unwatch", unwatch_fn);
    export_fn(env, exports, "watchEcho", watch_echo_fn);
    export_fn(env, exports, "listener", listener);
    export_fn(env, exports, "accept", accept_fn);
    export_fn(env, exports, "bound", bound);
    export_fn(env, exports, "portOf", port_of);
    export_fn(env, exports, "sendto", sendto_fn);
    export_fn(env, exports, "recvfrom", recvfrom_fn);
    export_fn(env, exports, "int", ret_int);
    export_fn(env, exports, "bool", ret_bool);
    export_fn(env, exports, "str", ret_str);
    return exports;
}
