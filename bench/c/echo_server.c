/*
 * The echo server, the same for every implementation so that only the client
 * differs: listens on 127.0.0.1 at an ephemeral port and prints the port, sets
 * TCP_NODELAY on each accepted connection and sends back whatever it receives
 * until EOF. One connection at a time; runs until killed.
 */
#include "common.h"

static void echo(int fd)
{
    char buf[64 * 1024];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || send_all(fd, buf, (size_t)n) < 0)
            return;
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    int listener = listen_and_print_port();
    for (;;) {
        int fd = accept_one(listener);
        set_nodelay(fd);
        echo(fd);
        close(fd);
    }
}
