// bsdsock/asyncio: the socket layer of Python's asyncio on Node's own event
// loop, as module functions with the names of asyncio's loop methods. Every
// operation returns a promise, takes non-blocking sockets only, and accepts a
// trailing `{ signal }` (AbortSignal); closing a socket rejects its pending
// operations with OSError(EBADF).

export { add_reader, add_writer, remove_reader, remove_writer, type FileLike } from './asyncio/readers';
export {
  sock_accept,
  sock_connect,
  sock_recv,
  sock_recv_into,
  sock_recvfrom,
  sock_recvfrom_into,
  sock_sendall,
  sock_sendto,
} from './asyncio/sock';
export { SendfileNotAvailableError, sendfile, sock_sendfile, type SendfileOptions } from './asyncio/sendfile';
export {
  sock_recv_fds,
  sock_recvmmsg,
  sock_recvmmsg_into,
  sock_recvmsg,
  sock_recvmsg_into,
  sock_send_fds,
  sock_sendmmsg,
  sock_sendmsg,
} from './asyncio/msg';
export { getaddrinfo, getnameinfo, type GetaddrinfoOptions } from './asyncio/resolver';
export { AbortError, type OperationOptions } from './asyncio/loop';
export { NotImplementedError, RuntimeError } from './errors';
export { TransportSocket } from './asyncio/trsock';
export { BaseProtocol, BufferedProtocol, DatagramProtocol, Protocol } from './asyncio/protocols';
export { BaseTransport, DatagramTransport, Transport, type ExtraInfoName } from './asyncio/transports';
export { Server, create_server, create_unix_server, type ServerOptions, type UnixServerOptions } from './asyncio/server';
export {
  connect_accepted_socket,
  create_connection,
  create_datagram_endpoint,
  create_unix_connection,
  type ConnectionOptions,
  type DatagramAddress,
  type UnixConnectionOptions,
  type DatagramOptions,
} from './asyncio/connections';
export {
  IncompleteReadError,
  LimitOverrunError,
  open_connection,
  open_unix_connection,
  start_server,
  start_unix_server,
  StreamReader,
  StreamReaderProtocol,
  StreamWriter,
  type ClientConnected,
  type StreamOptions,
} from './asyncio/streams';
export {
  AGENTX,
  AGENTX_NETWORK_BYTE_ORDER,
  FramedProtocol,
  FrameReader,
  StreamFrameReader,
  type FrameSpec,
} from './asyncio/framing';
