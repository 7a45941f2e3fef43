# The differential fuzzer's interpreter for CPython: runs programs of steps
# (test/diff/steps.md) over Python's socket module, one program per line of
# stdin ({"tmp": dir, "steps": [...]}), and writes one line per step
# ({"i": index, "r": result}) and {"end": true} after the last, so that the
# side that runs them can tell which step hung.
#
# test/diff/interp.cjs is the same interpreter over bsdsock: the two must stay
# step for step alike, each in its own language.

import array
import asyncio
import errno
import io
import json
import os
import re
import selectors
import select
import signal
import socket
import struct
import subprocess
import sys
import time


class NoSuch(Exception):
    """A step names a slot that holds nothing: the same outcome on both sides."""


class Deadline(Exception):
    """An asyncio step that did not end within AIO_DEADLINE: reported alike on both sides, never generated."""


# Seconds an asyncio step may take (run.mjs's step limit is longer).
AIO_DEADLINE = 2

# Turns of the event loop after each step of a program with streams: enough for a transport to read what has
# arrived, then the end of the stream, and to finish closing (connection_lost comes a turn after).
SETTLE_TURNS = 5

# Turns of the loop at most, after those, while a datagram transport that reads has datagrams waiting: asyncio
# reads one at each readiness, so a queue of many takes as many turns.
DGRAM_TURNS = 64

# An address in an error message (asyncio's "Connect call failed ('127.0.0.1', 40000)"): its port is named.
ADDRESS_IN_MESSAGE = re.compile(r"\('([0-9a-f.:]+)', (\d+)")

# An fd in a socket's repr (open_connection's "A Stream Socket was expected, got <socket.socket fd=5, ...>"),
# and an autobind address there (b'\x0054bdb'): named as in addresses.
FD_IN_MESSAGE = re.compile(r"fd=\d+")
ABSTRACT_IN_MESSAGE = re.compile(r"b'\\x00([0-9a-f]{5})'")


def payload(n, seed):
    """n bytes of printable ASCII with a newline every 16th byte."""
    return bytes(10 if (seed + i) % 16 == 15 else 97 + (seed + i) % 26 for i in range(n))


def const(name):
    return getattr(socket, name)


def flags_of(names):
    f = 0
    for name in names or []:
        f |= const(name)
    return f


