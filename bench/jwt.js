// The benchmark's token issuer, independent of wsgate's code: an EC P-256 key and ES256 tokens
// (RFC 7515 / RFC 7518 §3.4), made with Node's crypto.
//
//   node bench/jwt.js keygen DIR                 # DIR/issuer-private.pem (0600) + DIR/issuer.jwk.json (public JWK Set)
//   node bench/jwt.js mint DIR --iss ISS --aud AUD --sub SUB [--scope S] [--ttl-seconds N]   # prints the token
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const KEY_ID = 'bench-1';
const DEFAULT_TTL_SECONDS = 3600;

const b64url = data => Buffer.from(data).toString('base64url');

function keygen(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  fs.writeFileSync(path.join(dir, 'issuer-private.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KEY_ID, alg: 'ES256', use: 'sig' };
  fs.writeFileSync(path.join(dir, 'issuer.jwk.json'), JSON.stringify({ keys: [jwk] }, null, 2) + '\n');
}

function mint(dir, options) {
  const key = crypto.createPrivateKey(fs.readFileSync(path.join(dir, 'issuer-private.pem')));
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'ES256', typ: 'JWT', kid: KEY_ID };
  const claims = { iss: options.iss, aud: options.aud, sub: options.sub, iat: now,
    exp: now + Number(options['ttl-seconds'] || DEFAULT_TTL_SECONDS) };
  if (options.scope) claims.scope = options.scope;
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  // JOSE wants the raw r || s signature (64 bytes for P-256), not DER.
  const signature = crypto.sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${b64url(signature)}`;
}

const [command, dir, ...rest] = process.argv.slice(2);
const options = {};
for (let i = 0; i < rest.length; i += 2) {
  if (!rest[i].startsWith('--') || rest[i + 1] === undefined) { console.error(`jwt: bad option ${rest[i]}`); process.exit(64); }
  options[rest[i].slice(2)] = rest[i + 1];
}
if (command === 'keygen' && dir) keygen(dir);
else if (command === 'mint' && dir && options.iss && options.aud && options.sub) console.log(mint(dir, options));
else { console.error('usage: jwt.js keygen DIR | jwt.js mint DIR --iss ISS --aud AUD --sub SUB [--scope S] [--ttl-seconds N]'); process.exit(64); }
