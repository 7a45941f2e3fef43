'use strict';
// The stream workloads of bsdsock/asyncio against node:net (run by run.js as
// slines and sframes): one loopback TCP connection, server and client in the
// same process, 32 messages in flight, so each side waits for what the other
// has not sent yet.
//
//   slines:  an echo of 1 KiB lines ('\n'-terminated). bsdsock: start_server /
//            open_connection, StreamReader.readline and StreamWriter.write on
//            both ends. node:net: the same on 'data' events, lines found with
//            indexOf in the chunks kept as received (leftover joined once).
//   sframes: an echo of AgentX PDUs (20-byte header, 1 KiB payload).
//            bsdsock: a FramedProtocol on both ends (create_server /
//            create_connection). node:net: the same FrameReader class fed from
//            'data' events, so the framing is the same code.
//
//   node bench/streams.js bsdsock|node slines|sframes ROUNDS WARMUP
//
// Prints one JSON line.

const clock = require('./clock');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.dirname(__dirname);
const WINDOW = 32;
const SIZE = 1024;

function line(i) {
  const b = Buffer.alloc(SIZE, 0x61 + (i % 26));
  b[SIZE - 1] = 0x0a;
  return b;
}

function agentx(i) {
  const b = Buffer.alloc(20 + SIZE, i & 0xff);
  b[0] = 1;
  b[1] = 1;
  b[2] = 0x10;
  b.writeUInt32BE(i, 12);
  b.writeUInt32BE(SIZE, 16);
  return b;
}

async function bsdsockLines(count, warmup) {
  const aio = require(path.join(ROOT, 'dist/cjs/asyncio.js'));
  const server = await aio.start_server(async (reader, writer) => {
    for (;;) {
      const l = await reader.readline();
      if (l.length === 0) break;
      writer.write(l);
      if (writer.transport.get_write_buffer_size() > 65536) await writer.drain();
    }
    writer.close();
  }, '127.0.0.1', 0);
  const port = server.sockets[0].getsockname()[1];
  const [reader, writer] = await aio.open_connection('127.0.0.1', port);
  const lines = Array.from({ length: 26 }, (_, i) => line(i));
  const run = async (n) => {
    const t0 = clock.start();
    let sent = 0;
    for (; sent < WINDOW; sent++) writer.write(lines[sent % 26]);
    for (let got = 0; got < n; got++) {
      const l = await reader.readline();
      if (l.length !== SIZE) throw new Error('short line');
      if (sent < n) writer.write(lines[sent++ % 26]);
    }
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  await run(warmup);
  const secs = await run(count);
  writer.close();
  server.close();
  return secs;
}

async function bsdsockFrames(count, warmup) {
  const aio = require(path.join(ROOT, 'dist/cjs/asyncio.js'));
  class Echo extends aio.FramedProtocol {
    constructor() {
      super(aio.AGENTX);
    }
    frame_received(f) {
      this.transport.write(f);
    }
  }
  let client = null;
  class Client extends aio.FramedProtocol {
    constructor() {
      super(aio.AGENTX);
    }
    frame_received(f) {
      if (f.length !== 20 + SIZE) throw new Error('short frame');
      client.received();
    }
  }
  const server = await aio.create_server(() => new Echo(), '127.0.0.1', 0);
  const port = server.sockets[0].getsockname()[1];
  const [t] = await aio.create_connection(() => new Client(), '127.0.0.1', port);
  client = pinger((f) => t.write(f), Array.from({ length: 26 }, (_, i) => agentx(i)));
  await client.run(warmup);
  const secs = await client.run(count);
  t.close();
  server.close();
  return secs;
}

/**
 * The client's side of a windowed echo: `run(n)` sends WINDOW of `messages`
 * with `write`, then one more for each echo (the caller calls `received()`),
 * and resolves with the seconds the `n` echoes took.
 */
function pinger(write, messages) {
  let onEcho = null;
  const run = (n) =>
    new Promise((done) => {
      const t0 = clock.start();
      let sent = 0;
      let got = 0;
      onEcho = () => {
        got++;
        if (sent < n) write(messages[sent++ % 26]);
        if (got === n) done(Number(process.hrtime.bigint() - t0) / 1e9);
      };
      for (; sent < WINDOW; sent++) write(messages[sent % 26]);
    });
  return { run, received: () => onEcho() };
}

/**
 * node:net's echo of `messages`, server and client on 'data' events:
 * `splitter(found)` makes a connection's data listener, which calls
 * `found(buf, start, end)` for each whole message, `buf[start..end]`.
 */
function nodeEcho(splitter, messages, count, warmup) {
  const size = messages[0].length;
  return new Promise((resolve) => {
    const server = net.createServer((c) => {
      c.setNoDelay(true);
      c.on('data', splitter((buf, start, end) => c.write(start === 0 && end === buf.length ? buf : buf.subarray(start, end))));
    });
    server.listen(0, '127.0.0.1', () => {
      const c = net.connect(server.address().port, '127.0.0.1');
      c.setNoDelay(true);
      const client = pinger((m) => c.write(m), messages);
      c.on(
        'data',
        splitter((buf, start, end) => {
          if (end - start !== size) throw new Error('short message');
          client.received();
        }),
      );
      c.on('connect', async () => {
        await client.run(warmup);
        const secs = await client.run(count);
        c.destroy();
        server.close();
        resolve(secs);
      });
    });
  });
}

/** Lines found with indexOf in the chunks kept as received (a leftover joined once). */
function lineSplitter(found) {
  let rest = null;
  return (d) => {
    const buf = rest === null ? d : Buffer.concat([rest, d]);
    let start = 0;
    for (let i = buf.indexOf(10, start); i >= 0; i = buf.indexOf(10, start)) {
      found(buf, start, i + 1);
      start = i + 1;
    }
    rest = start === buf.length ? null : buf.subarray(start);
  };
}

function nodeLines(count, warmup) {
  return nodeEcho(lineSplitter, Array.from({ length: 26 }, (_, i) => line(i)), count, warmup);
}

function nodeFrames(count, warmup) {
  const { FrameReader, AGENTX } = require(path.join(ROOT, 'dist/cjs/asyncio.js'));
  const frameSplitter = (found) => {
    const r = new FrameReader(AGENTX);
    return (d) => {
      r.push(d);
      for (let f = r.next(); f !== null; f = r.next()) found(f, 0, f.length);
    };
  };
  return nodeEcho(frameSplitter, Array.from({ length: 26 }, (_, i) => agentx(i)), count, warmup);
}

const PROGRAMS = {
  'slines bsdsock': bsdsockLines,
  'slines node': nodeLines,
  'sframes bsdsock': bsdsockFrames,
  'sframes node': nodeFrames,
};

async function main(argv) {
  const [impl, workload, count, warmup] = [argv[2], argv[3], Number(argv[4]), Number(argv[5])];
  const program = PROGRAMS[`${workload} ${impl}`];
  if (!program) throw new Error(`unknown workload or implementation: ${workload} ${impl}`);
  const secs = await program(count, warmup);
  console.log(JSON.stringify({ impl, workload, rounds: count, ns: Math.round(secs * 1e9), cpu_ns: clock.cpuNs() }));
  process.exit(0);
}

main(process.argv).catch((err) => {
  console.error(err);
  process.exit(1);
});
