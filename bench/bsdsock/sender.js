'use strict';
// The bulk sender of c/sender.c, in bsdsock: listens on 127.0.0.1 at an
// ephemeral port and prints the port; for each connection reads a request line
// holding a byte count, sends that many bytes with sendall of 64 KiB chunks,
// then closes. Runs until killed. run.js starts it for the bulk workload's
// "bsdsock on both ends" row (recv_into in bench.js, sendall here).

const { socket } = require('bsdsock');

const CHUNK = Buffer.alloc(64 * 1024, 'x');

function readRequest(conn) {
  let line = '';
  while (!line.endsWith('\n')) {
    const data = conn.recv(32);
    if (data.length === 0) return 0;
    line += data.toString('latin1');
  }
  return Number(line.trim());
}

function sendBytes(conn, bytes) {
  for (let left = bytes; left > 0; left -= CHUNK.length) {
    conn.sendall(left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left));
  }
}

function main() {
  const listener = socket();
  listener.bind(['127.0.0.1', 0]);
  listener.listen(16);
  console.log(listener.getsockname()[1]);
  for (;;) {
    const [conn] = listener.accept();
    sendBytes(conn, readRequest(conn));
    conn.close();
  }
}

main();