class Program:
    def __init__(self, tmp):
        self.tmp = tmp
        self.socks = {}
        self.files = {}
        self.fds = []
        self.names = {}
        self.protocol = 'tcp'
        self.addrs = {}
        self.signals = 0
        self.sent = 0
        self.helpers = []
        # The program's epoll object (epoll_new), or None.
        self.epoll = None
        # The program's asyncio event loop, made at its first aio_ or st_ step.
        self.loop = None
        # Stream slots: (reader, writer) of st_open; every writer ever made, to abort at the end.
        self.streams = {}
        self.writers = []
        # Datagram transport slots: (transport, Recorder) of dg_open; every transport ever made, to abort at the end.
        self.dgrams = {}
        self.dg_transports = []
        # How many events the datagram protocols were told, all told.
        self.dg_events = 0

    # Values as both interpreters report them.

    def port(self, p, host):
        # Named within its space: the same number in another family or protocol is another port, which the
        # kernel may hand out at the same time (two connects to different listeners, a TCP and a UDP socket).
        return 0 if p == 0 else self.ephemeral('port', '%s %s %d' % ('v6' if ':' in host else 'v4', self.protocol, p))

    def ephemeral(self, kind, value):
        """A name the kernel picked (a port, an autobind address), named by order of appearance."""
        key = (kind, value)
        if key not in self.names:
            self.names[key] = '%s%d' % (kind, sum(1 for k in self.names if k[0] == kind))
        return self.names[key]

    def addr(self, a):
        if isinstance(a, tuple):
            return [a[0], self.port(a[1], a[0])] + list(a[2:])
        if isinstance(a, str) and a.startswith(self.tmp):
            return '$TMP' + a[len(self.tmp):]
        if isinstance(a, (bytes, bytearray)):
            return self.ephemeral('abstract', bytes(a).hex())
        return a

    def extra(self, v, name):
        # The socket (a TransportSocket) as its repr, its fd and ports named; an address as addr() gives it.
        return self.ports_in(repr(v).replace(self.tmp, '$TMP')) if name == 'socket' else self.addr(v)

    def ports_in(self, msg):
        msg = FD_IN_MESSAGE.sub('fd=N', msg)
        msg = ABSTRACT_IN_MESSAGE.sub(lambda m: self.ephemeral('abstract', (b'\0' + m.group(1).encode()).hex()), msg)
        return ADDRESS_IN_MESSAGE.sub(lambda m: "('%s', %s" % (m.group(1), self.port(int(m.group(2)), m.group(1))), msg)

    def value(self, v):
        if isinstance(v, (bytes, bytearray, memoryview)):
            return {'hex': bytes(v).hex()}
        if isinstance(v, str):
            return {'str': v}
        if isinstance(v, (tuple, list)):
            return [self.value(x) for x in v]
        return v

    # Slots.

    def sock(self, s):
        if s not in self.socks:
            raise NoSuch('socket slot %d' % s)
        return self.socks[s]

    def put(self, s, sock):
        old = self.socks.get(s)
        if old is not None:
            old.close()
        self.socks[s] = sock

    def file(self, m):
        if m not in self.files:
            raise NoSuch('file slot %d' % m)
        return self.files[m]

    def fd(self, f):
        if f >= len(self.fds) or self.fds[f] is None:
            raise NoSuch('fd slot %d' % f)
        return self.fds[f]

    def address(self, step):
        a = step['addr']
        kind = a['kind']
        if kind == 'inet':
            return ('127.0.0.1', 0)
        if kind == 'inet6':
            return ('::1', 0)
        if kind == 'unix':
            return os.path.join(self.tmp, a['name'])
        return self.address_of(a['t'])

    def named(self, step):
        """The address of slot t's socket, its host replaced by the step's `host` unless None (a name both sides resolve)."""
        a = self.address_of(step['t'])
        if step.get('host') is not None:
            a = (step['host'],) + tuple(a[1:])
        return a

    def address_of(self, t):
        """Where slot t's socket is bound, as last seen after a step."""
        if t not in self.addrs:
            raise NoSuch('address of slot %d' % t)
        return self.addrs[t]

    def note_addresses(self):
        """After each step: the address of each slot's socket, while it has one."""
        for t, sock in self.socks.items():
            try:
                self.addrs[t] = sock.getsockname()
            except OSError:
                pass

    def close_all(self):
        # Each stream's transport first, so that it lets its socket go before the socket closes.
        for writer in self.writers:
            writer.transport.abort()
        for t in self.dg_transports:
            t.abort()
        if self.writers or self.dg_transports:
            self.settle()
        for f in self.files.values():
            try:
                f.close()
            except Exception:
                pass
        for s in self.socks.values():
            s.close()
        if self.epoll is not None:
            self.epoll.close()
        if self.loop is not None:
            self.loop.close()
        for fd in self.fds:
            if fd is not None:
                os.close(fd)
        # No signal of this program may reach the next.
        self.wait_signals()

    # Steps.

    def run(self, step):
        op = step['op']
        s = step.get('s')
        # The protocol of the ports this step reports: its socket's (a stream's socket is TCP).
        sock = self.socks.get(s) if 'w' not in step else None
        self.protocol = 'udp' if sock is not None and sock.type == socket.SOCK_DGRAM else 'tcp'
        if op == 'socket':
            self.put(s, socket.socket(const(step['family']), const(step['type'])))
            return None
        if op == 'socketpair':
            a, b = socket.socketpair(const(step['family']), const(step['type']))
            self.put(s, a)
            self.put(step['t'], b)
            return None
        if op == 'bind':
            return self.sock(s).bind(self.address(step))
        if op == 'listen':
            return self.sock(s).listen(step['backlog'])
        if op == 'connect':
            return self.sock(s).connect(self.named(step))
        if op == 'connect_ex':
            return self.sock(s).connect_ex(self.named(step))
        if op == 'accept':
            conn, a = self.sock(s).accept()
            self.put(step['into'], conn)
            return self.addr(a)
        if op == 'send':
            return self.sock(s).send(payload(step['n'], step['seed']), flags_of(step['flags']))
        if op == 'sendall':
            return self.sock(s).sendall(payload(step['n'], step['seed']), flags_of(step['flags']))
        if op == 'sendto':
            return self.sock(s).sendto(payload(step['n'], step['seed']), flags_of(step['flags']), self.named(step))
        if op == 'sendmsg':
            buffers = [payload(n, step['seed'] + i) for i, n in enumerate(step['sizes'])]
            anc = []
            if step.get('fds'):
                fds = [self.sock(x).fileno() for x in step['fds']]
                anc.append((socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', fds).tobytes()))
            to = None if step.get('t') is None else self.address_of(step['t'])
            if to is None:
                return self.sock(s).sendmsg(buffers, anc, flags_of(step['flags']))
            return self.sock(s).sendmsg(buffers, anc, flags_of(step['flags']), to)
        if op == 'recv':
            return self.value(self.sock(s).recv(step['n'], flags_of(step['flags'])))
        if op == 'recvfrom':
            data, a = self.sock(s).recvfrom(step['n'], flags_of(step['flags']))
            return [self.value(data), self.addr(a)]
        if op == 'recv_into':
            buf = bytearray(step['size'])
            n = self.sock(s).recv_into(buf, step['nbytes'], flags_of(step['flags']))
            return [n, self.value(buf)]
        if op == 'recvfrom_into':
            buf = bytearray(step['size'])
            n, a = self.sock(s).recvfrom_into(buf, step['nbytes'], flags_of(step['flags']))
            return [n, self.value(buf), self.addr(a)]
        if op == 'recvmsg':
            data, anc, flags, a = self.sock(s).recvmsg(step['n'], step['anc'], flags_of(step['flags']))
            return [self.value(data), [self.ancillary(x) for x in anc], flags, self.addr(a)]
        if op == 'recvmsg_into':
            bufs = [bytearray(n) for n in step['sizes']]
            n, anc, flags, a = self.sock(s).recvmsg_into(bufs, step['anc'], flags_of(step['flags']))
            return [n, [self.value(b) for b in bufs], [self.ancillary(x) for x in anc], flags, self.addr(a)]
        if op == 'sendmmsg':
            return self.sendmmsg(self.sock(s), step)
        if op == 'recvmmsg':
            return self.recvmmsg(self.sock(s), step)
        if op == 'recvmmsg_into':
            return self.recvmmsg_into(self.sock(s), step)
        if op == 'setblocking':
            return self.sock(s).setblocking(step['flag'])
        if op == 'settimeout':
            return self.sock(s).settimeout(step['t'])
        if op == 'gettimeout':
            return self.sock(s).gettimeout()
        if op == 'getblocking':
            return self.sock(s).getblocking()
        if op == 'setsockopt':
            v = step['value']
            v = bytes.fromhex(v['hex']) if isinstance(v, dict) else v
            return self.sock(s).setsockopt(const(step['level']), const(step['name']), v)
        if op == 'getsockopt':
            if step.get('buflen'):
                return self.value(self.sock(s).getsockopt(const(step['level']), const(step['name']), step['buflen']))
            return self.sock(s).getsockopt(const(step['level']), const(step['name']))
        if op == 'dup':
            self.put(step['into'], self.sock(s).dup())
            return None
        if op == 'detach':
            fd = self.sock(s).detach()
            if fd < 0:
                return fd
            self.fds.append(fd)
            return 'fd'
        if op == 'close':
            return self.sock(s).close()
        if op == 'fileno':
            fd = self.sock(s).fileno()
            return 'fd' if fd >= 0 else fd
        if op == 'fromfd':
            self.put(step['into'], socket.fromfd(self.sock(s).fileno(), const(step['family']), const(step['type'])))
            return None
        if op == 'adopt':
            fd = self.fd(step['f'])
            sock = socket.socket(fileno=fd)
            self.fds[step['f']] = None
            self.put(step['into'], sock)
            return [sock.family, sock.type]
        if op == 'closefd':
            fd = self.fd(step['f'])
            self.fds[step['f']] = None
            return os.close(fd)
        if op == 'shutdown':
            return self.sock(s).shutdown(const(step['how']))
        if op == 'getsockname':
            return self.addr(self.sock(s).getsockname())
        if op == 'getpeername':
            return self.addr(self.sock(s).getpeername())
        if op == 'makefile':
            # The new file takes the slot before the old one closes (see interp.cjs).
            f = self.sock(s).makefile(step['mode'], step['buffering'])
            old = self.files.get(step['m'])
            self.files[step['m']] = f
            if old is not None:
                old.close()
            return None
        if op == 'fread':
            f = self.file(step['m'])
            return self.value(f.read(step['n']))
        if op == 'freadline':
            return self.value(self.file(step['m']).readline())
        if op == 'fwrite':
            f = self.file(step['m'])
            data = payload(step['n'], step['seed'])
            return f.write(data.decode() if isinstance(f, io.TextIOBase) else data)
        if op == 'fflush':
            return self.file(step['m']).flush()
        if op == 'fclose':
            return self.file(step['m']).close()
        if op == 'select':
            r, w, x = select.select([self.sock(t) for t in step['r']], [self.sock(t) for t in step['w']], [], 0)
            return [self.slots(r), self.slots(w), self.slots(x)]
        if op == 'poll':
            p = select.poll()
            fds = {}
            for t, mask in step['regs']:
                fds[self.sock(t).fileno()] = t
                p.register(self.sock(t), mask)
            return sorted([fds[fd], ev] for fd, ev in p.poll(0))
        if op == 'selector':
            with selectors.DefaultSelector() as sel:
                for t, events in step['regs']:
                    sel.register(self.sock(t), events, t)
                return sorted([key.data, ev] for key, ev in sel.select(0))
        if op == 'sendfile':
            name = os.path.join(self.tmp, 'sendfile')
            with open(name, 'wb') as f:
                f.write(payload(step['n'], step['seed']))
            with open(name, 'rb') as f:
                sent = self.sock(step['s']).sendfile(f, step['offset'], step['count'])
                return [sent, len(f.read())]
        if op == 'epoll_new':
            if self.epoll is not None:
                self.epoll.close()
            self.epoll = select.epoll()
            return None
        if op == 'epoll_ctl':
            ep = self.epoll_object()
            if step['how'] == 'unregister':
                return ep.unregister(self.sock(step['s']))
            return getattr(ep, step['how'])(self.sock(step['s']), step['mask'])
        if op == 'epoll_poll':
            return sorted([self.slot_of_fd(fd), ev] for fd, ev in self.epoll_object().poll(0, step['maxevents']))
        if op == 'epoll_close':
            return self.epoll_object().close()
        if op == 'sig_install':
            signal.signal(signal.SIGUSR1, self.on_signal)
            return None
        if op == 'setdefaulttimeout':
            return socket.setdefaulttimeout(step['t'])
        if op == 'getdefaulttimeout':
            return socket.getdefaulttimeout()
        if op == 'sig_raise':
            self.sent += 1
            os.kill(os.getpid(), signal.SIGUSR1)
            return None
        if op == 'sig_later':
            self.sent += 1
            self.helpers.append(subprocess.Popen(['sh', '-c', 'sleep %s; kill -USR1 %d' % (step['ms'] / 1000, os.getpid())]))
            return None
        if op == 'sig_count':
            return self.wait_signals()
        if op.startswith('aio_'):
            return self.run_aio(op, step)
        if op.startswith('st_'):
            return self.run_stream(op, step)
        if op.startswith('dg_'):
            return self.run_dgram(op, step)
        raise NoSuch('op ' + op)

    # bsdsock's batched datagram calls, which Python lacks, as the loops they stand for (steps.md).

    def sendmmsg(self, sock, step):
        """sendmmsg(2): every address converted first, then each message in order (send, or sendto its
        address) until one fails; how many were sent, or the first one's error."""
        msgs = [(payload(x['n'], x['seed']), None if x['t'] is None else self.address_of(x['t'])) for x in step['msgs']]
        flags = flags_of(step['flags'])
        converted(sock, [to for _, to in msgs if to is not None])
        if not msgs:
            return batch_checked(sock, 0)
        sent = 0
        for data, to in msgs:
            try:
                if to is None:
                    sock.send(data, flags)
                else:
                    sock.sendto(data, flags, to)
            except OSError:
                if sent == 0:
                    raise
                break
            sent += 1
        return sent

    def recvmmsg(self, sock, step):
        """recvmmsg(2) as bsdsock makes it: a recvfrom as the socket's mode says, then recvfroms that do not
        wait, until count or one fails; the data as far as bufsize holds it."""
        count, size = step['count'], step['bufsize']
        if count < 0:
            raise ValueError('negative count in recvmmsg()')
        if size < 0:
            raise ValueError('negative buffersize in recvmmsg()')
        got = batch(sock, count, flags_of(step['flags']), lambda i, f: sock.recvfrom(size, f))
        return [[self.value(data[:size]), self.addr(a)] for data, a in got]

    def recvmmsg_into(self, sock, step):
        """recvmmsg(2) into one buffer per datagram, as recvmmsg: recvfrom_into each buffer in turn."""
        bufs = [bytearray(n) for n in step['sizes']]
        got = batch(sock, len(bufs), flags_of(step['flags']), lambda i, f: sock.recvfrom_into(bufs[i], 0, f))
        return [[[n, self.value(bufs[i])], self.addr(a)] for i, (n, a) in enumerate(got)]

    def event_loop(self):
        """The program's event loop, in debug mode: only that checks that the socket is non-blocking (bsdsock always does)."""
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
            self.loop.set_debug(True)
            # Debug mode also logs callbacks slower than this to stderr: noise, however slow the machine.
            self.loop.slow_callback_duration = 3600
        return self.loop

    def aio(self, coro):
        """Runs one asyncio operation to its end on the program's loop, AIO_DEADLINE at most."""
        loop = self.event_loop()
        task = loop.create_task(coro)
        loop.run_until_complete(asyncio.wait([task], timeout=AIO_DEADLINE))
        if not task.done():
            task.cancel()
            loop.run_until_complete(asyncio.wait([task]))
            raise Deadline('step deadline')
        return task.result()

    def run_aio(self, op, step):
        loop = self.event_loop()
        sock = self.sock(step['s'])
        if op == 'aio_recv':
            return self.value(self.aio(loop.sock_recv(sock, step['n'])))
        if op == 'aio_recv_into':
            # sock_recv_into has no nbytes: it gets a view of the buffer's first nbytes (0: all of it).
            buf = bytearray(step['size'])
            n = self.aio(loop.sock_recv_into(sock, memoryview(buf)[:step['nbytes'] or step['size']]))
            return [n, self.value(buf)]
        if op == 'aio_recvfrom':
            data, a = self.aio(loop.sock_recvfrom(sock, step['n']))
            return [self.value(data), self.addr(a)]
        if op == 'aio_recvfrom_into':
            buf = bytearray(step['size'])
            n, a = self.aio(loop.sock_recvfrom_into(sock, buf, step['nbytes']))
            return [n, self.value(buf), self.addr(a)]
        if op == 'aio_sendall':
            return self.aio(loop.sock_sendall(sock, payload(step['n'], step['seed'])))
        if op == 'aio_sendto':
            return self.aio(loop.sock_sendto(sock, payload(step['n'], step['seed']), self.named(step)))
        if op == 'aio_accept':
            conn, a = self.aio(loop.sock_accept(sock))
            self.put(step['into'], conn)
            return self.addr(a)
        if op == 'aio_connect':
            return self.aio(loop.sock_connect(sock, self.named(step)))
        raise NoSuch('op ' + op)

    def settle(self):
        """SETTLE_TURNS turns of the loop, and more while a datagram transport has datagrams to read: the
        transports read what has arrived and finish closing."""
        async def turns():
            for _ in range(SETTLE_TURNS):
                await asyncio.sleep(0)
            if not self.dg_transports:
                return
            # Then until a turn tells the datagram protocols nothing and no datagrams wait to be read: the
            # transport sends the datagrams it kept one a turn where each fails (error_received), and says
            # resume_writing a turn after.
            for _ in range(DGRAM_TURNS):
                told = self.dg_events
                await asyncio.sleep(0)
                if self.dg_events == told and not self.datagrams_waiting():
                    break
        self.aio(turns())

    def datagrams_waiting(self):
        """Whether a datagram transport that reads has its socket readable."""
        socks = [t.get_extra_info('socket') for t in self.dg_transports if t.is_reading()]
        socks = [s for s in socks if s.fileno() >= 0]
        return bool(socks) and bool(select.select(socks, [], [], 0)[0])

    def dgram(self, d):
        if d not in self.dgrams:
            raise NoSuch('datagram slot %d' % d)
        return self.dgrams[d]

    def run_dgram(self, op, step):
        """asyncio's datagram transports: create_datagram_endpoint(sock=...) with a protocol that records."""
        if op in ('dg_open', 'dg_endpoint'):
            # Over slot s's socket, or a socket of its own connected to slot t's address.
            kw = {'sock': self.sock(step['s'])} if op == 'dg_open' else {'remote_addr': self.named(step)}
            t, p = self.aio(self.event_loop().create_datagram_endpoint(lambda: Recorder(self), **kw))
            self.dgrams[step['d']] = (t, p)
            self.dg_transports.append(t)
            return None
        t, p = self.dgram(step['d'])
        if op == 'dg_sendto':
            data = payload(step['n'], step['seed'])
            return t.sendto(data) if step['t'] is None else t.sendto(data, self.named(step))
        if op == 'dg_events':
            events, p.events = p.events, []
            return events
        if op == 'dg_pause':
            return t.pause_reading()
        if op == 'dg_resume':
            return t.resume_reading()
        if op == 'dg_is_reading':
            return t.is_reading()
        if op == 'dg_is_closing':
            return t.is_closing()
        if op == 'dg_close':
            return t.close()
        if op == 'dg_abort':
            return t.abort()
        if op == 'dg_get_extra_info':
            return self.extra(t.get_extra_info(step['name']), step['name'])
        raise NoSuch('op ' + op)

    def stream(self, w):
        if w not in self.streams:
            raise NoSuch('stream slot %d' % w)
        return self.streams[w]

    def run_stream(self, op, step):
        """asyncio's streams: StreamReader and StreamWriter of open_connection(sock=...)."""
        if op == 'st_open':
            sock = self.sock(step['s'])
            reader, writer = self.aio(asyncio.open_connection(sock=sock, limit=step['limit']))
            self.streams[step['w']] = (reader, writer)
            self.writers.append(writer)
            return None
        reader, writer = self.stream(step['w'])
        if op == 'st_read':
            return self.value(self.aio(reader.read(step['n'])))
        if op == 'st_readline':
            return self.value(self.aio(reader.readline()))
        if op == 'st_readexactly':
            return self.value(self.aio(reader.readexactly(step['n'])))
        if op == 'st_readuntil':
            return self.value(self.aio(reader.readuntil(step['sep'].encode('latin1'))))
        if op == 'st_at_eof':
            return reader.at_eof()
        if op == 'st_write':
            return writer.write(payload(step['n'], step['seed']))
        if op == 'st_writelines':
            return writer.writelines([payload(n, step['seed'] + i) for i, n in enumerate(step['sizes'])])
        if op == 'st_drain':
            return self.aio(writer.drain())
        if op == 'st_write_eof':
            return writer.write_eof()
        if op == 'st_can_write_eof':
            return writer.can_write_eof()
        if op == 'st_close':
            writer.close()
            return self.aio(writer.wait_closed())
        if op == 'st_is_closing':
            return writer.is_closing()
        if op == 'st_get_extra_info':
            return self.extra(writer.get_extra_info(step['name']), step['name'])
        raise NoSuch('op ' + op)

    def wait_signals(self):
        """Waits (2 s at most) for every signal sent to reach the handler; the count."""
        for p in self.helpers:
            p.wait()
        self.helpers = []
        deadline = time.monotonic() + 2
        while self.signals < self.sent and time.monotonic() < deadline:
            time.sleep(0.001)
        return self.signals

    def on_signal(self, signum, frame):
        self.signals += 1

    def epoll_object(self):
        if self.epoll is None:
            raise NoSuch('epoll')
        return self.epoll

    def slot_of_fd(self, fd):
        # The slot of the open socket whose fd is `fd`; -1 for an fd no slot holds open.
        for t, sock in self.socks.items():
            if sock.fileno() == fd:
                return t
        return -1

    def slots(self, socks):
        return sorted(t for t, sock in self.socks.items() if sock in socks)

    def ancillary(self, item):
        level, kind, data = item
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            n = len(data) // 4
            self.fds.extend(array.array('i', data[:4 * n]))
            return ['SCM_RIGHTS', n]
        if level == socket.SOL_SOCKET and kind == getattr(socket, 'SCM_CREDENTIALS', None) and len(data) >= 12:
            # The sender's pid is each interpreter's own: named, not compared as a number.
            pid, uid, gid = struct.unpack('iII', data[:12])
            return ['SCM_CREDENTIALS', 'self' if pid == os.getpid() else pid, uid, gid]
        return [level, kind, self.value(data)]


def converted(sock, addresses):
    """sendmmsg's first step: every address converted for the sender's family before anything is sent. Each is
    given to sendto on a closed socket of that family, which converts it (raising as sendmmsg names itself)
    and then fails with EBADF."""
    if not addresses:
        return
    probe = socket.socket(sock.family, socket.SOCK_DGRAM)
    probe.close()
    for to in addresses:
        try:
            probe.sendto(b'', to)
        except OSError as e:
            # EBADF: converted (a gaierror's errno is negative).
            if e.errno != errno.EBADF:
                raise
        except (TypeError, ValueError, OverflowError) as e:
            raise type(e)(str(e).replace('sendto()', 'sendmmsg()')) from None


def batch_checked(sock, n):
    """An empty batch makes no call, but the system call checks its fd first: a closed socket's EBADF."""
    if sock.fileno() == -1:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))
    return n


