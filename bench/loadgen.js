// The load generator of scripts/bench (docs/benchmarks.md). It is not wsgate's code: it drives
// every proxy, and the echo upstream directly, in exactly the same way, with the `ws` library.
//
//   node bench/loadgen.js MODE --url wss://127.0.0.1:PORT/path [common options] [mode options]
//
// Modes (each prints one JSON object on stdout; progress and problems go to stderr):
//   throughput  --connections N --bytes B --in-flight K --warmup S --seconds S
//               every connection keeps K messages of B bytes in flight to the echo; counts round trips
//   latency     --connections N --bytes B --rate R --warmup S --seconds S
//               R messages/s offered in all (open loop, spread over the connections); the send time
//               travels in the payload; p50/p90/p99/p99.9/max of the round trip, exact (sorted samples)
//   churn       --parallel P --warmup S --seconds S
//               P loops of: TLS + upgrade, then close 1000 and wait for the close; counts handshakes
//   idle        --stages N1,N2,... --parallel P
//               opens connections up to N1, prints "READY N1" on stdout, waits for SIGUSR1, opens up to
//               N2, ... ; after the last stage's SIGUSR1 closes them all and prints the JSON
//
// Common options:
//   --ca FILE          the one certificate every proxy serves (PEM), trusted alone
//   --token JWT        sent as "Authorization: Bearer JWT" (to every proxy, so every proxy parses the same request)
//   --origin ORIGIN    sent as the Origin header
//   --proxy-pids P,..  processes whose CPU time (utime + stime from /proc/PID/stat, with their descendants)
//                      is read at the start and the end of each measured window
//   --upstream-pid P   the echo upstream, read the same way
//   --clk-tck N        clock ticks per second of /proc/PID/stat (getconf CLK_TCK; default 100)
//   --proxy-core C     the proxy's core: its busy time (/proc/stat) minus the proxy's own CPU is what other
//                      processes took from it during the window, reported as otherCpuShareOnProxyCore
//   --client-core C    the load generator's core, the same way: its busy time minus the load generator's
//                      and the upstream's CPU, reported as otherCpuShareOnClientCore
//
// CPU per message counts messages relayed in one direction: one round trip is two messages.
'use strict';
const fs = require('fs');
const WebSocket = require('ws');

// ---- options -------------------------------------------------------------------------------------
const DEFAULTS = {
  connections: 50, bytes: 64, 'in-flight': 4, warmup: 2, seconds: 8, rate: 5000, parallel: 16,
  stages: '5000', 'clk-tck': 100, 'proxy-pids': '', 'upstream-pid': '', 'proxy-core': -1, 'client-core': -1,
};
const HANDSHAKE_TIMEOUT_MS = 10000;     // one TLS + upgrade may take at most this long
const DRAIN_MS = 2000;                  // after a window, how long replies still in flight are awaited
const LATENCY_TICK_MS = 1;              // the open-loop sender's timer period
const CHURN_RETRY_DELAY_MS = 10;        // after a failed handshake, before the loop tries again
// One TLS 1.3 suite offered to every proxy, so that none is measured with a cheaper cipher than another
// (left to their defaults, OpenSSL picks AES-256-GCM and the JDK AES-128-GCM). Every server supports it.
const TLS13_SUITE = 'TLS_AES_128_GCM_SHA256';
const TIMESTAMP_OFFSET = 7;             // payload = {"ts":"<20 digits>","p":"xxx..."}
const TIMESTAMP_DIGITS = 20;

const [mode, ...rest] = process.argv.slice(2);
const opt = { ...DEFAULTS };
for (let i = 0; i < rest.length; i += 2) {
  const key = rest[i].replace(/^--/, '');
  if (!rest[i].startsWith('--') || rest[i + 1] === undefined || !(key in DEFAULTS || ['url', 'ca', 'token', 'origin'].includes(key))) {
    fail(`bad option ${rest[i]} (see the header of bench/loadgen.js)`, 64);
  }
  opt[key] = rest[i + 1];
}
for (const key of ['connections', 'bytes', 'in-flight', 'warmup', 'seconds', 'rate', 'parallel', 'clk-tck', 'proxy-core', 'client-core']) {
  opt[key] = Number(opt[key]);
  if (!Number.isFinite(opt[key]) || (opt[key] < 0 && !key.endsWith('-core'))) fail(`--${key} must be a number >= 0`, 64);
}
if (!opt.url) fail('--url is required', 64);

