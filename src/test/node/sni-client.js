// A Node ws client for HostsAndSniIT: dials 127.0.0.1 whatever the URL's host (as curl --resolve
// does), sends SNI <servername>, trusts only <ca-file>, sends <message> and prints, one per line:
// the served certificate's subject CN, then the first message it receives. Closes with 1000.
//
//   node sni-client.js <wss-url> <ca-file> <servername> <message> [timeout-ms]
//
// Exit codes: 0 done, 2 error (TLS or refused upgrade: printed on stderr), 4 timed out, 64 usage.
const fs = require('fs');
const WebSocket = require('ws');

const [url, caFile, servername, message, timeoutArg] = process.argv.slice(2);
if (!url || !caFile || !servername || message === undefined) {
  console.error('usage: node sni-client.js <wss-url> <ca-file> <servername> <message> [timeout-ms]');
  process.exit(64);
}
const timer = setTimeout(() => {
  console.error('timed out');
  process.exit(4);
}, timeoutArg ? Number(timeoutArg) : 10000);

const loopback = (hostname, options, callback) => options && options.all
  ? callback(null, [{ address: '127.0.0.1', family: 4 }])
  : callback(null, '127.0.0.1', 4);
const socket = new WebSocket(url, { ca: fs.readFileSync(caFile), servername, lookup: loopback });

socket.on('upgrade', response => {
  console.log('cn=' + response.socket.getPeerCertificate().subject.CN);
});
socket.on('open', () => socket.send(message));
socket.on('message', data => {
  console.log(data.toString());
  socket.close(1000, 'done');
});
socket.on('close', () => {
  clearTimeout(timer);
  process.exit(0);
});
socket.on('unexpected-response', (request, response) => {
  console.error('refused: ' + response.statusCode);
  process.exit(2);
});
socket.on('error', error => {
  console.error('error: ' + error.message);
  process.exit(2);
});
