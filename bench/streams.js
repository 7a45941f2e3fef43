'use strict';
// The async stream workloads of bsdsock/asyncio against node:net, in the
// pattern of bench/run.js (each program alone in its own process, one after
// another, timing itself after a warm-up, one JSON line per result):
//
//   lines:  an echo of 1 KiB lines ('\n'-terminated) over one loopback TCP
//           connection, 32 lines in flight. bsdsock: start_server /
//           open_connection, StreamReader.readline and StreamWriter.write on
//           both ends. node:net: the same on 'data' events, lines found with
//           indexOf in the chunks kept as received (leftover joined once).
//   frames: an echo of AgentX PDUs (20-byte header, 1 KiB payload), 32 in
//           flight. bsdsock: a FramedProtocol on both ends (create_server /
//           create_connection). node:net: the same FrameReader class fed from
//           'data' events, so the framing is the same code.
//
//   node bench/streams.js
//
// Settings: BENCH_MESSAGES (round trips per run, default 200000),
// BENCH_REPEAT (runs of each, the best is reported, default 3).

const { spawnSync } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.dirname(__dirname);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
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

async function bsdsockLines(count) {
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
    const t0 = process.hrtime.bigint();
    let sent = 0;
    for (; sent < WINDOW; sent++) writer.write(lines[sent % 26]);
    for (let got = 0; got < n; got++) {
      const l = await reader.readline();
      if (l.length !== SIZE) throw new Error('short line');
      if (sent < n) writer.write(lines[sent++ % 26]);
    }
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  await run(Math.min(20000, count));
  const secs = await run(count);
  writer.close();
  server.close();
  return secs;
}

