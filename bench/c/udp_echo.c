/*
 * The UDP peer of the event-driven datagram workloads, the same for every
 * implementation measured against it:
 *
 *   udp_echo                                    an echo server: binds 127.0.0.1 at an ephemeral
 *                                               port, prints the port, sends every datagram back
 *                                               to its sender; runs until killed
 *   udp_echo client PORT ROUNDS WARMUP WINDOW   the load for an echo server at PORT: WINDOW
 *                                               64-byte datagrams in flight, the next one sent
 *                                               as each reply comes back; ROUNDS replies timed
 *                                               after WARMUP; prints one JSON line
 *
 * A datagram lost on the way stalls the window: the client gives up after 5 s.
 */
#include "common.h"

#include <poll.h>

#define MSG_SIZE 64

static int bound_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = loopback(0);
    if (fd < 0)
        die("socket");
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
        die("bind");
    return fd;
}

static void serve(void)
{
    int fd = bound_socket();
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    char data[2048];
    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
        die("getsockname");
    printf("%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    for (;;) {
        len = sizeof addr;
        ssize_t n = recvfrom(fd, data, sizeof data, 0, (struct sockaddr *)&addr, &len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("recvfrom");
        if (sendto(fd, data, (size_t)n, 0, (struct sockaddr *)&addr, len) < 0 && errno != EINTR)
            die("sendto");
    }
}

/* Waits for one reply (5 s at most). */
static void reply(int fd, char *data)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    for (;;) {
        int ready = poll(&p, 1, 5000);
        if (ready == 0) {
            fprintf(stderr, "udp_echo client: no reply for 5 s (a datagram lost?)\n");
            exit(1);
        }
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            die("poll");
        if (recv(fd, data, MSG_SIZE, 0) == MSG_SIZE)
            return;
        if (errno != EINTR && errno != EAGAIN)
            die("recv");
    }
}

/* `rounds` replies with `window` datagrams in flight; the window is drained at the end. */
static void rounds_of(int fd, long rounds, long window)
{
    char msg[MSG_SIZE];
    memset(msg, 'x', sizeof msg);
    long sent = 0;
    for (long got = 0; got < rounds; got++) {
        for (; sent < rounds && sent - got < window; sent++)
            if (send(fd, msg, MSG_SIZE, 0) < 0)
                die("send");
        reply(fd, msg);
    }
}

static void client(int port, long rounds, long warmup, long window)
{
    int fd = bound_socket();
    struct sockaddr_in server = loopback(port);
    if (connect(fd, (struct sockaddr *)&server, sizeof server) < 0)
        die("connect");
    rounds_of(fd, warmup, window);
    uint64_t t0 = start_clock();
    rounds_of(fd, rounds, window);
    uint64_t ns = now_ns() - t0;
    printf("{\"impl\":\"c\",\"workload\":\"udp-echo\",\"rounds\":%ld,\"ns\":%llu,\"cpu_ns\":%llu}\n", rounds,
           (unsigned long long)ns, (unsigned long long)cpu_used_ns());
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc == 1)
        serve();
    if (argc != 6 || strcmp(argv[1], "client") != 0) {
        fprintf(stderr, "usage: %s [client PORT ROUNDS WARMUP WINDOW]\n", argv[0]);
        return 2;
    }
    client(atoi(argv[2]), atol(argv[3]), atol(argv[4]), atol(argv[5]));
    return 0;
}
