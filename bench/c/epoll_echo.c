/*
 * The floor of the event-driven TCP servers: an echo server on one epoll
 * loop, as a C program written for speed would be. Listens on 127.0.0.1 at
 * an ephemeral port and prints the port; accepts every connection
 * (non-blocking, TCP_NODELAY), and on each readable one reads up to 64 KiB
 * and writes it back; what the socket does not take at once waits for
 * EPOLLOUT, and the connection is not read until it is gone. Runs until
 * killed. Level-triggered, one read per readiness, as libuv and bsdsock do.
 *
 *   epoll_echo [tcp-echo]   (the argument, which the other servers take, is ignored)
 */
#include "common.h"

#include <fcntl.h>
#include <sys/epoll.h>

#define BUF_SIZE (64 * 1024)
#define MAX_EVENTS 256

/* What a connection still has to write back. */
struct conn {
    int fd;
    char *pending;
    size_t len;
};

static int epfd;

static void watch(int op, struct conn *c, uint32_t events)
{
    struct epoll_event ev = { .events = events, .data.ptr = c };
    if (epoll_ctl(epfd, op, c->fd, &ev) < 0)
        die("epoll_ctl");
}

static void drop(struct conn *c)
{
    close(c->fd);
    free(c->pending);
    free(c);
}

static void accept_all(struct conn *listener)
{
    for (;;) {
        int fd = accept4(listener->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
                return;
            die("accept4");
        }
        set_nodelay(fd);
        struct conn *c = calloc(1, sizeof *c);
        if (!c)
            die("calloc");
        c->fd = fd;
        watch(EPOLL_CTL_ADD, c, EPOLLIN);
    }
}

/* Writes what is pending; 0 when all went, 1 when some waits, -1 on error. */
static int flush(struct conn *c)
{
    size_t done = 0;
    while (done < c->len) {
        ssize_t n = send(c->fd, c->pending + done, c->len - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n < 0)
            return -1;
        done += (size_t)n;
    }
    memmove(c->pending, c->pending + done, c->len - done);
    c->len -= done;
    return c->len > 0;
}

static void readable(struct conn *c, char *buf)
{
    ssize_t n = recv(c->fd, buf, BUF_SIZE, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        drop(c);
        return;
    }
    ssize_t sent = send(c->fd, buf, (size_t)n, MSG_NOSIGNAL);
    if (sent < 0 && errno != EAGAIN && errno != EINTR) {
        drop(c);
        return;
    }
    if (sent < 0)
        sent = 0;
    if (sent == n)
        return;
    c->pending = malloc((size_t)(n - sent));
    if (!c->pending)
        die("malloc");
    memcpy(c->pending, buf + sent, (size_t)(n - sent));
    c->len = (size_t)(n - sent);
    watch(EPOLL_CTL_MOD, c, EPOLLOUT);
}

static void writable(struct conn *c)
{
    int left = flush(c);
    if (left < 0) {
        drop(c);
    } else if (left == 0) {
        free(c->pending);
        c->pending = NULL;
        watch(EPOLL_CTL_MOD, c, EPOLLIN);
    }
}

int main(void)
{
    static char buf[BUF_SIZE];
    struct epoll_event events[MAX_EVENTS];
    struct conn listener = { 0 };
    signal(SIGPIPE, SIG_IGN);
    listener.fd = listen_and_print_port();
    if (listen(listener.fd, SOMAXCONN) < 0)
        die("listen");
    if (fcntl(listener.fd, F_SETFL, O_NONBLOCK) < 0)
        die("fcntl");
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1");
    watch(EPOLL_CTL_ADD, &listener, EPOLLIN);
    for (;;) {
        int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c == &listener)
                accept_all(c);
            else if (c->len > 0)
                writable(c);
            else
                readable(c, buf);
        }
    }
}
