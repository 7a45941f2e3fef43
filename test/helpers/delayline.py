"""A delay line between two network namespaces, for kernels without netem.

Usage: delayline.py NS_A DEV_A NS_B DEV_B DELAY_MS LOSS_PERCENT SEED

Makes a TUN device named DEV_A inside namespace NS_A and one named DEV_B inside
NS_B, then carries every IP packet written to one out of the other, each held
for DELAY_MS milliseconds and each dropped with probability LOSS_PERCENT (a
seeded generator, so a run can be repeated). It prints "ready" once both devices
exist (the caller gives them addresses and brings them up).

Lines on standard input steer it: "cut" drops every packet from then on (the
link goes silent), "stats" prints the counts as JSON. At end of input it prints
the counts and exits.
"""

import ctypes
import fcntl
import heapq
import json
import os
import random
import select
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), "setns")


def tun_in(ns, name):
    """Opens a TUN device named `name` inside namespace `ns`; the fd works from any namespace."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
    try:
        setns(there)
        try:
            fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
        finally:
            setns(home)
    finally:
        os.close(there)
        os.close(home)
    return fd


def main():
    ns_a, dev_a, ns_b, dev_b, delay_ms, loss, seed = sys.argv[1:8]
    delay = float(delay_ms) / 1000
    loss = float(loss) / 100
    rng = random.Random(int(seed))
    a = tun_in(ns_a, dev_a)
    b = tun_in(ns_b, dev_b)
    other = {a: b, b: a}
    stats = {"forwarded": 0, "dropped": 0, "cut": 0, "bytes": 0}
    cut = False
    held = []  # (due, sequence, destination fd, packet)
    seq = 0
    print("ready", flush=True)
    stdin = sys.stdin.fileno()
    while True:
        timeout = max(0.0, held[0][0] - time.monotonic()) if held else None
        ready, _, _ = select.select([a, b, stdin], [], [], timeout)
        for fd in ready:
            if fd == stdin:
                line = sys.stdin.readline()
                if not line:
                    print(json.dumps(stats), flush=True)
                    return
                if line.strip() == "cut":
                    cut = True
                elif line.strip() == "stats":
                    print(json.dumps(stats), flush=True)
                continue
            while True:
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if cut:
                    stats["cut"] += 1
                elif rng.random() < loss:
                    stats["dropped"] += 1
                else:
                    seq += 1
                    heapq.heappush(held, (time.monotonic() + delay, seq, other[fd], packet))
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, _, dest, packet = heapq.heappop(held)
            try:
                os.write(dest, packet)
                stats["forwarded"] += 1
                stats["bytes"] += len(packet)
            except OSError:
                stats["dropped"] += 1


if __name__ == "__main__":
    main()
