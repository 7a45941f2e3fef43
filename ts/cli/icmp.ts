// ICMP and ICMPv6 echo messages (RFC 792, RFC 4443): building a request and
// reading a reply, as `bsdsock ping` sends and receives them.

/** The echo request and reply types of each version. */
const ECHO = {
  4: { request: 8, reply: 0 },
  6: { request: 128, reply: 129 },
} as const;

export type IpVersion = 4 | 6;

/** The Internet checksum (RFC 1071): ones' complement of the ones' complement sum. */
function checksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2 === 1) sum += b[b.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * An echo request: type, code, checksum, identifier, sequence number, then
 * `size` bytes of payload. The ICMPv4 checksum is computed here; the kernel
 * computes ICMPv6's (it covers a pseudo-header with addresses only it knows).
 */
export function echoRequest(version: IpVersion, id: number, seq: number, size: number): Buffer {
  const b = Buffer.alloc(8 + size);
  b[0] = ECHO[version].request;
  b.writeUInt16BE(id & 0xffff, 4);
  b.writeUInt16BE(seq & 0xffff, 6);
  for (let i = 0; i < size; i++) b[8 + i] = i & 0xff;
  if (version === 4) b.writeUInt16BE(checksum(b), 2);
  return b;
}

/** An echo reply as received. */
export interface EchoReply {
  id: number;
  seq: number;
  /** Bytes of the ICMP message (header and payload), as ping reports them. */
  bytes: number;
  /** The IPv4 TTL or IPv6 hop limit, when known. */
  ttl: number | null;
}

/**
 * The echo reply in `data`, or null for any other message. A raw IPv4 socket
 * receives the IP header too (`withIpHeader`): its TTL is read from there.
 */
export function parseReply(version: IpVersion, data: Buffer, withIpHeader: boolean): EchoReply | null {
  let icmp = data;
  let ttl: number | null = null;
  if (withIpHeader) {
    if (data.length < 20) return null;
    const headerLength = (data[0]! & 0x0f) * 4;
    ttl = data[8]!;
    icmp = data.subarray(headerLength);
  }
  if (icmp.length < 8 || icmp[0] !== ECHO[version].reply || icmp[1] !== 0) return null;
  return { id: icmp.readUInt16BE(4), seq: icmp.readUInt16BE(6), bytes: icmp.length, ttl };
}
