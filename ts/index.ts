// bsdsock: Python's socket module for Node.js.

export * from './constants';
export {
  BlockingIOError,
  BrokenPipeError,
  ChildProcessError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  error,
  FileExistsError,
  FileNotFoundError,
  gaierror,
  herror,
  InterruptedError,
  IsADirectoryError,
  LookupError,
  NotADirectoryError,
  OSError,
  PermissionError,
  ProcessLookupError,
  timeout,
  TimeoutError,
} from './errors';
export {
  close,
  dup,
  fromfd,
  fromshare,
  socket,
  socketpair,
  Socket,
  SocketType,
} from './socket';
export {
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
  sethostname,
} from './module';
export { siginterrupt } from './signals';
export { AddressFamily, AddressInfo, MsgFlag, SocketKind, type IntEnum } from './enums';
export {
  getaddrinfo,
  getfqdn,
  gethostbyaddr,
  gethostbyname,
  gethostbyname_ex,
  getnameinfo,
  getprotobyname,
  getservbyname,
  getservbyport,
  if_indextoname,
  if_nameindex,
  if_nametoindex,
  is_family,
  type AddrInfo,
  type AddrInfoOf,
} from './resolver';
export {
  create_connection,
  create_server,
  has_dualstack_ipv6,
  type CreateConnectionOptions,
  type CreateServerOptions,
} from './create';
export { getdefaulttimeout, setdefaulttimeout } from './timeout';
export { UnsupportedOperation, type IOBase } from './io/base';
export type { BufferedIOBase, BufferedReader, BufferedRWPair, BufferedWriter } from './io/buffered';
export { SocketIO } from './io/socketio';
export type { TextIOWrapper } from './io/text';
export type { MakefileOptions, SocketFile } from './makefile';
export {
  CMSG_LEN,
  CMSG_SPACE,
  decode_cmsg,
  pack_ucred,
  recv_fds,
  send_fds,
  unpack_ucred,
  type AncData,
  type AncDataArg,
  type DecodedCmsg,
  type SendfileSource,
} from './msg';
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
  VsockAddress,
} from './address';
export { from_net_socket, iter_recv, iter_recvfrom, to_duplex, to_net_server, to_net_socket, type NetSocketOptions } from './bridges';
