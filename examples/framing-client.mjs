// Handling Stream Data, the talk's receiving side ("Practical Sockets in
// Python"):
//
//   class Protocol(object):
//       def data_received(self, data):
//           self._rbuf.seek(0, io.SEEK_END)
//           self._rbuf.write(data)
//           if self._rbuf.tell() >= 20:
//               self._rbuf.seek(0, io.SEEK_SET)
//               hdr = self._rbuf.read(20)
//               payload_length, = struct.unpack('!L', hdr[16:20])
//               payload = self._rbuf.read(payload_length)
//               if len(payload) == payload_length:
//                   tail = self._rbuf.read()
//                   ...
//                   self.process_frame(hdr + payload)
//
// Buffered as a list of Buffers (the talk's "list of strings") instead of a
// BytesIO, and looping, since one recv() can hold several frames. The client
// sends three AgentX PDUs to examples/framing-server.mjs in awkward pieces (the
// first a byte at a time, the other two in one send() cut mid-header), shuts
// down its write end, and feeds whatever recv() returns to data_received().
//
//   node examples/framing-client.mjs [port=1055] [host=127.0.0.1]

import { IPPROTO_TCP, SHUT_WR, socket, TCP_NODELAY } from 'bsdsock';

import { HEADER_SIZE, NOTIFY_PDU, pack, PING_PDU, unpack } from './lib/agentx.mjs';
import { portAndHost, repr } from './lib/common.mjs';

class Protocol {
  #rbuf = []; // the chunks received and not yet framed
  #size = 0;

  data_received(data) {
    this.#rbuf.push(data);
    this.#size += data.length;
    while (this.#size >= HEADER_SIZE) {
      const head = this.#rbuf.length === 1 ? this.#rbuf[0] : Buffer.concat(this.#rbuf);
      const frameLength = HEADER_SIZE + head.readUInt32BE(16); // struct.unpack('!L', hdr[16:20])
      if (this.#size < frameLength) break; // the rest of the payload is still to come
      this.#rbuf = head.length > frameLength ? [head.subarray(frameLength)] : [];
      this.#size -= frameLength;
      this.process_frame(head.subarray(0, frameLength));
    }
  }

  process_frame(frame) {
    const pdu = unpack(frame);
    console.log(`response: session ${pdu.sessionID}, transaction ${pdu.transactionID}, packet ${pdu.packetID}, payload ${repr(pdu.payload)}`);
  }
}

const [port, host] = portAndHost('127.0.0.1');

const frames = [
  pack({ type: PING_PDU, sessionID: 7, transactionID: 1, packetID: 1 }),
  pack({ type: NOTIFY_PDU, sessionID: 7, transactionID: 2, packetID: 2 }, Buffer.from('a payload')),
  pack({ type: NOTIFY_PDU, sessionID: 7, transactionID: 3, packetID: 3 }, Buffer.from('and another one')),
];

const sock = socket();
sock.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1); // send each piece at once, as its own segment
sock.connect([host, port]);
for (const byte of frames[0]) sock.sendall(Buffer.of(byte));
const rest = Buffer.concat(frames.slice(1));
sock.sendall(rest.subarray(0, frames[1].length + 10));
sock.sendall(rest.subarray(frames[1].length + 10));
sock.shutdown(SHUT_WR);

const protocol = new Protocol();
for (let data = sock.recv(4096); data.length > 0; data = sock.recv(4096)) protocol.data_received(data);
sock.close();
