// bsdsock: Python's socket module for Node.js.

export * from './constants';
export * from './errors';
export {
  close,
  dup,
  fromfd,
  socket,
  socketpair,
  Socket,
  SocketType,
} from './socket';
export {
  getaddrinfo,
  gethostname,
  has_ipv6,
  htonl,
  htons,
  inet_aton,
  inet_ntoa,
  inet_ntop,
  inet_pton,
  ntohl,
  ntohs,
  siginterrupt,
  type AddrInfo,
} from './module';
export { getdefaulttimeout, setdefaulttimeout } from './timeout';
export type {
  AddressArgOf,
  AddressOf,
  Family,
  Inet6Address,
  Inet6AddressArg,
  InetAddress,
  NetlinkAddress,
  PacketAddress,
  PacketAddressArg,
  SockAddr,
  SockAddrArg,
  UnixAddress,
  UnixAddressArg,
} from './address';
