/*
 * The bulk sender, the same for every implementation: listens on 127.0.0.1 at
 * an ephemeral port and prints the port. For each connection it reads a request
 * line holding a byte count, sends that many bytes in 64 KiB send() calls
 * (sendall), then closes. Runs until killed.
 */
#include "common.h"

#define CHUNK (64 * 1024)

/* Reads the request line "BYTES\n". Returns -1 if the peer went away. */
static long long read_request(int fd)
{
    char line[32];
    size_t len = 0;
    while (len < sizeof line - 1) {
        ssize_t n = recv(fd, line + len, 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    return strtoll(line, NULL, 10);
}

static void send_bytes(int fd, long long bytes, const char *chunk)
{
    while (bytes > 0) {
        size_t len = bytes < CHUNK ? (size_t)bytes : CHUNK;
        if (send_all(fd, chunk, len) < 0) {
            perror("sender: send");
            return;
        }
        bytes -= (long long)len;
    }
}

int main(void)
{
    static char chunk[CHUNK];
    memset(chunk, 'x', sizeof chunk);
    signal(SIGPIPE, SIG_IGN);
    int listener = listen_and_print_port();
    for (;;) {
        int fd = accept_one(listener);
        long long bytes = read_request(fd);
        if (bytes > 0)
            send_bytes(fd, bytes, chunk);
        close(fd);
    }
}
