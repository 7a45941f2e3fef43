/*
 * The C floor: the same syscalls as the other implementations, nothing more.
 *
 *   bench udp  ROUNDS WARMUP       PORT   (PORT: the UDP echo server, udp_echo.c)
 *   bench udp-dw|bulk-dw|rr-dw ...         udp, bulk and rr with bsdsock's syscalls while a signal has a listener (see `receive`)
 *   bench rr-loop ...                      rr with an event loop's syscalls (see `receive`)
 *   bench bulk BYTES  WARMUP_BYTES PORT   (PORT: the sender, sender.c)
 *   bench rr   ROUNDS WARMUP       PORT   (PORT: the echo server, echo_server.c)
 *   bench gai|gai-localhost CALLS WARMUP   (getaddrinfo of 127.0.0.1 / localhost)
 *
 * Prints one JSON line per result.
 */
#include "common.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/epoll.h>

#define MSG_SIZE 64
#define RECV_SIZE 4096
#define BULK_BUF (256 * 1024)

static void report(const char *workload, const char *unit, uint64_t count, uint64_t ns)
{
    printf("{\"impl\":\"c\",\"workload\":\"%s\",\"%s\":%llu,\"ns\":%llu,\"cpu_ns\":%llu}\n",
           workload, unit, (unsigned long long)count, (unsigned long long)ns, (unsigned long long)cpu_used_ns());
    fflush(stdout);
}

/*
 * How the receives wait. C's own way (0): a blocking call, which is also
 * bsdsock's while no signal has a listener. bsdsock's way in blocking mode
 * while one has (1, the -dw workloads): every send and receive with
 * MSG_DONTWAIT, and a receive that finds nothing reads SO_RCVTIMEO and waits in
 * poll() on the socket and the read end of a self-pipe (where bsdsock's signal handler writes),
 * then is made again, as a blocking call: what these syscalls cost, without
 * bsdsock. An event loop's way (the -loop workload, as libuv under node:net
 * and bsdsock/asyncio wait): the non-blocking socket stays registered in one
 * epoll set, and a receive that expects data it has not got waits in
 * epoll_wait first, then reads once.
 */
static int dontwait;
static int self_pipe[2];
static int loop_fd = -1;

static ssize_t receive(int fd, void *buf, size_t len, struct sockaddr *from, socklen_t *fromlen)
{
    if (loop_fd >= 0) {
        struct epoll_event ev;
        while (epoll_wait(loop_fd, &ev, 1, -1) < 0)
            if (errno != EINTR)
                die("epoll_wait");
        return recvfrom(fd, buf, len, 0, from, fromlen);
    }
    if (!dontwait)
        return recvfrom(fd, buf, len, 0, from, fromlen);
    for (int flags = MSG_DONTWAIT;; flags = 0) {
        ssize_t n = recvfrom(fd, buf, len, flags, from, fromlen);
        if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            return n;
        /* The socket's SO_RCVTIMEO, which the wait keeps, as the kernel's blocking call would. */
        struct timeval tv;
        socklen_t tvlen = sizeof tv;
        if (getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &tvlen) < 0)
            die("getsockopt");
        struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = self_pipe[0], .events = POLLIN } };
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            die("poll");
    }
}

/* ---- UDP ping-pong: one blocking socket against the echo server ---- */

static void expect_datagram(ssize_t n)
{
    if (n != MSG_SIZE) {
        fprintf(stderr, "recvfrom: got %zd bytes\n", n);
        exit(1);
    }
}

static void udp_rounds(int fd, const struct sockaddr_in *server, long rounds)
{
    char msg[MSG_SIZE], data[RECV_SIZE];
    struct sockaddr_in from;
    socklen_t len;
    memset(msg, 'x', sizeof msg);
    for (long i = 0; i < rounds; i++) {
        if (sendto(fd, msg, MSG_SIZE, dontwait ? MSG_DONTWAIT : 0, (const struct sockaddr *)server, sizeof *server) < 0)
            die("sendto");
        len = sizeof from;
        expect_datagram(receive(fd, data, RECV_SIZE, (struct sockaddr *)&from, &len));
    }
}

static void bench_udp(const char *workload, long rounds, long warmup, int port)
{
    struct sockaddr_in server = loopback(port);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        die("socket");
    udp_rounds(fd, &server, warmup);
    uint64_t t0 = start_clock();
    udp_rounds(fd, &server, rounds);
    report(workload, "rounds", (uint64_t)rounds, now_ns() - t0);
    close(fd);
}

/* ---- TCP bulk: receive BYTES from the sender into one reused buffer ---- */

static int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = loopback(port);
    if (fd < 0)
        die("socket");
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
        die("connect");
    return fd;
}

/* One connection: ask for `bytes`, recv until EOF. Returns the nanoseconds taken;
 * counts the recv calls in *calls (the floor adds one N-API crossing for each). */