function fail(message, code = 1) {
  process.stderr.write(`loadgen: ${message}\n`);
  process.exit(code);
}

const clientOptions = {
  perMessageDeflate: false,             // no compression anywhere: every proxy relays the same bytes
  skipUTF8Validation: true,             // the load generator's own cost is not what is measured
  handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  maxPayload: 1 << 20,
  minVersion: 'TLSv1.3',                // the comparison is TLS 1.3 everywhere
  ciphers: TLS13_SUITE,
  headers: {},
};
if (opt.ca) clientOptions.ca = fs.readFileSync(opt.ca);
if (opt.token) clientOptions.headers.Authorization = `Bearer ${opt.token}`;
if (opt.origin) clientOptions.origin = opt.origin;

// ---- CPU time from /proc ---------------------------------------------------------------------------
const pidList = s => String(s).split(',').filter(Boolean).map(Number);
const proxyPids = pidList(opt['proxy-pids']);
const upstreamPids = pidList(opt['upstream-pid']);

function descendants(pid, into) {
  into.push(pid);
  let tasks = [];
  try { tasks = fs.readdirSync(`/proc/${pid}/task`); } catch { return into; }
  for (const tid of tasks) {
    let children = '';
    try { children = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8'); } catch { continue; }
    for (const child of children.split(' ').filter(Boolean)) descendants(Number(child), into);
  }
  return into;
}

/** CPU seconds (user + system, every thread) of the processes and their descendants, or null without any. */
function cpuSeconds(pids) {
  if (pids.length === 0) return null;
  let ticks = 0;
  for (const pid of pids.flatMap(p => descendants(p, []))) {
    let stat;
    try { stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }   // gone since
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');   // fields[0] is field 3 (state)
    ticks += Number(fields[11]) + Number(fields[12]);                  // 14 utime, 15 stime
  }
  return ticks / opt['clk-tck'];
}

/** Busy seconds of one core since boot (/proc/stat: everything but idle and iowait), or null. */
function coreBusySeconds(core) {
  if (core < 0) return null;
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n').find(l => l.startsWith(`cpu${core} `));
  if (!line) return null;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / opt['clk-tck'];
}

function snapshot(counters) {
  const own = process.cpuUsage();
  return { at: process.hrtime.bigint(), proxy: cpuSeconds(proxyPids), upstream: cpuSeconds(upstreamPids),
    loadgen: (own.user + own.system) / 1e6, core: coreBusySeconds(opt['proxy-core']),
    clientCore: coreBusySeconds(opt['client-core']), ...counters };
}

/** The window between two snapshots: its length, CPU seconds of each party, shares of the proxy core. */
function between(a, b) {
  const diff = (x, y) => (x === null || y === null ? null : y - x);
  const seconds = Number(b.at - a.at) / 1e9;
  const proxyCpu = diff(a.proxy, b.proxy);
  const coreBusy = diff(a.core, b.core);
  const clientCoreBusy = diff(a.clientCore, b.clientCore);
  const upstreamCpu = diff(a.upstream, b.upstream);
  const loadgenCpu = b.loadgen - a.loadgen;
  return { seconds, proxyCpu, upstreamCpu, loadgenCpu,
    shares: {
      proxyCpuShare: proxyCpu === null ? null : proxyCpu / seconds,
      otherCpuShareOnProxyCore: coreBusy === null ? null : Math.max(0, coreBusy - (proxyCpu || 0)) / seconds,
      otherCpuShareOnClientCore: clientCoreBusy === null ? null
        : Math.max(0, clientCoreBusy - loadgenCpu - (upstreamCpu || 0)) / seconds,
    } };
}

const perUnit = (cpuSecondsValue, units, scale) => (cpuSecondsValue === null || units === 0 ? null : cpuSecondsValue * scale / units);
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Resolves when done() holds (checked every few ms) or after DRAIN_MS, whichever comes first. */
async function drained(done) {
  const deadline = Date.now() + DRAIN_MS;
  while (!done() && Date.now() < deadline) await sleep(5);
}

// ---- connections ----------------------------------------------------------------------------------
let tls = null;                         // protocol and cipher of the first connection, for the report

function connect() {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const ws = new WebSocket(opt.url, clientOptions);
    ws.binaryType = 'nodebuffer';
    const onError = error => reject(error);
    ws.once('error', onError);
    ws.once('unexpected-response', (req, res) => { reject(new Error(`HTTP ${res.statusCode}`)); req.destroy(); });
    ws.once('open', () => {
      ws.off('error', onError);
      ws.on('error', () => {});
      if (!tls && ws._socket && ws._socket.getProtocol) {
        tls = { protocol: ws._socket.getProtocol(), cipher: ws._socket.getCipher().standardName,
          group: (ws._socket.getEphemeralKeyInfo() || {}).name };
      }
      ws.handshakeMs = Number(process.hrtime.bigint() - started) / 1e6;
      resolve(ws);
    });
  });
}

