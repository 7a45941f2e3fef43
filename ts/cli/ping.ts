// `bsdsock ping HOST`: ICMP echo requests and replies, as ping(8) sends and
// shows them, over a raw socket, or a Linux ping socket (SOCK_DGRAM,
// IPPROTO_ICMP) where raw sockets are not permitted. IPv4 and IPv6.
//
// Replies are read on Node's event loop (add_reader on the non-blocking
// socket); timers pace the requests.

import * as fs from 'node:fs';
import * as os from 'node:os';

import type { Inet6Address, InetAddress } from '../address';
import { add_reader, remove_reader } from '../asyncio/readers';
import * as C from '../constants';
import { BlockingIOError, OSError, PermissionError } from '../errors';
import { getaddrinfo, type AddrInfo } from '../resolver';
import { pyRepr } from '../repr';
import { socket, type Socket } from '../socket';
import { flag, integer, optionValue, positionals, seconds, UsageError, type Parsed } from './args';
import { Failure, note, out, type Command } from './command';
import { familyName } from './names';
import { echoRequest, parseReply, type EchoReply, type IpVersion } from './icmp';

const HELP = `usage: bsdsock ping HOST [-c COUNT] [-i INTERVAL] [-W TIMEOUT] [-s SIZE] [-4|-6] [--dgram]

Sends ICMP echo requests to HOST (ICMPv6 for an IPv6 address) and prints each
reply with its round-trip time, then a summary, as ping(8) does. Uses a raw
socket, or a ping socket (SOCK_DGRAM, IPPROTO_ICMP) where raw sockets are not
permitted. Ctrl-C stops it and prints the summary. Exit status 0 when any reply
came, 1 when none did.

  -c COUNT         stop after COUNT requests (default: until interrupted)
  -i INTERVAL      seconds between requests (default 1)
  -W TIMEOUT       seconds to wait for replies after the last request (default 10)
  -s SIZE          bytes of payload per request (default 56)
  -4, --ipv4       resolve HOST to an IPv4 address only
  -6, --ipv6       resolve HOST to an IPv6 address only
  --dgram          use a ping socket even where a raw socket is permitted
                   (Linux allows them to the groups of net.ipv4.ping_group_range)
`;

interface Settings {
  count: number | null;
  interval: number;
  timeout: number;
  size: number;
}

/** Bytes of IP header before the ICMP message, for the "56(84) bytes" line. */
const IP_HEADER = { 4: 20, 6: 40 } as const;

function settings(args: Parsed): Settings {
  const count = optionValue(args, 'count');
  const interval = optionValue(args, 'interval');
  const timeout = optionValue(args, 'timeout');
  const size = optionValue(args, 'size');
  return {
    count: count === undefined ? null : integer(count, 'count', 1, 2 ** 31 - 1),
    interval: interval === undefined ? 1 : seconds(interval, 'interval'),
    timeout: timeout === undefined ? 10 : seconds(timeout, 'timeout'),
    size: size === undefined ? 56 : integer(size, 'size', 0, 65507),
  };
}

/** The address to ping: the first getaddrinfo gives for `host`. */
function target(host: string, args: Parsed): [family: number, sockaddr: InetAddress | Inet6Address] {
  if (flag(args, 'ipv4') && flag(args, 'ipv6')) throw new UsageError('-4 and -6 exclude each other');
  const family = flag(args, 'ipv4') ? C.AF_INET : flag(args, 'ipv6') ? C.AF_INET6 : C.AF_UNSPEC;
  let first: AddrInfo | undefined;
  try {
    [first] = getaddrinfo(host, null, family, C.SOCK_DGRAM);
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    throw new Failure(`getaddrinfo for host ${pyRepr(host)} failed: ${e.message}`);
  }
  if (first === undefined) throw new OSError('getaddrinfo returns an empty list');
  return [first[0], first[4]];
}

/** The groups ping sockets are allowed to (Linux's net.ipv4.ping_group_range), or null where there is no such setting. */
function pingGroupRange(): string | null {
  try {
    return fs.readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().replace(/\s+/g, ' ');
  } catch {
    return null;
  }
}