function nodeLines(count) {
  return new Promise((resolve) => {
    const server = net.createServer((c) => {
      c.setNoDelay(true);
      let rest = null;
      c.on('data', (d) => {
        let buf = rest === null ? d : Buffer.concat([rest, d]);
        let start = 0;
        for (let i = buf.indexOf(10, start); i >= 0; i = buf.indexOf(10, start)) {
          c.write(buf.subarray(start, i + 1));
          start = i + 1;
        }
        rest = start === buf.length ? null : buf.subarray(start);
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const c = net.connect(server.address().port, '127.0.0.1');
      c.setNoDelay(true);
      const lines = Array.from({ length: 26 }, (_, i) => line(i));
      let rest = null;
      let onLine = null;
      c.on('data', (d) => {
        let buf = rest === null ? d : Buffer.concat([rest, d]);
        let start = 0;
        for (let i = buf.indexOf(10, start); i >= 0; i = buf.indexOf(10, start)) {
          if (i + 1 - start !== SIZE) throw new Error('short line');
          start = i + 1;
          onLine();
        }
        rest = start === buf.length ? null : buf.subarray(start);
      });
      const run = (n) =>
        new Promise((done) => {
          const t0 = process.hrtime.bigint();
          let sent = 0;
          let got = 0;
          onLine = () => {
            got++;
            if (sent < n) c.write(lines[sent++ % 26]);
            if (got === n) done(Number(process.hrtime.bigint() - t0) / 1e9);
          };
          for (; sent < WINDOW; sent++) c.write(lines[sent % 26]);
        });
      c.on('connect', async () => {
        await run(Math.min(20000, count));
        const secs = await run(count);
        c.destroy();
        server.close();
        resolve(secs);
      });
    });
  });
}

async function bsdsockFrames(count) {
  const aio = require(path.join(ROOT, 'dist/cjs/asyncio.js'));
  class Echo extends aio.FramedProtocol {
    constructor() {
      super(aio.AGENTX);
    }
    frame_received(f) {
      this.transport.write(f);
    }
  }
  let onFrame = null;
  class Client extends aio.FramedProtocol {
    constructor() {
      super(aio.AGENTX);
    }
    frame_received(f) {
      if (f.length !== 20 + SIZE) throw new Error('short frame');
      onFrame();
    }
  }
  const server = await aio.create_server(() => new Echo(), '127.0.0.1', 0);
  const port = server.sockets[0].getsockname()[1];
  const [t] = await aio.create_connection(() => new Client(), '127.0.0.1', port);
  const frames = Array.from({ length: 26 }, (_, i) => agentx(i));
  const run = (n) =>
    new Promise((done) => {
      const t0 = process.hrtime.bigint();
      let sent = 0;
      let got = 0;
      onFrame = () => {
        got++;
        if (sent < n) t.write(frames[sent++ % 26]);
        if (got === n) done(Number(process.hrtime.bigint() - t0) / 1e9);
      };
      for (; sent < WINDOW; sent++) t.write(frames[sent % 26]);
    });
  await run(Math.min(20000, count));
  const secs = await run(count);
  t.close();
  server.close();
  return secs;
}

function nodeFrames(count) {
  const { FrameReader, AGENTX } = require(path.join(ROOT, 'dist/cjs/asyncio.js'));
  return new Promise((resolve) => {
    const server = net.createServer((c) => {
      c.setNoDelay(true);
      const r = new FrameReader(AGENTX);
      c.on('data', (d) => {
        r.push(d);
        for (let f = r.next(); f !== null; f = r.next()) c.write(f);
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const c = net.connect(server.address().port, '127.0.0.1');
      c.setNoDelay(true);
      const frames = Array.from({ length: 26 }, (_, i) => agentx(i));
      const r = new FrameReader(AGENTX);
      let onFrame = null;
      c.on('data', (d) => {
        r.push(d);
        for (let f = r.next(); f !== null; f = r.next()) {
          if (f.length !== 20 + SIZE) throw new Error('short frame');
          onFrame();
        }
      });
      const run = (n) =>
        new Promise((done) => {
          const t0 = process.hrtime.bigint();
          let sent = 0;
          let got = 0;
          onFrame = () => {
            got++;
            if (sent < n) c.write(frames[sent++ % 26]);
            if (got === n) done(Number(process.hrtime.bigint() - t0) / 1e9);
          };
          for (; sent < WINDOW; sent++) c.write(frames[sent % 26]);
        });
      c.on('connect', async () => {
        await run(Math.min(20000, count));
        const secs = await run(count);
        c.destroy();
        server.close();
        resolve(secs);
      });
    });
  });
}

const PROGRAMS = {
  'lines bsdsock': bsdsockLines,
  'lines node': nodeLines,
  'frames bsdsock': bsdsockFrames,
  'frames node': nodeFrames,
};

async function child(name) {
  const secs = await PROGRAMS[name](MESSAGES);
  process.stdout.write(JSON.stringify({ name, rate: MESSAGES / secs }) + '\n');
}

function main() {
  const best = {};
  for (let r = 0; r < REPEAT; r++) {
    for (const name of Object.keys(PROGRAMS)) {
      const run = spawnSync(process.execPath, [__filename, '--child', name], { encoding: 'utf8', timeout: 10 * 60 * 1000 });
      if (run.status !== 0) {
        console.error(`${name} failed: ${run.stderr}`);
        continue;
      }
      const { rate } = JSON.parse(run.stdout.trim().split('\n').pop());
      best[name] = Math.max(best[name] ?? 0, rate);
    }
  }
  console.log(`node ${process.version}, ${MESSAGES} round trips per run, ${WINDOW} in flight, best of ${REPEAT}`);
  for (const w of ['lines', 'frames']) {
    const title = w === 'lines' ? 'streams echo, 1 KiB lines' : 'framed echo, AgentX PDUs with 1 KiB payloads';
    const b = best[`${w} bsdsock`];
    const n = best[`${w} node`];
    console.log(`\n${title} (round trips/s)`);
    console.log(`  bsdsock/asyncio  ${b === undefined ? 'failed' : Math.round(b)}`);
    console.log(`  node:net         ${n === undefined ? 'failed' : Math.round(n)}`);
    if (b !== undefined && n !== undefined) console.log(`  bsdsock / node:net = ${(b / n).toFixed(2)}x (goal >= 1.0x)`);
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main();
}
