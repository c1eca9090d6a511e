// The echo upstream of scripts/bench: a plain ws:// server on 127.0.0.1 that sends every message
// back to its sender, same type, unchanged. Every proxy under test (and the "direct" row) talks to it.
//
//   node bench/upstream.js [--port N]        # 0 (default): the OS picks; prints "PORT <n>" once listening
//
// It exits on SIGTERM or SIGINT (scripts/bench's trap sends SIGTERM to the PID it started).
'use strict';
const { WebSocketServer } = require('ws');

const args = process.argv.slice(2);
let port = 0;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--port') port = Number(args[++i]);
  else { console.error(`upstream: unknown argument ${args[i]}`); process.exit(64); }
}

// No compression anywhere in the benchmark: every proxy relays the same bytes.
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, clientTracking: false,
  maxPayload: 1 << 20, backlog: 4096 });

wss.on('connection', ws => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});            // a proxy hanging up mid-frame is not the upstream's problem
});
wss.on('listening', () => console.log(`PORT ${wss.address().port}`));
wss.on('error', error => { console.error(`upstream: ${error.message}`); process.exit(1); });

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
