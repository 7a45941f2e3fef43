/*
 * The C floor for UDP bursts: 32 datagrams of 64 bytes from one socket to
 * another in this process, then the 32 received, again and again.
 *
 *   burst burst      DATAGRAMS WARMUP   (sendto and recvfrom, one datagram per call)
 *   burst burst-mmsg DATAGRAMS WARMUP   (one sendmmsg and recvmmsg per burst)
 *
 * Prints one JSON line per result.
 */
#include "common.h"

#define BURST 32
#define MSG_SIZE 64
#define RECV_SIZE 2048

static void report(const char *workload, uint64_t count, uint64_t ns)
{
    printf("{\"impl\":\"c\",\"workload\":\"%s\",\"datagrams\":%llu,\"ns\":%llu,\"cpu_ns\":%llu}\n", workload,
           (unsigned long long)count, (unsigned long long)ns, (unsigned long long)cpu_used_ns());
    fflush(stdout);
}

static int udp_socket(struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    socklen_t len = sizeof *addr;
    *addr = loopback(0);
    if (fd < 0)
        die("socket");
    if (bind(fd, (struct sockaddr *)addr, sizeof *addr) < 0)
        die("bind");
    if (getsockname(fd, (struct sockaddr *)addr, &len) < 0)
        die("getsockname");
    return fd;
}

static char msg[MSG_SIZE];
static char bufs[BURST][RECV_SIZE];

static void per_datagram(int a, int b, const struct sockaddr_in *to, long bursts)
{
    struct sockaddr_in from;
    socklen_t len;
    for (long i = 0; i < bursts; i++) {
        for (int j = 0; j < BURST; j++)
            if (sendto(a, msg, MSG_SIZE, 0, (const struct sockaddr *)to, sizeof *to) != MSG_SIZE)
                die("sendto");
        for (int j = 0; j < BURST; j++) {
            len = sizeof from;
            if (recvfrom(b, bufs[j], RECV_SIZE, 0, (struct sockaddr *)&from, &len) != MSG_SIZE)
                die("recvfrom");
        }
    }
}

static void batched(int a, int b, const struct sockaddr_in *to, long bursts)
{
    struct mmsghdr out[BURST], in[BURST];
    struct iovec oiov[BURST], iiov[BURST];
    struct sockaddr_in from[BURST];
    memset(out, 0, sizeof out);
    memset(in, 0, sizeof in);
    for (int j = 0; j < BURST; j++) {
        oiov[j].iov_base = msg;
        oiov[j].iov_len = MSG_SIZE;
        out[j].msg_hdr.msg_iov = &oiov[j];
        out[j].msg_hdr.msg_iovlen = 1;
        out[j].msg_hdr.msg_name = (void *)to;
        out[j].msg_hdr.msg_namelen = sizeof *to;
        iiov[j].iov_base = bufs[j];
        iiov[j].iov_len = RECV_SIZE;
        in[j].msg_hdr.msg_iov = &iiov[j];
        in[j].msg_hdr.msg_iovlen = 1;
    }
    for (long i = 0; i < bursts; i++) {
        for (int sent = 0; sent < BURST;) {
            int n = sendmmsg(a, out + sent, BURST - sent, 0);
            if (n < 0)
                die("sendmmsg");
            sent += n;
        }
        for (int got = 0; got < BURST;) {
            for (int j = got; j < BURST; j++) {
                in[j].msg_hdr.msg_name = &from[j];
                in[j].msg_hdr.msg_namelen = sizeof from[j];
            }
            int n = recvmmsg(b, in + got, BURST - got, MSG_WAITFORONE, NULL);
            if (n < 0)
                die("recvmmsg");
            got += n;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s burst|burst-mmsg DATAGRAMS WARMUP\n", argv[0]);
        return 2;
    }
    const char *workload = argv[1];
    long count = atol(argv[2]) / BURST, warmup = atol(argv[3]) / BURST;
    void (*run)(int, int, const struct sockaddr_in *, long);
    if (strcmp(workload, "burst") == 0)
        run = per_datagram;
    else if (strcmp(workload, "burst-mmsg") == 0)
        run = batched;
    else {
        fprintf(stderr, "unknown workload: %s\n", workload);
        return 2;
    }
    memset(msg, 'x', sizeof msg);
    struct sockaddr_in addr_a, addr_b;
    int a = udp_socket(&addr_a);
    int b = udp_socket(&addr_b);
    run(a, b, &addr_b, warmup);
    uint64_t t0 = start_clock();
    run(a, b, &addr_b, count);
    report(workload, (uint64_t)(count * BURST), now_ns() - t0);
    close(a);
    close(b);
    return 0;
}