def batch(sock, count, flags, receive):
    """The results of up to count receives (receive(i, flags)): the first as the socket's mode says, raising
    its error; the rest with MSG_DONTWAIT, until one fails (EAGAIN: nothing more has arrived)."""
    if count == 0:
        return batch_checked(sock, [])
    # recvmmsg(2) reports (and clears) an error pending on the socket before it receives, as SO_ERROR does;
    # a receive of no bytes would not (a TCP recv of 0 never looks).
    pending = 0 if flags & socket.MSG_ERRQUEUE else sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if pending:
        raise OSError(pending, os.strerror(pending))
    got = [receive(0, flags)]
    for i in range(1, count):
        try:
            got.append(receive(i, flags | socket.MSG_DONTWAIT))
        except OSError:
            break
    return got


class Recorder(asyncio.DatagramProtocol):
    """What a datagram transport tells its protocol, for dg_events: datagrams, errors, flow control, the end."""

    def __init__(self, program):
        self.program = program
        self.events = []

    def record(self, event):
        self.events.append(event)
        self.program.dg_events += 1

    def datagram_received(self, data, addr):
        self.record(['data', self.program.value(data), self.program.addr(addr)])

    def error_received(self, exc):
        self.record(['error', error_of(self.program, exc, 'dg_events')])

    def connection_lost(self, exc):
        self.record(['lost', None if exc is None else error_of(self.program, exc, 'dg_events')])

    def pause_writing(self):
        self.record(['pause_writing'])

    def resume_writing(self):
        self.record(['resume_writing'])


