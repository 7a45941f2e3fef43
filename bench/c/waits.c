/*
 * The C floor of the wait workloads: one select(2), poll(2) or epoll_wait(2)
 * call at a time over 1,000 idle sockets (500 socketpairs) and one ready
 * socket (the read end of another socketpair, with a byte waiting), done the
 * way CPython's select module does it:
 *
 *   select: the fd_set is built from the list on every call, select(2) with no
 *           timeout, then the set is scanned for the ready entries;
 *   poll:   the pollfd array is built once (a poll object), poll(2) with no
 *           timeout, then scanned;
 *   epoll:  epoll_wait(2) with no timeout and maxevents FD_SETSIZE - 1.
 *
 * And wouldblock: recv(2) on a non-blocking socket with nothing to read, each
 * call failing with EAGAIN.
 *
 *   waits select|poll|epoll|wouldblock CALLS WARMUP
 *   waits select-mt|poll-mt|epoll-mt CALLS WARMUP
 *
 * The -mt workloads first start a thread that only sleeps. A process with
 * more than one thread pays more for each fd that select(2) and poll(2) look
 * at (the kernel takes a reference on each file, where a single-threaded
 * process borrows it), and every Node process has several: this is what the
 * same calls cost there.
 *
 * Prints one JSON line.
 */
#include "common.h"

#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/select.h>

#define PAIRS 500
#define WAITED (2 * PAIRS + 1)

static int fds[WAITED];
static int maxfd;

static void make_sockets(void)
{
    int sv[2];
    for (int i = 0; i < PAIRS; i++) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
            die("socketpair");
        fds[2 * i] = sv[0];
        fds[2 * i + 1] = sv[1];
    }
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        die("socketpair");
    if (send(sv[1], "x", 1, 0) != 1)
        die("send");
    fds[WAITED - 1] = sv[0];
    for (int i = 0; i < WAITED; i++)
        if (fds[i] > maxfd)
            maxfd = fds[i];
    if (maxfd >= FD_SETSIZE) {
        fprintf(stderr, "fd %d >= FD_SETSIZE\n", maxfd);
        exit(1);
    }
}

static void expect_one(int n)
{
    if (n != 1) {
        fprintf(stderr, "expected 1 ready socket, got %d\n", n);
        exit(1);
    }
}

static void select_calls(long calls)
{
    fd_set set;
    for (long c = 0; c < calls; c++) {
        FD_ZERO(&set);
        for (int i = 0; i < WAITED; i++)
            FD_SET(fds[i], &set);
        if (select(maxfd + 1, &set, NULL, NULL, NULL) < 0)
            die("select");
        int ready = 0;
        for (int i = 0; i < WAITED; i++)
            ready += FD_ISSET(fds[i], &set) != 0;
        expect_one(ready);
    }
}

static struct pollfd pfds[WAITED];

static void poll_calls(long calls)
{
    for (long c = 0; c < calls; c++) {
        int n = poll(pfds, WAITED, -1);
        if (n < 0)
            die("poll");
        int ready = 0;
        for (int i = 0; i < WAITED && ready < n; i++)
            ready += pfds[i].revents != 0;
        expect_one(ready);
    }
}

static struct epoll_event events[FD_SETSIZE - 1];

static void epoll_calls(int ep, long calls)
{
    for (long c = 0; c < calls; c++) {
        int n = epoll_wait(ep, events, FD_SETSIZE - 1, -1);
        if (n < 0)
            die("epoll_wait");
        expect_one(n);
    }
}

static void wouldblock_calls(int fd, long calls)
{
    char buf[64];
    for (long c = 0; c < calls; c++) {
        if (recv(fd, buf, sizeof buf, 0) >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            die("recv");
    }
}

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void report(const char *workload, uint64_t calls, uint64_t ns)
{
    printf("{\"impl\":\"c\",\"workload\":\"%s\",\"calls\":%llu,\"ns\":%llu,\"maxfd\":%d,\"cpu_ns\":%llu}\n",
           workload, (unsigned long long)calls, (unsigned long long)ns, maxfd, (unsigned long long)cpu_used_ns());
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s select|poll|epoll CALLS WARMUP\n", argv[0]);
        return 2;
    }
    const char *workload = argv[1];
    long calls = atol(argv[2]);
    long warmup = atol(argv[3]);
    if (strcmp(workload, "wouldblock") == 0) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
            die("socketpair");
        wouldblock_calls(sv[0], warmup);
        uint64_t t0 = start_clock();
        wouldblock_calls(sv[0], calls);
        report(workload, (uint64_t)calls, now_ns() - t0);
        return 0;
    }
    char kind[16];
    snprintf(kind, sizeof kind, "%s", workload);
    char *mt = strstr(kind, "-mt");
    if (mt != NULL && mt[3] == '\0') {
        *mt = '\0';
        pthread_t t;
        if (pthread_create(&t, NULL, sleeper, NULL) != 0)
            die("pthread_create");
    }
    make_sockets();
    uint64_t t0;
    if (strcmp(kind, "select") == 0) {
        select_calls(warmup);
        t0 = start_clock();
        select_calls(calls);
    } else if (strcmp(kind, "poll") == 0) {
        for (int i = 0; i < WAITED; i++) {
            pfds[i].fd = fds[i];
            pfds[i].events = POLLIN;
        }
        poll_calls(warmup);
        t0 = start_clock();
        poll_calls(calls);
    } else if (strcmp(kind, "epoll") == 0) {
        int ep = epoll_create1(EPOLL_CLOEXEC);
        if (ep < 0)
            die("epoll_create1");
        for (int i = 0; i < WAITED; i++) {
            struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };
            if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) < 0)
                die("epoll_ctl");
        }
        epoll_calls(ep, warmup);
        t0 = start_clock();
        epoll_calls(ep, calls);
    } else {
        fprintf(stderr, "unknown workload: %s\n", workload);
        return 2;
    }
    report(workload, (uint64_t)calls, now_ns() - t0);
    return 0;
}
