'use strict';
// node:net as the echo server of the concurrent echo workload: every
// connection writes back what it reads, driven by its events; the load comes
// from echo-clients.js in a child process, as for bsdsock.
//
//   node echo.js aecho SECONDS CLIENTS
//
// Prints one JSON line.

const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

async function main(argv) {
  const [seconds, clients] = [Number(argv[3]), Number(argv[4])];
  const server = net.createServer({ noDelay: true }, (conn) => {
    conn.on('data', (chunk) => conn.write(chunk));
    conn.on('error', () => conn.destroy());
  });
  await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: clients }, resolve));
  // The client program: the C one run.js compiled (BENCH_ECHO_CLIENT), else the node:net one.
  const [cmd, ...pre] = process.env.BENCH_ECHO_CLIENT ? [process.env.BENCH_ECHO_CLIENT] : [process.execPath, path.join(__dirname, 'echo-clients.js')];
  const child = spawn(cmd, [...pre, server.address().port, clients, seconds], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (t) => (out += t));
  await new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`clients exited ${code}`)))));
  const r = JSON.parse(out);
  console.log(JSON.stringify({ impl: 'node', workload: 'aecho', rounds: r.messages, ns: r.ns }));
  process.exit(0);
}

main(process.argv).catch((err) => {
  console.error(err);
  process.exit(1);
});