# The ops whose errors' messages may name a port or an fd (a socket's repr, an address).
NAMES_PORTS = {'aio_connect', 'st_open', 'dg_open', 'dg_endpoint', 'dg_sendto', 'dg_events'}


def error_of(program, e, op=None):
    """An exception as a result: its class, errno and message (the program's directory and ports named)."""
    msg = str(e).replace(program.tmp, '$TMP')
    if op in NAMES_PORTS:
        msg = program.ports_in(msg)
    return {'e': type(e).__name__, 'errno': getattr(e, 'errno', None), 'msg': msg}


def outcome(program, step):
    try:
        return {'v': program.run(step)}
    except NoSuch as e:
        return {'e': 'NoSuch', 'errno': None, 'msg': str(e)}
    except Deadline as e:
        return {'e': 'Timeout', 'errno': None, 'msg': str(e)}
    except Exception as e:
        r = error_of(program, e, step['op'])
        # What the streams' errors carry besides their message.
        if isinstance(e, asyncio.IncompleteReadError):
            r['partial'] = program.value(e.partial)
            r['expected'] = e.expected
        if isinstance(e, asyncio.LimitOverrunError):
            r['consumed'] = e.consumed
        return r


def main():
    for line in sys.stdin:
        job = json.loads(line)
        program = Program(job['tmp'])
        for i, step in enumerate(job['steps']):
            r = outcome(program, step)
            if program.writers or program.dg_transports:
                program.settle()
            program.note_addresses()
            sys.stdout.write(json.dumps({'i': i, 'r': r}) + '\n')
            sys.stdout.flush()
        program.close_all()
        # The next program starts with no default timeout, as this one did.
        socket.setdefaulttimeout(None)
        if signal.getsignal(signal.SIGUSR1) not in (signal.SIG_DFL, None):
            signal.signal(signal.SIGUSR1, lambda signum, frame: None)
        sys.stdout.write('{"end": true}\n')
        sys.stdout.flush()


main()