static uint64_t bulk_once(int port, uint64_t bytes, char *buf, uint64_t *calls)
{
    char request[32];
    uint64_t total = 0;
    *calls = 0;
    int fd = tcp_connect(port);
    uint64_t t0 = start_clock();
    int len = snprintf(request, sizeof request, "%llu\n", (unsigned long long)bytes);
    if (send_all(fd, request, (size_t)len) < 0)
        die("send");
    for (;;) {
        ssize_t n = receive(fd, buf, BULK_BUF, NULL, NULL);
        ++*calls;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("recv");
        if (n == 0)
            break;
        total += (uint64_t)n;
    }
    uint64_t ns = now_ns() - t0;
    close(fd);
    if (total != bytes) {
        fprintf(stderr, "bulk: received %llu of %llu bytes\n",
                (unsigned long long)total, (unsigned long long)bytes);
        exit(1);
    }
    return ns;
}

static void bench_bulk(const char *workload, uint64_t bytes, uint64_t warmup, int port)
{
    char *buf = malloc(BULK_BUF);
    if (!buf)
        die("malloc");
    uint64_t calls;
    if (warmup > 0)
        bulk_once(port, warmup, buf, &calls);
    uint64_t ns = bulk_once(port, bytes, buf, &calls);
    printf("{\"impl\":\"c\",\"workload\":\"%s\",\"bytes\":%llu,\"calls\":%llu,\"ns\":%llu,\"cpu_ns\":%llu}\n",
           workload, (unsigned long long)bytes, (unsigned long long)calls, (unsigned long long)ns, (unsigned long long)cpu_used_ns());
    fflush(stdout);
    free(buf);
}

/* ---- TCP request/response: 64 bytes each way against the echo server ---- */

static void rr_rounds(int fd, long rounds)
{
    char msg[MSG_SIZE], reply[MSG_SIZE];
    memset(msg, 'x', sizeof msg);
    for (long i = 0; i < rounds; i++) {
        if (dontwait ? send(fd, msg, MSG_SIZE, MSG_DONTWAIT) != MSG_SIZE : send_all(fd, msg, MSG_SIZE) < 0)
            die("send");
        size_t got = 0;
        while (got < MSG_SIZE) {
            ssize_t n = receive(fd, reply + got, MSG_SIZE - got, NULL, NULL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                die("recv");
            got += (size_t)n;
        }
    }
}

static void bench_rr(const char *workload, long rounds, long warmup, int port)
{
    int fd = tcp_connect(port);
    set_nodelay(fd);
    if (strcmp(workload, "rr-loop") == 0) {
        struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
        if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
            die("fcntl");
        if ((loop_fd = epoll_create1(EPOLL_CLOEXEC)) < 0 || epoll_ctl(loop_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
            die("epoll");
    }
    rr_rounds(fd, warmup);
    uint64_t t0 = start_clock();
    rr_rounds(fd, rounds);
    report(workload, "rounds", (uint64_t)rounds, now_ns() - t0);
    close(fd);
}

/* ---- getaddrinfo: one call (and its freeaddrinfo) at a time ---- */

static void gai_calls(const char *host, long calls)
{
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    for (long i = 0; i < calls; i++) {
        int rc = getaddrinfo(host, "80", &hints, &res);
        if (rc != 0) {
            fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rc));
            exit(1);
        }
        freeaddrinfo(res);
    }
}

static void bench_gai(const char *workload, const char *host, long calls, long warmup)
{
    gai_calls(host, warmup);
    uint64_t t0 = start_clock();
    gai_calls(host, calls);
    report(workload, "calls", (uint64_t)calls, now_ns() - t0);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s udp|udp-dw|bulk|bulk-dw|rr|rr-dw|rr-loop|gai|gai-localhost COUNT WARMUP [PORT]\n", argv[0]);
        return 2;
    }
    const char *workload = argv[1];
    unsigned long long count = strtoull(argv[2], NULL, 10);
    unsigned long long warmup = strtoull(argv[3], NULL, 10);
    int port = argc > 4 ? atoi(argv[4]) : 0;
    size_t len = strlen(workload);
    if (len > 3 && strcmp(workload + len - 3, "-dw") == 0) {
        dontwait = 1;
        if (pipe2(self_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
            die("pipe2");
    }
    if (strcmp(workload, "udp") == 0 || strcmp(workload, "udp-dw") == 0)
        bench_udp(workload, (long)count, (long)warmup, port);
    else if (strcmp(workload, "bulk") == 0 || strcmp(workload, "bulk-dw") == 0)
        bench_bulk(workload, count, warmup, port);
    else if (strcmp(workload, "rr") == 0 || strcmp(workload, "rr-dw") == 0 || strcmp(workload, "rr-loop") == 0)
        bench_rr(workload, (long)count, (long)warmup, port);
    else if (strcmp(workload, "gai") == 0)
        bench_gai(workload, "127.0.0.1", (long)count, (long)warmup);
    else if (strcmp(workload, "gai-localhost") == 0)
        bench_gai(workload, "localhost", (long)count, (long)warmup);
    else {
        fprintf(stderr, "unknown workload: %s\n", workload);
        return 2;
    }
    return 0;
}