async function openMany(count, parallel, into) {
  let next = 0;
  let failures = 0;
  let lastError = null;
  async function worker() {
    while (next < count) {
      next++;
      try { into.push(await connect()); } catch (error) { failures++; lastError = error.message; }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, count)) }, worker));
  return { failures, lastError };
}

async function closeAll(sockets) {
  await Promise.race([
    Promise.all(sockets.map(ws => new Promise(resolve => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once('close', resolve);
      ws.close(1000, 'done');
    }))),
    sleep(DRAIN_MS * 5),
  ]);
  for (const ws of sockets) ws.terminate();
}

/** A text message of exactly `bytes` bytes that is well-formed JSON, with room for a timestamp. */
function payload(bytes) {
  const head = `{"ts":"${'0'.repeat(TIMESTAMP_DIGITS)}","p":"`;
  const tail = '"}';
  const minimum = head.length + tail.length;
  if (bytes < minimum) fail(`--bytes must be at least ${minimum}`, 64);
  return Buffer.from(head + 'x'.repeat(bytes - minimum) + tail, 'latin1');
}

// A connection that closes while a run is going on is an error worth reporting, with its close code.
let stopping = false;
let unexpectedCloses = 0;
let lastClose = null;
function watchClose(ws) {
  ws.on('close', code => { if (!stopping) { unexpectedCloses++; lastClose = code; } });
}

// ---- modes ----------------------------------------------------------------------------------------
async function throughput() {
  const sockets = [];
  const open = await openMany(opt.connections, opt.connections, sockets);
  if (sockets.length === 0) fail(`no connection opened: ${open.lastError}`);
  const message = payload(opt.bytes);
  let roundTrips = 0;
  let wrongReplies = 0;
  let sending = true;
  let sent = 0;
  for (const ws of sockets) {
    watchClose(ws);
    ws.on('message', data => {
      if (data.length === message.length) roundTrips++; else wrongReplies++;
      if (sending) { ws.send(message, { binary: false }); sent++; }
    });
    for (let i = 0; i < opt['in-flight']; i++) { ws.send(message, { binary: false }); sent++; }
  }
  await sleep(opt.warmup * 1000);
  const a = snapshot({ roundTrips });
  await sleep(opt.seconds * 1000);
  const b = snapshot({ roundTrips });
  sending = false;
  stopping = true;
  await drained(() => roundTrips + wrongReplies >= sent);
  await closeAll(sockets);
  const w = between(a, b);
  const rt = b.roundTrips - a.roundTrips;
  const messages = 2 * rt;
  return {
    mode: 'throughput', bytes: opt.bytes, connections: sockets.length, openFailures: open.failures,
    inFlight: opt['in-flight'], seconds: w.seconds, roundTrips: rt, roundTripsPerSec: rt / w.seconds,
    messagesPerSec: messages / w.seconds, proxyCpuSeconds: w.proxyCpu,
    proxyCpuUsPerMsg: perUnit(w.proxyCpu, messages, 1e6), upstreamCpuUsPerMsg: perUnit(w.upstreamCpu, messages, 1e6),
    loadgenCpuUsPerMsg: perUnit(w.loadgenCpu, messages, 1e6), ...w.shares,
    wrongReplies, unexpectedCloses, lastClose, tls,
  };
}

