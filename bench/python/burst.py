"""CPython's socket module on UDP bursts: 32 datagrams of 64 bytes from one
socket to another in this process, then the 32 received, again and again
(sendto and recvfrom, one datagram per call: Python has no sendmmsg).

    python3 burst.py burst DATAGRAMS WARMUP

Prints one JSON line per result.
"""
import json
import socket
import sys
import time

import clock

BURST = 32
MSG = b"x" * 64
HOST = "127.0.0.1"


def per_datagram(a, b, to, bursts):
    for _ in range(bursts):
        for _ in range(BURST):
            a.sendto(MSG, to)
        for _ in range(BURST):
            b.recvfrom(2048)


def main(argv):
    workload, count, warmup = argv[1], int(argv[2]), int(argv[3])
    if workload != "burst":
        raise SystemExit("unknown workload: " + workload)
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind((HOST, 0))
    b.bind((HOST, 0))
    to = b.getsockname()
    per_datagram(a, b, to, warmup // BURST)
    bursts = count // BURST
    t0 = clock.start()
    per_datagram(a, b, to, bursts)
    ns = time.perf_counter_ns() - t0
    print(json.dumps({"impl": "cpython", "workload": workload, "datagrams": bursts * BURST, "ns": ns, "cpu_ns": clock.cpu_ns()}), flush=True)
    a.close()
    b.close()


if __name__ == "__main__":
    main(sys.argv)
