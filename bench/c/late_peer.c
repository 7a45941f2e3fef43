/*
 * Peers that answer late, for bench:instructions (instructions.js). Under
 * valgrind the measured program runs some fifty times slower than its peer,
 * which would have answered before the program looks again: each receive would
 * find its data at once, a path the timed runs seldom take. These peers wait
 * LATE_US before each answer, longer than the measured program takes to get
 * back to its wait, so that it waits on the loop for every answer, as in the
 * timed runs.
 *
 *   late_peer tcp-echo | udp-echo   a server: binds 127.0.0.1 at an ephemeral port, prints the
 *                                   port, echoes each message LATE_US after it comes; runs until killed
 *   late_peer rr ROUNDS PORT        a client of the TCP echo server at PORT: sends 64 bytes, waits
 *                                   for them to come back, sends again LATE_US later, ROUNDS times
 */
#include "common.h"

#include <time.h>

#define LATE_US 500
#define MSG_SIZE 64

static void late(void)
{
    struct timespec t = {0, LATE_US * 1000L};
    while (nanosleep(&t, &t) < 0 && errno == EINTR)
        ;
}

static void tcp_echo(void)
{
    int listener = listen_and_print_port();
    char buf[64 * 1024];
    for (;;) {
        int fd = accept_one(listener);
        set_nodelay(fd);
        for (;;) {
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            late();
            if (send_all(fd, buf, (size_t)n) < 0)
                break;
        }
        close(fd);
    }
}

static void udp_echo(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = loopback(0);
    socklen_t len = sizeof addr;
    char data[2048];
    if (fd < 0)
        die("socket");
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
        die("bind");
    printf("%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    for (;;) {
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(fd, data, sizeof data, 0, (struct sockaddr *)&from, &flen);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("recvfrom");
        }
        late();
        if (sendto(fd, data, (size_t)n, 0, (struct sockaddr *)&from, flen) < 0)
            die("sendto");
    }
}

static void rr(long rounds, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = loopback(port);
    char msg[MSG_SIZE], back[MSG_SIZE];
    memset(msg, 'x', sizeof msg);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
        die("connect");
    set_nodelay(fd);
    for (long i = 0; i < rounds; i++) {
        if (i > 0)
            late();
        if (send_all(fd, msg, sizeof msg) < 0)
            die("send");
        for (size_t got = 0; got < sizeof back;) {
            ssize_t n = recv(fd, back + got, sizeof back - got, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                die("recv");
            got += (size_t)n;
        }
    }
    close(fd);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc == 2 && strcmp(argv[1], "tcp-echo") == 0)
        tcp_echo();
    else if (argc == 2 && strcmp(argv[1], "udp-echo") == 0)
        udp_echo();
    else if (argc == 4 && strcmp(argv[1], "rr") == 0)
        rr(atol(argv[2]), atoi(argv[3]));
    else {
        fprintf(stderr, "usage: %s tcp-echo | udp-echo | rr ROUNDS PORT\n", argv[0]);
        return 2;
    }
    return 0;
}
