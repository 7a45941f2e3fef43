// The AgentX header (RFC 2741 section 6.1), the talk's example of a stream
// protocol's frame: 20 bytes, the last field the payload length.
//
//   +---------------+---------------+---------------+---------------+
//   |   h.version   |    h.type     |    h.flags    |  <reserved>   |
//   |                          h.sessionID                          |
//   |                        h.transactionID                        |
//   |                          h.packetID                           |
//   |                        h.payload_length                       |
//   +---------------+---------------+---------------+---------------+
//
// With the NETWORK_BYTE_ORDER flag set the integers are big-endian: Python's
// struct.pack('!BBBBLLLL', ...), here Buffer's writeUInt32BE.

import { AGENTX_NETWORK_BYTE_ORDER } from 'bsdsock/asyncio';

export const HEADER_SIZE = 20;
export const PING_PDU = 13;
export const NOTIFY_PDU = 12;
export const RESPONSE_PDU = 18;

/** A frame: the header's fields, then the payload. */
export function pack({ type, sessionID, transactionID, packetID }, payload = Buffer.alloc(0)) {
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt8(1, 0); // h.version
  header.writeUInt8(type, 1);
  header.writeUInt8(AGENTX_NETWORK_BYTE_ORDER, 2);
  header.writeUInt32BE(sessionID, 4);
  header.writeUInt32BE(transactionID, 8);
  header.writeUInt32BE(packetID, 12);
  header.writeUInt32BE(payload.length, 16);
  return Buffer.concat([header, payload]);
}

/** The header's fields and the payload of one whole frame. */
export function unpack(frame) {
  return {
    type: frame.readUInt8(1),
    sessionID: frame.readUInt32BE(4),
    transactionID: frame.readUInt32BE(8),
    packetID: frame.readUInt32BE(12),
    payload: frame.subarray(HEADER_SIZE, HEADER_SIZE + frame.readUInt32BE(16)),
  };
}
