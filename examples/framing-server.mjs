// Handling Stream Data ("Practical Sockets in Python"): "no package boundaries
// in streams". A protocol layer wants whole frames, and a recv() returns any
// number of bytes: part of a frame, or several. The talk's Protocol collects
// what data_received() gets and cuts frames out of it by the header's
// payload_length (the client, examples/framing-client.mjs, does exactly that).
//
// This server uses bsdsock/asyncio's FramedProtocol with the AGENTX frame
// spec instead: data_received() is done for you, and frame_received() gets
// each whole frame, a view of the received bytes when it lies in one chunk
// (the talk's "minimal copying of data"). It answers each frame with a
// Response-PDU carrying the same IDs and payload. Writes go through the
// transport, which buffers what the socket does not take at once (the talk's
// Transport with its _wbuf) and sends it when the socket is writable.
//
// It serves COUNT connections (default: for ever).
//
//   node examples/framing-server.mjs [port=1055] [host=127.0.0.1] [count]
//   (then: node examples/framing-client.mjs [port])

import { AGENTX, create_server, FramedProtocol } from 'bsdsock/asyncio';

import { pack, RESPONSE_PDU, unpack } from './lib/agentx.mjs';
import { portAndHost, repr } from './lib/common.mjs';

const [port, host] = portAndHost('127.0.0.1');
const count = process.argv[4] === undefined ? Infinity : Number(process.argv[4]);

let closed = 0;
let server;

class AgentXEcho extends FramedProtocol {
  constructor() {
    super(AGENTX);
  }

  frame_received(frame) {
    const pdu = unpack(frame);
    console.log(`frame: type ${pdu.type}, session ${pdu.sessionID}, transaction ${pdu.transactionID}, packet ${pdu.packetID}, payload ${repr(pdu.payload)}`);
    this.transport.write(pack({ ...pdu, type: RESPONSE_PDU }, pdu.payload));
  }

  connection_lost() {
    console.log('connection closed');
    closed += 1;
    if (closed === count) server.close();
  }
}

server = await create_server(() => new AgentXEcho(), host, port);
console.log(`listening on ${repr(server.sockets[0].getsockname())}`);
await server.wait_closed();