async function latency() {
  const sockets = [];
  const open = await openMany(opt.connections, opt.connections, sockets);
  if (sockets.length === 0) fail(`no connection opened: ${open.lastError}`);
  const template = payload(opt.bytes);
  const capacity = Math.ceil(opt.rate * (opt.seconds + 1) * 1.2) + 1000;
  const samples = new Float64Array(capacity);       // round trips in µs, measured window only
  let count = 0;
  let received = 0;
  let wrongReplies = 0;
  let measureFrom = 0n;                              // sends before this instant are warm-up
  let measureUntil = 0n;
  let sentMeasured = 0;
  for (const ws of sockets) {
    watchClose(ws);
    ws.on('message', data => {
      const now = process.hrtime.bigint();
      if (data.length !== template.length) { wrongReplies++; return; }
      received++;
      const sentAt = BigInt(data.toString('latin1', TIMESTAMP_OFFSET, TIMESTAMP_OFFSET + TIMESTAMP_DIGITS));
      if (sentAt >= measureFrom && sentAt < measureUntil && count < capacity) {
        samples[count++] = Number(now - sentAt) / 1000;
      }
    });
  }
  const start = process.hrtime.bigint();
  measureFrom = start + BigInt(Math.round(opt.warmup * 1e9));
  measureUntil = measureFrom + BigInt(Math.round(opt.seconds * 1e9));
  let sent = 0;
  let nextSocket = 0;
  let windowStart = null;
  // Open loop: every tick sends what the schedule says is due, whatever came back.
  await new Promise(resolve => {
    const timer = setInterval(() => {
      const now = process.hrtime.bigint();
      if (now >= measureUntil) { clearInterval(timer); resolve(); return; }
      const due = Math.floor(Number(now - start) / 1e9 * opt.rate) - sent;
      for (let i = 0; i < due; i++) {
        const ws = sockets[nextSocket];
        nextSocket = (nextSocket + 1) % sockets.length;
        const message = Buffer.from(template);
        const sentAt = process.hrtime.bigint();
        message.write(String(sentAt).padStart(TIMESTAMP_DIGITS, '0'), TIMESTAMP_OFFSET, 'latin1');
        ws.send(message, { binary: false });
        sent++;
        if (sentAt >= measureFrom && sentAt < measureUntil) sentMeasured++;
      }
    }, LATENCY_TICK_MS);
    // CPU is read over the measured window only.
    setTimeout(() => { windowStart = snapshot({}); }, Number(measureFrom - start) / 1e6);
  });
  const windowEnd = snapshot({});
  stopping = true;
  await drained(() => received + wrongReplies >= sent);
  await closeAll(sockets);
  const sorted = samples.subarray(0, count).sort();
  const pct = p => (count === 0 ? null : sorted[Math.min(count - 1, Math.ceil(p / 100 * count) - 1)] / 1000);
  const w = between(windowStart, windowEnd);
  return {
    mode: 'latency', bytes: opt.bytes, connections: sockets.length, openFailures: open.failures,
    offeredPerSec: opt.rate, seconds: w.seconds, samples: count, sentMeasured, lost: sentMeasured - count,
    receivedPerSec: count / opt.seconds, saturated: count < 0.98 * sentMeasured,
    p50Ms: pct(50), p90Ms: pct(90), p99Ms: pct(99), p999Ms: pct(99.9), maxMs: count ? sorted[count - 1] / 1000 : null,
    proxyCpuUsPerMsg: perUnit(w.proxyCpu, 2 * count, 1e6), loadgenCpuUsPerMsg: perUnit(w.loadgenCpu, 2 * count, 1e6),
    ...w.shares,
    wrongReplies, unexpectedCloses, lastClose, tls, sent,
  };
}