/** The error of a ping socket the OS refused, with what would allow one. */
function pingSocketRefused(e: OSError, family: number, triedRaw: boolean): Failure {
  const call = `socket(${familyName(family)}, SOCK_DGRAM, ${family === C.AF_INET6 ? 'IPPROTO_ICMPV6' : 'IPPROTO_ICMP'})`;
  const lines = [`${call} failed: ${e.message}`];
  const range = pingGroupRange();
  if (e instanceof PermissionError && range !== null) {
    lines.push(
      `ping sockets are allowed only to the groups in net.ipv4.ping_group_range ('${range}' here);` +
        ` allow them with: sysctl -w net.ipv4.ping_group_range='0 2147483647'` +
        (triedRaw ? ', or give this process CAP_NET_RAW for a raw socket' : ''),
    );
  }
  return new Failure(lines.join('\n'));
}

/** A raw ICMP socket, or a ping socket where raw ones are not permitted (or `dgram` asks for it). */
function openIcmp(family: number, version: IpVersion, dgram: boolean): [sock: Socket, raw: boolean] {
  const proto = version === 4 ? C.IPPROTO_ICMP : C.IPPROTO_ICMPV6;
  if (!dgram) {
    try {
      return [socket(family, C.SOCK_RAW, proto), true];
    } catch (e) {
      if (!(e instanceof PermissionError)) throw e;
    }
  }
  try {
    return [socket(family, C.SOCK_DGRAM, proto), false];
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    throw pingSocketRefused(e, family, !dgram);
  }
}

/** Asks for the TTL / hop limit of each reply as ancillary data, where the IP header does not come with it. */
function askForTtl(sock: Socket, version: IpVersion, raw: boolean): void {
  try {
    if (version === 6) sock.setsockopt(C.IPPROTO_IPV6, C.IPV6_RECVHOPLIMIT, 1);
    else if (!raw) sock.setsockopt(C.IPPROTO_IP, C.IP_RECVTTL, 1);
  } catch (e) {
    if (!(e instanceof OSError)) throw e; // the replies just show no ttl
  }
}

const LE = os.endianness() === 'LE';

/** The TTL / hop limit carried in a reply's ancillary data. */
function ancillaryTtl(ancdata: [number, number, Buffer][]): number | null {
  for (const [level, type, data] of ancdata) {
    const ttl = (level === C.IPPROTO_IP && type === C.IP_TTL) || (level === C.IPPROTO_IPV6 && type === C.IPV6_HOPLIMIT);
    if (ttl && data.length >= 4) return LE ? data.readInt32LE(0) : data.readInt32BE(0);
  }
  return null;
}

/** Round-trip statistics in ms, as ping's summary shows them. */
function rttSummary(rtts: number[]): string {
  const n = rtts.length;
  const avg = rtts.reduce((a, b) => a + b, 0) / n;
  const mdev = Math.sqrt(Math.max(0, rtts.reduce((a, b) => a + b * b, 0) / n - avg * avg));
  const f = (x: number): string => x.toFixed(3);
  return `rtt min/avg/max/mdev = ${f(Math.min(...rtts))}/${f(avg)}/${f(Math.max(...rtts))}/${f(mdev)} ms\n`;
}

/** One ping run: the requests sent, the replies received. */
class Session {
  private readonly sent = new Map<number, bigint>();
  private readonly rtts: number[] = [];
  private transmitted = 0;
  private readonly started = process.hrtime.bigint();
  private timer: NodeJS.Timeout | null = null;
  private finish: () => void = () => {};

  constructor(
    private readonly sock: Socket,
    private readonly version: IpVersion,
    private readonly raw: boolean,
    private readonly address: InetAddress | Inet6Address,
    private readonly settings: Settings,
  ) {}

  /** The identifier of our requests: the kernel sets it to the socket's port on a ping socket. */
  private readonly id = process.pid & 0xffff;

  /** Runs until COUNT replies came, the wait after the last request ends, or SIGINT. */
  run(): Promise<void> {
    return new Promise((resolve) => {
      const stop = (): void => this.stop(resolve);
      this.finish = stop;
      process.once('SIGINT', stop);
      add_reader(this.sock, () => this.receive());
      this.send();
    });
  }

