// A Node ws client for SeedInteropIT, shaped like the seed tutorial's browser client:
//
//   node node-client.js <wss-url> <ca-file> <message> <count> [timeout-ms] [token]
//
// With a token, it is offered the browser way: Sec-WebSocket-Protocol: bearer, <token>.
// Trusts only <ca-file> (PEM). Prints every message it receives as one line on stdout, sends
// <message> once the first (welcome) message has arrived, and after <count> messages closes with
// 1000 and exits 0 when the close completes. Exit codes: 2 error, 3 closed early, 4 timed out, 64 usage.
const fs = require('fs');
const WebSocket = require('ws');

const [url, caFile, message, countArg, timeoutArg, token] = process.argv.slice(2);
const count = Number(countArg);
if (!url || !caFile || message === undefined || !Number.isInteger(count) || count < 1) {
  console.error('usage: node node-client.js <wss-url> <ca-file> <message> <count> [timeout-ms] [token]');
  process.exit(64);
}
const timeoutMs = timeoutArg ? Number(timeoutArg) : 10000;

const timer = setTimeout(() => {
  console.error(`timed out after ${timeoutMs} ms with ${received} of ${count} messages`);
  process.exit(4);
}, timeoutMs);

let received = 0;
// autoSelectFamily: try each address of the host, as browsers do (Node 20's default; Debian 12's Node 18
// would try only the first address of localhost, ::1, where a gateway on 127.0.0.1 is not listening).
const socket = new WebSocket(url, token ? ['bearer', token] : [], { ca: fs.readFileSync(caFile), autoSelectFamily: true });

socket.on('message', data => {
  received += 1;
  console.log(data.toString());
  if (received === 1) {
    socket.send(message);
  }
  if (received === count) {
    socket.close(1000, 'done');
  }
});

socket.on('close', (code, reason) => {
  clearTimeout(timer);
  if (received >= count && code === 1000) {
    process.exit(0);
  }
  console.error(`closed with ${code} ${reason} after ${received} of ${count} messages`);
  process.exit(3);
});

socket.on('error', error => {
  console.error(`error: ${error.message}`);
  process.exit(2);
});
