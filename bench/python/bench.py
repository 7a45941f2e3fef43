"""CPython's socket module on the three workloads.

    python3 bench.py udp  ROUNDS WARMUP       PORT   (PORT: the C UDP echo server)
    python3 bench.py bulk BYTES  WARMUP_BYTES PORT   (PORT: the C sender)
    python3 bench.py rr   ROUNDS WARMUP       PORT   (PORT: the C echo server)
    python3 bench.py gai|gai-localhost CALLS WARMUP  (getaddrinfo of 127.0.0.1 / localhost)

Prints one JSON line per result.
"""
import json
import socket
import sys
import time

import clock

MSG = b"x" * 64
HOST = "127.0.0.1"


def report(workload, unit, count, ns):
    print(json.dumps({"impl": "cpython", "workload": workload, unit: count, "ns": ns, "cpu_ns": clock.cpu_ns()}), flush=True)


def udp_rounds(s, server, rounds):
    for _ in range(rounds):
        s.sendto(MSG, server)
        data, _ = s.recvfrom(4096)
        if len(data) != 64:
            sys.exit("udp: got %d bytes" % len(data))


def bench_udp(rounds, warmup, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server = (HOST, port)
    udp_rounds(s, server, warmup)
    t0 = clock.start()
    udp_rounds(s, server, rounds)
    report("udp", "rounds", rounds, time.perf_counter_ns() - t0)
    s.close()


def bulk_once(port, nbytes, buf):
    """Ask the sender for nbytes, recv_into until EOF; returns the nanoseconds taken."""
    s = socket.socket()
    s.connect((HOST, port))
    t0 = clock.start()
    s.sendall(b"%d\n" % nbytes)
    total = 0
    while True:
        n = s.recv_into(buf)
        if n == 0:
            break
        total += n
    ns = time.perf_counter_ns() - t0
    s.close()
    if total != nbytes:
        sys.exit("bulk: received %d of %d bytes" % (total, nbytes))
    return ns


def bench_bulk(nbytes, warmup, port):
    buf = bytearray(256 * 1024)
    if warmup > 0:
        bulk_once(port, warmup, buf)
    report("bulk", "bytes", nbytes, bulk_once(port, nbytes, buf))


def rr_rounds(s, rounds):
    for _ in range(rounds):
        s.sendall(MSG)
        got = 0
        while got < 64:
            chunk = s.recv(64 - got)
            if not chunk:
                sys.exit("rr: connection closed")
            got += len(chunk)


def bench_rr(rounds, warmup, port):
    s = socket.socket()
    s.connect((HOST, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rr_rounds(s, warmup)
    t0 = clock.start()
    rr_rounds(s, rounds)
    report("rr", "rounds", rounds, time.perf_counter_ns() - t0)
    s.close()


def gai_calls(host, calls):
    for _ in range(calls):
        socket.getaddrinfo(host, 80, socket.AF_INET, socket.SOCK_STREAM)


def bench_gai(workload, host, calls, warmup):
    gai_calls(host, warmup)
    t0 = clock.start()
    gai_calls(host, calls)
    report(workload, "calls", calls, time.perf_counter_ns() - t0)


def main(argv):
    workload = argv[1]
    count, warmup = int(argv[2]), int(argv[3])
    port = int(argv[4]) if len(argv) > 4 else 0
    if workload == "udp":
        bench_udp(count, warmup, port)
    elif workload == "bulk":
        bench_bulk(count, warmup, port)
    elif workload == "rr":
        bench_rr(count, warmup, port)
    elif workload == "gai":
        bench_gai(workload, "127.0.0.1", count, warmup)
    elif workload == "gai-localhost":
        bench_gai(workload, "localhost", count, warmup)
    else:
        sys.exit("unknown workload: " + workload)


if __name__ == "__main__":
    main(sys.argv)
