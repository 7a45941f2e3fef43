// The load for the concurrent echo workload, in C so that the client side is
// never the bottleneck: CLIENTS connections to 127.0.0.1:PORT, each sending a
// 1 KiB message and the next one when the whole echo is back, for SECONDS
// after a 0.5 s warm-up, driven by one epoll loop. Prints one JSON line:
// {"messages": N, "ns": T}, as bench/node/echo-clients.js does.
//
//   echo_clients PORT CLIENTS SECONDS
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG 1024

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

// Sends a whole message; the socket buffer nearly always takes 1 KiB at once.
static void send_msg(int fd, const char *msg) {
    size_t off = 0;
    while (off < MSG) {
        ssize_t n = send(fd, msg + off, MSG - off, MSG_NOSIGNAL);
        if (n > 0) off += (size_t)n;
        else if (n < 0 && errno != EAGAIN && errno != EINTR) die("send");
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: echo_clients PORT CLIENTS SECONDS\n");
        return 2;
    }
    int port = atoi(argv[1]), clients = atoi(argv[2]);
    double seconds = atof(argv[3]);
    char msg[MSG], buf[64 * 1024];
    memset(msg, 'e', sizeof msg);
    int *fds = calloc((size_t)clients, sizeof(int));
    int *got = NULL;
    int maxfd = 0;
    int ep = epoll_create1(0);
    if (ep < 0 || !fds) die("setup");
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < clients; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("connect");
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(fd, F_SETFL, O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
        fds[i] = fd;
        if (fd > maxfd) maxfd = fd;
    }
    got = calloc((size_t)maxfd + 1, sizeof(int));
    if (!got) die("calloc");
    // Every connection starts with one message in flight.
    for (int i = 0; i < clients; i++) send_msg(fds[i], msg);
    long long start = now_ns(), count_from = start + 500000000LL, until = count_from + (long long)(seconds * 1e9);
    long long messages = 0, all = 0;
    struct epoll_event events[256];
    for (;;) {
        long long t = now_ns();
        if (t >= until) break;
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
                all++;
                if (now_ns() >= count_from) messages++;
                send_msg(fd, msg);
            }
        }
    }
    printf("{\"messages\": %lld, \"ns\": %lld, \"all\": %lld}\n", messages, until - count_from, all);
    return 0;
}
