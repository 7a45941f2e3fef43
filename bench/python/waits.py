"""CPython's select module on the wait workloads: one select.select(), poll
object poll() or epoll poll() call at a time over 1,000 idle sockets (500
socketpairs) and one ready socket, no timeout (None: each call returns once
the ready one is seen). The same code as bench/bsdsock/waits.js. And
wouldblock: recv() on a non-blocking socket with nothing to read, one
BlockingIOError caught per call.

    python3 waits.py select|poll|epoll|wouldblock CALLS WARMUP

select.select() takes only fds below FD_SETSIZE (1024); a fresh python3 has
3 fds open, so the 1,002 sockets made here stay below it (checked).

Prints one JSON line.
"""
import json
import select
import socket
import sys
import time

import clock

PAIRS = 500
FD_SETSIZE = 1024


def make_sockets():
    socks = []
    for _ in range(PAIRS):
        socks.extend(socket.socketpair())
    ready, writer = socket.socketpair()
    writer.send(b"x")
    socks.append(ready)
    return socks, writer


def expect_one(n):
    if n != 1:
        sys.exit("expected 1 ready socket, got %d" % n)


def select_calls(rlist, calls):
    for _ in range(calls):
        expect_one(len(select.select(rlist, [], [], None)[0]))


def poll_calls(p, calls):
    for _ in range(calls):
        expect_one(len(p.poll(None)))


def epoll_calls(ep, calls):
    for _ in range(calls):
        expect_one(len(ep.poll(None)))


def wouldblock_calls(sock, calls):
    for _ in range(calls):
        try:
            sock.recv(64)
            sys.exit("recv returned")
        except BlockingIOError:
            pass


def wouldblock(calls, warmup):
    sock, keep = socket.socketpair()
    sock.setblocking(False)
    wouldblock_calls(sock, warmup)
    t0 = clock.start()
    wouldblock_calls(sock, calls)
    ns = time.perf_counter_ns() - t0
    print(json.dumps({"impl": "cpython", "workload": "wouldblock", "calls": calls, "ns": ns, "cpu_ns": clock.cpu_ns()}), flush=True)
    sock.close()
    keep.close()


def main(argv):
    workload, calls, warmup = argv[1], int(argv[2]), int(argv[3])
    if workload == "wouldblock":
        return wouldblock(calls, warmup)
    socks, keep = make_sockets()
    maxfd = max(s.fileno() for s in socks)
    if maxfd >= FD_SETSIZE:
        sys.exit("fd %d >= FD_SETSIZE: select.select() cannot take it" % maxfd)
    if workload == "select":
        select_calls(socks, warmup)
        t0 = clock.start()
        select_calls(socks, calls)
    elif workload == "poll":
        p = select.poll()
        for s in socks:
            p.register(s, select.POLLIN)
        poll_calls(p, warmup)
        t0 = clock.start()
        poll_calls(p, calls)
    elif workload == "epoll":
        ep = select.epoll()
        for s in socks:
            ep.register(s, select.EPOLLIN)
        epoll_calls(ep, warmup)
        t0 = clock.start()
        epoll_calls(ep, calls)
    else:
        sys.exit("unknown workload: " + workload)
    ns = time.perf_counter_ns() - t0
    print(json.dumps({"impl": "cpython", "workload": workload, "calls": calls, "ns": ns, "maxfd": maxfd, "cpu_ns": clock.cpu_ns()}), flush=True)
    for s in socks:
        s.close()
    keep.close()


if __name__ == "__main__":
    main(sys.argv)
