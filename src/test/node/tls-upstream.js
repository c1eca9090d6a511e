// A Node wss upstream for UpstreamTlsIT that requires a client certificate: serves <cert-file> and
// <key-file>, accepts only client certificates that chain to <client-ca-file> (TLS refuses the rest),
// listens on 127.0.0.1 on a free port and prints, one per line:
//   listening <port>
//   tls-error <code>                      (each TLS handshake it refused)
//   session <servername> <subject> <path> (each WebSocket session: SNI and client certificate CN, or -)
// Each WebSocket session first gets {"servername": SNI or null, "subject": client certificate CN},
// then every message back as it came.
//
//   node tls-upstream.js <cert-file> <key-file> <client-ca-file>
//
// Runs until killed. Exit code 64: usage.
const fs = require('fs');
const https = require('https');
const { WebSocketServer } = require('ws');

const [certFile, keyFile, clientCaFile] = process.argv.slice(2);
if (!certFile || !keyFile || !clientCaFile) {
  console.error('usage: node tls-upstream.js <cert-file> <key-file> <client-ca-file>');
  process.exit(64);
}
const server = https.createServer({
  cert: fs.readFileSync(certFile),
  key: fs.readFileSync(keyFile),
  ca: fs.readFileSync(clientCaFile),
  requestCert: true,
  rejectUnauthorized: true,
});
server.on('tlsClientError', error => console.log('tls-error ' + (error.code || error.message)));
const sockets = new WebSocketServer({ server });
sockets.on('connection', (socket, request) => {
  const tls = request.socket;
  const peer = tls.getPeerCertificate();
  console.log(['session', tls.servername || '-', (peer && peer.subject && peer.subject.CN) || '-', request.url].join(' '));
  socket.send(JSON.stringify({
    servername: tls.servername || null,
    subject: peer && peer.subject ? peer.subject.CN : null,
  }));
  socket.on('message', (data, binary) => socket.send(data, { binary }));
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
