// asyncio's protocols: the callbacks a transport calls as a connection's
// bytes, datagrams and flow control events arrive. Each is a class to extend,
// whose methods do nothing until overridden, as in asyncio/protocols.py.

import { RuntimeError } from '../errors';

/**
 * What every transport a protocol is given has (transports.ts's classes). Declared
 * here rather than imported, so that protocols depend on no transport, as asyncio's
 * protocols.py does; an override may name its transport's own class
 * (`connection_made(transport: Transport)`).
 */
export interface TransportLike {
  get_extra_info(name: string, defaultValue?: unknown): unknown;
  is_closing(): boolean;
  close(): void;
  abort(): void;
}

/** asyncio's `BaseProtocol`: connection_made, connection_lost and write flow control. */
export class BaseProtocol {
  /** Called when the connection is made, with its transport. Python: `asyncio.BaseProtocol.connection_made`. */
  connection_made(_transport: TransportLike): void {}
  /** Called when the connection is lost or closed: null on a clean close, else the error.
   * Python: `asyncio.BaseProtocol.connection_lost`.
   */
  connection_lost(_exc: Error | null): void {}
  /** The transport's write buffer went over its high-water mark. Python: `asyncio.BaseProtocol.pause_writing`. */
  pause_writing(): void {}
  /** The transport's write buffer drained to its low-water mark. Python: `asyncio.BaseProtocol.resume_writing`. */
  resume_writing(): void {}
}

/** asyncio's `Protocol`: a stream's bytes as they arrive. */
export class Protocol extends BaseProtocol {
  override connection_made(_transport: TransportLike): void {}
  /** Some bytes arrived (a view valid for good: the transport never reuses it). Python: `asyncio.Protocol.data_received`. */
  data_received(_data: Buffer): void {}
  /** The peer sent EOF. Return true to keep the transport open (for writing); otherwise it closes.
   * Python: `asyncio.Protocol.eof_received`.
   */
  eof_received(): boolean | void {}
}

/** asyncio's `BufferedProtocol`: bytes are received straight into the protocol's own buffer. */
export class BufferedProtocol extends BaseProtocol {
  override connection_made(_transport: TransportLike): void {}
  /** The buffer to receive into next; `sizehint` is -1 (any size). Python: `asyncio.BufferedProtocol.get_buffer`. */
  get_buffer(_sizehint: number): Uint8Array {
    throw new RuntimeError('BufferedProtocol.get_buffer() not implemented');
  }
  /**
   * `nbytes` bytes were written at the start of the buffer get_buffer returned.
   * Python: `asyncio.BufferedProtocol.buffer_updated`.
   */
  buffer_updated(_nbytes: number): void {}
  /** The peer sent EOF. Return true to keep the transport open (for writing). Python: `asyncio.BufferedProtocol.eof_received`. */
  eof_received(): boolean | void {}
}

/** asyncio's `DatagramProtocol`. */
export class DatagramProtocol extends BaseProtocol {
  override connection_made(_transport: TransportLike): void {}
  /** A datagram arrived from `addr`. Python: `asyncio.DatagramProtocol.datagram_received`. */
  datagram_received(_data: Buffer, _addr: unknown): void {}
  /** A send or receive failed (ICMP errors such as ConnectionRefusedError among them).
   * Python: `asyncio.DatagramProtocol.error_received`.
   */
  error_received(_exc: Error): void {}
}

/** A protocol for a stream transport: bytes as they come, or into its own buffer. */
export type StreamProtocol = Protocol | BufferedProtocol;