  private stop(resolve: () => void): void {
    if (this.timer !== null) clearTimeout(this.timer);
    process.removeListener('SIGINT', this.finish);
    remove_reader(this.sock);
    resolve();
  }

  private send(): void {
    const seq = ++this.transmitted;
    const packet = echoRequest(this.version, this.id, seq, this.settings.size);
    this.sent.set(seq & 0xffff, process.hrtime.bigint());
    try {
      this.sock.sendto(packet, this.address);
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      note('ping', `sendto: ${e.message}`);
    }
    const last = this.settings.count !== null && this.transmitted >= this.settings.count;
    this.timer = setTimeout(() => (last ? this.finish() : this.send()), (last ? this.settings.timeout : this.settings.interval) * 1000);
  }

  /** Reads every datagram waiting, showing the echo replies to our requests. */
  private receive(): void {
    for (;;) {
      let message: [Buffer, [number, number, Buffer][], number, unknown];
      try {
        message = this.sock.recvmsg(65536, 256) as typeof message;
      } catch (e) {
        if (e instanceof BlockingIOError) return;
        if (!(e instanceof OSError)) throw e;
        // An ICMP error the kernel reports on the socket (a ping socket's EHOSTUNREACH...): once, then cleared.
        note('ping', `recvmsg: ${e.message}`);
        return;
      }
      const reply = parseReply(this.version, message[0], this.raw && this.version === 4);
      if (reply !== null && (!this.raw || reply.id === this.id)) this.show(reply, reply.ttl ?? ancillaryTtl(message[1]));
    }
  }

  private show(reply: EchoReply, ttl: number | null): void {
    const sentAt = this.sent.get(reply.seq);
    if (sentAt === undefined) return; // not ours, or a duplicate
    this.sent.delete(reply.seq);
    const rtt = Number(process.hrtime.bigint() - sentAt) / 1e6;
    this.rtts.push(rtt);
    const ttlText = ttl === null ? '' : ` ${this.version === 4 ? 'ttl' : 'hlim'}=${ttl}`;
    process.stdout.write(`${reply.bytes} bytes from ${this.address[0]}: icmp_seq=${reply.seq}${ttlText} time=${rtt.toFixed(3)} ms\n`);
    if (this.settings.count !== null && this.rtts.length >= this.settings.count) this.finish();
  }

  summary(): string {
    const received = this.rtts.length;
    const loss = this.transmitted === 0 ? 0 : Math.round((100 * (this.transmitted - received)) / this.transmitted);
    const time = Math.round(Number(process.hrtime.bigint() - this.started) / 1e6);
    const line = `${this.transmitted} packets transmitted, ${received} received, ${loss}% packet loss, time ${time}ms\n`;
    return `\n--- ${this.address[0]} ping statistics ---\n${line}${received > 0 ? rttSummary(this.rtts) : ''}`;
  }

  get received(): number {
    return this.rtts.length;
  }
}

async function run(args: Parsed): Promise<number> {
  const [host] = positionals(args, 1, 1) as [string];
  const s = settings(args);
  const [family, address] = target(host, args);
  const version: IpVersion = family === C.AF_INET6 ? 6 : 4;
  const [sock, raw] = openIcmp(family, version, flag(args, 'dgram'));
  try {
    sock.setblocking(false);
    askForTtl(sock, version, raw);
    await out(`PING ${host} (${address[0]}) ${s.size}(${s.size + 8 + IP_HEADER[version]}) bytes of data.\n`);
    const session = new Session(sock, version, raw, address, s);
    await session.run();
    await out(session.summary());
    return session.received > 0 ? 0 : 1;
  } finally {
    sock.close();
  }
}

export const ping: Command = {
  name: 'ping',
  summary: 'send ICMP echo requests and show the replies',
  help: HELP,
  options: [
    { name: 'count', short: 'c', value: true },
    { name: 'interval', short: 'i', value: true },
    { name: 'timeout', short: 'W', value: true },
    { name: 'size', short: 's', value: true },
    { name: 'ipv4', short: '4' },
    { name: 'ipv6', short: '6' },
    { name: 'dgram' },
  ],
  run,
};
