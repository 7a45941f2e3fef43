// The load for the concurrent echo workloads, in C so that the client side is
// never the bottleneck: CLIENTS connections to each server on 127.0.0.1 (one
// set of them per port), each sending a 1 KiB message and the next one when
// the whole echo is back, driven by one epoll loop.
//
//   echo_clients PORTS CLIENTS SECONDS [SLICE]
//
// PORTS is one port or several, separated by commas. The sets take turns: the
// set whose turn it is keeps its CLIENTS messages in flight for SLICE seconds
// (default: SECONDS) while the others wait, then sends no more and takes its
// last echoes back, untimed; so each set is timed for SECONDS in slices spread
// over the whole run. Servers compared in one run, a slice each in turn, meet
// the machine's slow changes of speed alike. Each set first has a 0.5 s
// warm-up, untimed. Prints one JSON line per port, in the order given:
// {"port": P, "messages": N, "ns": T, "all": A}, where N is the echoes that
// came back within the timed slices (T ns in all) and A every echo.
#include "common.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MSG 1024
#define MAX_SETS 16
#define WARMUP_NS 500000000ULL

// One server's connections and what they counted.
struct set {
    int port;
    int *fds;
    long long messages, all;
    uint64_t timed_ns;
};

static struct set sets[MAX_SETS];
static int nsets, clients, ep;
static char msg[MSG], buf[64 * 1024];
// By fd: the bytes of the current echo received so far.
static int *got;

// Sends a whole message; the socket buffer nearly always takes 1 KiB at once.
static void send_msg(int fd) {
    size_t off = 0;
    while (off < MSG) {
        ssize_t n = send(fd, msg + off, MSG - off, MSG_NOSIGNAL);
        if (n > 0) off += (size_t)n;
        else if (n < 0 && errno != EAGAIN && errno != EINTR) die("send");
    }
}

static int connect_to(int port) {
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("connect");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
    return fd;
}

// Drives set `s` for `ns` nanoseconds: every connection starts with a message
// in flight and sends the next when its echo is back; then each takes its
// last echo back. With `timed`, the echoes back within the `ns` count.
static void drive(struct set *s, uint64_t ns, int timed) {
    for (int i = 0; i < clients; i++) send_msg(s->fds[i]);
    int in_flight = clients;
    uint64_t until = now_ns() + ns;
    struct epoll_event events[256];
    while (in_flight > 0) {
        int n = epoll_wait(ep, events, 256, 100);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r <= 0) {
                if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                die("recv");
            }
            got[fd] += (int)r;
            while (got[fd] >= MSG) {
                got[fd] -= MSG;
                s->all++;
                if (now_ns() < until) {
                    if (timed) s->messages++;
                    send_msg(fd);
                } else {
                    in_flight--;
                }
            }
        }
    }
    if (timed) s->timed_ns += ns;
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: echo_clients PORT[,PORT...] CLIENTS SECONDS [SLICE]\n");
        return 2;
    }
    clients = atoi(argv[2]);
    uint64_t total = (uint64_t)(atof(argv[3]) * 1e9);
    uint64_t slice = argc == 5 ? (uint64_t)(atof(argv[4]) * 1e9) : total;
    if (clients <= 0 || total == 0 || slice == 0) {
        fprintf(stderr, "echo_clients: CLIENTS, SECONDS and SLICE must be positive\n");
        return 2;
    }
    memset(msg, 'e', sizeof msg);
    ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    int maxfd = 0;
    for (char *p = argv[1]; *p && nsets < MAX_SETS; nsets++) {
        struct set *s = &sets[nsets];
        s->port = (int)strtol(p, &p, 10);
        if (*p == ',') p++;
        s->fds = calloc((size_t)clients, sizeof(int));
        if (!s->fds) die("calloc");
        for (int i = 0; i < clients; i++) {
            s->fds[i] = connect_to(s->port);
            if (s->fds[i] > maxfd) maxfd = s->fds[i];
        }
    }
    got = calloc((size_t)maxfd + 1, sizeof(int));
    if (!got) die("calloc");
    for (int k = 0; k < nsets; k++) drive(&sets[k], WARMUP_NS, 0);
    for (int left = 1; left;) {
        left = 0;
        for (int k = 0; k < nsets; k++) {
            struct set *s = &sets[k];
            if (s->timed_ns >= total) continue;
            uint64_t ns = total - s->timed_ns < slice ? total - s->timed_ns : slice;
            drive(s, ns, 1);
            left |= s->timed_ns < total;
        }
    }
    for (int k = 0; k < nsets; k++)
        printf("{\"port\": %d, \"messages\": %lld, \"ns\": %llu, \"all\": %lld}\n", sets[k].port, sets[k].messages,
               (unsigned long long)sets[k].timed_ns, sets[k].all);
    return 0;
}