async function churn() {
  let handshakes = 0;
  let failures = 0;
  let lastError = null;
  let running = true;
  const times = [];
  let measuring = false;
  const began = process.hrtime.bigint();
  let firstHandshakeMs = null;          // from the start of the run: how long a fresh process makes its first client wait
  async function loop() {
    while (running) {
      let ws;
      try {
        ws = await connect();
      } catch (error) {
        failures++;
        lastError = error.message;
        await sleep(CHURN_RETRY_DELAY_MS);
        continue;
      }
      handshakes++;
      if (firstHandshakeMs === null) firstHandshakeMs = Number(process.hrtime.bigint() - began) / 1e6;
      if (measuring) times.push(ws.handshakeMs);
      await new Promise(resolve => { ws.once('close', resolve); ws.close(1000, 'churn'); });
    }
  }
  const loops = Array.from({ length: opt.parallel }, loop);
  await sleep(opt.warmup * 1000);
  const a = snapshot({ handshakes, failures });
  measuring = true;
  await sleep(opt.seconds * 1000);
  const b = snapshot({ handshakes, failures });
  running = false;
  await Promise.race([Promise.all(loops), sleep(HANDSHAKE_TIMEOUT_MS)]);
  const w = between(a, b);
  const n = b.handshakes - a.handshakes;
  times.sort((x, y) => x - y);
  const pct = p => (times.length ? times[Math.min(times.length - 1, Math.ceil(p / 100 * times.length) - 1)] : null);
  return {
    mode: 'churn', parallel: opt.parallel, warmupSeconds: opt.warmup, seconds: w.seconds, handshakes: n,
    handshakesPerSec: n / w.seconds, failures: b.failures - a.failures, lastError,
    proxyCpuMsPerHandshake: perUnit(w.proxyCpu, n, 1e3), upstreamCpuMsPerHandshake: perUnit(w.upstreamCpu, n, 1e3),
    loadgenCpuMsPerHandshake: perUnit(w.loadgenCpu, n, 1e3), ...w.shares,
    handshakeP50Ms: pct(50), handshakeP99Ms: pct(99), firstHandshakeMs, tls,
  };
}

async function idle() {
  const stages = String(opt.stages).split(',').map(Number);
  if (stages.some((n, i) => !Number.isInteger(n) || n < 1 || (i > 0 && n <= stages[i - 1]))) {
    fail('--stages must be increasing positive integers', 64);
  }
  const sockets = [];
  const reached = [];
  let proceed = null;
  process.on('SIGUSR1', () => { if (proceed) { const p = proceed; proceed = null; p(); } });
  for (const stage of stages) {
    const started = process.hrtime.bigint();
    const open = await openMany(stage - sockets.length, opt.parallel, sockets);
    for (const ws of sockets) if (!ws.watched) { ws.watched = true; watchClose(ws); }
    reached.push({ stage, open: sockets.length, failures: open.failures, lastError: open.lastError,
      openSeconds: Number(process.hrtime.bigint() - started) / 1e9 });
    const wait = new Promise(resolve => { proceed = resolve; });
    process.stdout.write(`READY ${sockets.length}\n`);
    await wait;
  }
  stopping = true;
  const rssMiB = process.memoryUsage().rss / 1048576;
  await closeAll(sockets);
  return { mode: 'idle', stages: reached, unexpectedCloses, lastClose, loadgenRssMiB: rssMiB, tls };
}

const modes = { throughput, latency, churn, idle };
if (!modes[mode]) fail(`unknown mode "${mode}" (throughput, latency, churn, idle)`, 64);
modes[mode]().then(result => {
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}, error => fail(error.stack || String(error)));
