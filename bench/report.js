// The report of scripts/bench: reads <out>/raw (the load generator's JSON per proxy and phase, the PSS
// samples, the run's metadata), prints the table (absolute figures and ratios to nginx) and the targets
// of issue 13, and writes <out>/results.json and <out>/bench.svg (ratios to nginx, drawn here).
//
//   node bench/report.js OUT_DIR PROXY...
'use strict';
const fs = require('fs');
const path = require('path');

const [outDir, ...proxies] = process.argv.slice(2);
if (!outDir || proxies.length === 0) {
  console.error('usage: node bench/report.js OUT_DIR PROXY...');
  process.exit(64);
}
const raw = path.join(outDir, 'raw');
const REFERENCE = 'nginx';
const PSS_TARGET_KIB = 16;            // issue 13: at most this much PSS per idle proxied connection
const BUSY_LOAD_AVERAGE = 0.5;        // a 1-minute load average above this before the run: others compete for the cores
const COMPARED = ['haproxy', 'wsgate-relay', 'wsgate-full'];   // the bars of the plot

const readJson = file => {
  try { return JSON.parse(fs.readFileSync(path.join(raw, file), 'utf8').trim().split('\n').pop()); } catch { return null; }
};
const meta = Object.fromEntries(fs.readFileSync(path.join(raw, 'meta.tsv'), 'utf8').trim().split('\n')
  .map(line => [line.slice(0, line.indexOf('\t')), line.slice(line.indexOf('\t') + 1)]));

// ---- the figures, per proxy ---------------------------------------------------------------------------
// Phases measured in rounds (<proxy>.<phase>.r<N>.json) are summarized by the median of each figure over
// the rounds; counts of things that went wrong are added up instead, and the rounds are kept as they were.
const COUNTS = ['openFailures', 'failures', 'wrongReplies', 'unexpectedCloses', 'lost'];
const median = xs => {
  const v = xs.filter(x => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
function summarize(rounds) {
  if (rounds.length === 0) return null;
  const out = { ...rounds[rounds.length - 1], rounds };
  for (const key of Object.keys(out)) {
    if (key === 'rounds' || typeof rounds[0][key] !== 'number') continue;
    out[key] = COUNTS.includes(key) ? rounds.reduce((sum, r) => sum + (r[key] || 0), 0) : median(rounds.map(r => r[key]));
  }
  out.saturated = rounds.some(r => r.saturated);
  return out;
}
const files = fs.readdirSync(raw);
const figures = {};
for (const proxy of proxies) {
  const phase = name => readJson(`${proxy}.${name}.json`);
  const inRounds = name => summarize(files.filter(f => f.startsWith(`${proxy}.${name}.r`) && f.endsWith('.json'))
    .sort().map(readJson).filter(Boolean));
  const pss = fs.existsSync(path.join(raw, `${proxy}.pss.tsv`))
    ? fs.readFileSync(path.join(raw, `${proxy}.pss.tsv`), 'utf8').trim().split('\n').map(l => l.split('\t').map(Number))
    : [];
  const [, , baselinePss, baselineRss] = pss[0] || [];
  const sizesMeasured = [...new Set(files.filter(f => f.startsWith(`${proxy}.throughput-`))
    .map(f => Number(f.slice(`${proxy}.throughput-`.length).split('.')[0])))];
  figures[proxy] = {
    cpus: fs.existsSync(path.join(raw, `${proxy}.cpus`)) ? fs.readFileSync(path.join(raw, `${proxy}.cpus`), 'utf8').trim() : null,
    cold: phase('cold'), warmup: phase('warmup'), idle: phase('idle'), churn: inRounds('churn'), latency: inRounds('latency'),
    throughput: Object.fromEntries(sizesMeasured.map(b => [b, inRounds(`throughput-${b}`)])),
    pss: pss.slice(1).map(([stage, connections, pssKb, rssKb]) => ({
      stage, connections, pssKiB: pssKb, baselinePssKiB: baselinePss, rssKiB: rssKb, baselineRssKiB: baselineRss,
      pssKiBPerConnection: (pssKb - baselinePss) / connections, rssKiBPerConnection: (rssKb - baselineRss) / connections,
    })),
  };
}

// ---- the rows of the table ----------------------------------------------------------------------------
const sizes = [...new Set(proxies.flatMap(p => Object.keys(figures[p].throughput).map(Number)))].sort((a, b) => a - b);
const sizeName = b => (b >= 1024 ? `${b / 1024} KiB` : `${b} B`);
const idleCounts = [...new Set(proxies.flatMap(p => figures[p].pss.map(s => s.stage)))];
const t = (p, b) => figures[p].throughput[b];
const n = x => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const rows = [
  ...sizes.map(b => ({ key: `rt${b}`, label: `round trips/s, ${sizeName(b)}`, unit: '/s', digits: 0, get: p => n(t(p, b)?.roundTripsPerSec) })),
  ...sizes.map(b => ({ key: `cpu${b}`, label: `proxy CPU per message, ${sizeName(b)}`, unit: 'µs', digits: 2, get: p => n(t(p, b)?.proxyCpuUsPerMsg), plot: true })),
  ...sizes.map(b => ({ key: `busy${b}`, label: `proxy core used by proxy, ${sizeName(b)}`, unit: '%', digits: 0, noRatio: true, get: p => pct(t(p, b)?.proxyCpuShare) })),
  ...sizes.map(b => ({ key: `lg${b}`, label: `load generator CPU per message, ${sizeName(b)}`, unit: 'µs', digits: 2, get: p => n(t(p, b)?.loadgenCpuUsPerMsg) })),
  { key: 'p50', label: `latency p50 at ${rate()} msg/s`, unit: 'ms', digits: 3, get: p => n(figures[p].latency?.p50Ms) },
  { key: 'p99', label: `latency p99 at ${rate()} msg/s`, unit: 'ms', digits: 3, get: p => n(figures[p].latency?.p99Ms), plot: true },
  { key: 'p999', label: `latency p99.9 at ${rate()} msg/s`, unit: 'ms', digits: 3, get: p => n(figures[p].latency?.p999Ms), plot: true },
  { key: 'latcpu', label: `proxy CPU per message at ${rate()} msg/s`, unit: 'µs', digits: 2, get: p => n(figures[p].latency?.proxyCpuUsPerMsg) },
  { key: 'hsWarm', label: 'proxy CPU per handshake, warm', unit: 'ms', digits: 3, get: p => n(figures[p].churn?.proxyCpuMsPerHandshake), plot: true },
  { key: 'hsWarmRate', label: 'handshakes/s, warm', unit: '/s', digits: 0, get: p => n(figures[p].churn?.handshakesPerSec) },
  { key: 'hsCold', label: `proxy CPU per handshake, first ${coldSeconds()} s`, unit: 'ms', digits: 3, get: p => n(figures[p].cold?.proxyCpuMsPerHandshake), plot: true },
  { key: 'hsColdRate', label: `handshakes/s, first ${coldSeconds()} s`, unit: '/s', digits: 0, get: p => n(figures[p].cold?.handshakesPerSec) },
  { key: 'hsFirst', label: 'first handshake of a fresh process done after', unit: 'ms', digits: 0, get: p => n(figures[p].cold?.firstHandshakeMs) },
  { key: 'lgHs', label: 'load generator CPU per handshake', unit: 'ms', digits: 3, get: p => n(figures[p].churn?.loadgenCpuMsPerHandshake) },
  ...idleCounts.map(c => ({ key: `pss${c}`, label: `PSS per idle connection, ${c.toLocaleString('en-US')}`, unit: 'KiB', digits: 1, get: p => n(figures[p].pss.find(s => s.stage === c)?.pssKiBPerConnection), plot: true })),
  { key: 'spread', label: 'CPU per message, spread over rounds (max)', unit: '%', digits: 0, noRatio: true, get: p => pct(spread(p)) },
  { key: 'noise', label: 'others on the proxy core (max)', unit: '%', digits: 0, noRatio: true, get: p => pct(noise(p, 'otherCpuShareOnProxyCore')) },
  { key: 'noiseClient', label: 'others on the load generator core (max)', unit: '%', digits: 0, noRatio: true, get: p => pct(noise(p, 'otherCpuShareOnClientCore')) },
];
function rate() { return proxies.map(p => figures[p].latency?.offeredPerSec).find(Boolean) || '?'; }
function coldSeconds() { return Math.round(proxies.map(p => figures[p].cold?.seconds).find(Boolean) || 0) || '?'; }
function pct(share) { return typeof share === 'number' ? share * 100 : null; }
/** The worst window of a proxy: the largest share of a core that other processes took. */
function noise(p, key) {
  const f = figures[p];
  const windows = [f.cold, ...[f.churn, f.latency, ...Object.values(f.throughput)].flatMap(r => r?.rounds || [])];
  const shares = windows.map(r => r?.[key]).filter(x => typeof x === 'number');
  return shares.length ? Math.max(...shares) : null;
}
/** max / min - 1 of the proxy CPU per message over the rounds, the largest over the message sizes. */
function spread(p) {
  const spreads = Object.values(figures[p].throughput).map(r => {
    const v = (r?.rounds || []).map(x => x.proxyCpuUsPerMsg).filter(x => typeof x === 'number' && x > 0);
    return v.length > 1 ? Math.max(...v) / Math.min(...v) - 1 : null;
  }).filter(x => x !== null);
  return spreads.length ? Math.max(...spreads) : null;
}

const ratio = (row, p) => {
  const v = row.get(p);
  const ref = proxies.includes(REFERENCE) ? row.get(REFERENCE) : null;
  return v === null || !ref ? null : v / ref;
};

// ---- the table ----------------------------------------------------------------------------------------
const fmt = (v, digits) => (v === null ? '-' : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const cell = (row, p) => {
  const v = row.get(p);
  if (v === null) return '-';
  const r = ratio(row, p);
  return `${fmt(v, row.digits)}${r === null || p === REFERENCE || row.noRatio ? '' : ` (${r.toFixed(2)}×)`}`;
};
const labelWidth = Math.max(...rows.map(r => `${r.label} (${r.unit})`.length));
const widths = proxies.map(p => Math.max(p.length, ...rows.map(r => cell(r, p).length)));
const line = cells => cells.map((c, i) => (i === 0 ? c.padEnd(labelWidth) : c.padStart(widths[i - 1]))).join('  ');
const printed = [];
const print = s => { printed.push(s); console.log(s); };

print(`wsgate benchmark (${meta.mode}${meta.mode === 'smoke' ? ': tiny sizes, the figures mean nothing' : ''}), ${meta.date}`);
print(`machine: ${meta.machine}; ${meta.cores}`);
print(`versions: ${meta.java}; ${meta.nginx}; ${meta.haproxy}; node ${meta.node}; ${meta.openssl}`);
print(`load average before ${meta.loadBefore}, after ${meta.loadAfter}; run took ${meta.seconds} s`);
print(`settings: ${meta.settings}; figures measured in rounds are medians over the rounds`);
const loadBefore = Number(String(meta.loadBefore).split(' ')[0]);
if (loadBefore > BUSY_LOAD_AVERAGE) {
  print(`WARNING: the load average was ${loadBefore} before the run: other processes competed for the cores, so`);
  print('throughput and latency are preliminary (CPU per message and per handshake, counted per process, suffer less).');
}
const tlsSeen = [...new Set(proxies.map(p => figures[p].churn?.tls || figures[p].latency?.tls).filter(Boolean).map(x => `${x.protocol} ${x.cipher} ${x.group}`))];
print(`TLS negotiated: ${tlsSeen.join(', ') || '-'}; proxy CPUs: ${proxies.filter(p => figures[p].cpus).map(p => `${p} ${figures[p].cpus}`).join(', ')}`);
print('');
print(line(['', ...proxies]));
for (const row of rows) print(line([`${row.label} (${row.unit})`, ...proxies.map(p => cell(row, p))]));
print('');
print(`(×) = ratio to ${REFERENCE} in this run. A message is one relayed in one direction (a round trip is two).`);
print('Handshake = TLS 1.3 (ECDSA P-256) + WebSocket upgrade (+ the upstream\'s) + close. "-" = not measured.');

// Anything that went wrong in a phase: the figures of that phase are suspect, and the table says so.
const problems = [];
for (const p of proxies) {
  const f = figures[p];
  const phases = { cold: f.cold, churn: f.churn, latency: f.latency, idle: f.idle,
    ...Object.fromEntries(Object.entries(f.throughput).map(([b, r]) => [`throughput ${sizeName(Number(b))}`, r])) };
  for (const [name, r] of Object.entries(phases)) {
    if (!r) continue;
    const issues = [];
    if (r.openFailures) issues.push(`${r.openFailures} connections failed to open`);
    if (r.failures) issues.push(`${r.failures} handshakes failed (${r.lastError})`);
    if (r.wrongReplies) issues.push(`${r.wrongReplies} replies were not the echo (drop notices?)`);
    if (r.unexpectedCloses) issues.push(`${r.unexpectedCloses} connections closed during the run (last code ${r.lastClose})`);
    if (r.lost > 0) issues.push(`${r.lost} messages not answered`);
    if (r.saturated) issues.push('the offered rate was not sustained (saturated)');
    for (const stage of r.stages || []) {
      if (stage.failures) issues.push(`${stage.failures} of ${stage.stage} idle connections failed to open (${stage.lastError})`);
    }
    if (issues.length) problems.push(`${p} ${name}: ${issues.join('; ')}`);
  }
}
if (problems.length) {
  print('');
  print('PROBLEMS (the figures of these phases are suspect):');
  for (const x of problems) print(`  ${x}`);
}

// ---- the targets (issue 13) ---------------------------------------------------------------------------
const byKey = Object.fromEntries(rows.map(r => [r.key, r]));
const rel = (key, p, refKey = key) => {
  if (!proxies.includes(p)) return null;
  const v = byKey[key]?.get(p);
  const ref = proxies.includes(REFERENCE) ? byKey[refKey]?.get(REFERENCE) : null;
  return v === null || v === undefined || !ref ? null : v / ref;
};
const targets = [
  ...[64, 1024].flatMap(b => [
    { what: `wsgate-full CPU per message, ${sizeName(b)}`, limit: 1.3, kind: '× nginx', value: rel(`cpu${b}`, 'wsgate-full') },
    { what: `wsgate-relay CPU per message, ${sizeName(b)}`, limit: 1.0, kind: '× nginx', value: rel(`cpu${b}`, 'wsgate-relay') },
  ]),
  { what: 'wsgate-full CPU per handshake (TLS + JWT), warm', limit: 1.0, kind: '× nginx warm', value: rel('hsWarm', 'wsgate-full') },
  { what: `wsgate-full CPU per handshake, first ${coldSeconds()} s of a fresh process`, limit: 2.0, kind: '× nginx warm', value: rel('hsCold', 'wsgate-full', 'hsWarm') },
  ...['wsgate-relay', 'wsgate-full'].flatMap(p => [
    { what: `${p} latency p99`, limit: 1.2, kind: '× nginx', value: rel('p99', p) },
    { what: `${p} latency p99.9`, limit: 1.5, kind: '× nginx', value: rel('p999', p) },
    ...idleCounts.map(c => ({ what: `${p} PSS per idle connection at ${c.toLocaleString('en-US')}`, limit: PSS_TARGET_KIB, kind: 'KiB',
      value: proxies.includes(p) ? byKey[`pss${c}`].get(p) : null })),
  ]),
].filter(x => x.value !== null && x.value !== undefined);
for (const x of targets) {
  x.holds = x.value <= x.limit;
  x.verdict = x.holds ? 'holds' : `misses by ${((x.value / x.limit - 1) * 100).toFixed(0)}%`;
}
if (targets.length) {
  print('');
  print(`targets (issue 13)${meta.mode === 'smoke' ? ' — smoke run: not judged' : ''}:`);
  const w = Math.max(...targets.map(x => x.what.length));
  for (const x of targets) {
    const value = x.kind === 'KiB' ? `${x.value.toFixed(1)} KiB` : `${x.value.toFixed(2)}×`;
    const limit = x.kind === 'KiB' ? `<= ${x.limit} KiB` : `<= ${x.limit.toFixed(1)}${x.kind}`;
    print(`  ${x.what.padEnd(w)}  ${value.padStart(9)}  ${limit.padEnd(18)} ${meta.mode === 'smoke' ? '' : x.verdict}`);
  }
}

// ---- results.json and bench.svg ----------------------------------------------------------------------
const table = Object.fromEntries(rows.map(r => [r.key, { label: r.label, unit: r.unit,
  values: Object.fromEntries(proxies.map(p => [p, r.get(p)])), ratiosToNginx: Object.fromEntries(proxies.map(p => [p, ratio(r, p)])) }]));
fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify({ meta, proxies, table, targets, problems, raw: figures }, null, 2) + '\n');
fs.writeFileSync(path.join(outDir, 'table.txt'), printed.join('\n') + '\n');
fs.writeFileSync(path.join(outDir, 'bench.svg'), svg());
console.log(`\nwrote ${path.join(outDir, 'results.json')}, table.txt and bench.svg`);

function svg() {
  const plotted = rows.filter(r => r.plot && COMPARED.some(p => proxies.includes(p) && ratio(r, p) !== null));
  const bars = COMPARED.filter(p => proxies.includes(p));
  const colors = { haproxy: '#8c8c8c', 'wsgate-relay': '#4e79a7', 'wsgate-full': '#f28e2b' };
  const limits = Object.fromEntries(targets.filter(x => x.kind !== 'KiB').map(x => [x.what, x.limit]));
  const targetFor = (row, p) => {
    if (row.key.startsWith('cpu')) return limits[`${p} CPU per message, ${row.label.split(', ')[1]}`];
    if (row.key === 'p99') return limits[`${p} latency p99`];
    if (row.key === 'p999') return limits[`${p} latency p99.9`];
    if (row.key === 'hsWarm' && p === 'wsgate-full') return 1.0;
    // The memory target is absolute: drawn where it falls on this run's nginx scale.
    if (row.key.startsWith('pss') && p.startsWith('wsgate') && row.get(REFERENCE)) return PSS_TARGET_KIB / row.get(REFERENCE);
    return undefined;
  };
  const maxRatio = Math.max(2, ...plotted.flatMap(r => bars.map(p => ratio(r, p) || 0)));
  const scaleMax = Math.min(Math.ceil(maxRatio * 2) / 2, 8);
  const left = 290, width = 560, barH = 14, gap = 12, top = 88;
  const groupH = bars.length * barH + gap;
  const height = top + plotted.length * groupH + 60;
  const x = r => left + Math.min(r, scaleMax) / scaleMax * width;
  const esc = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 90}" height="${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="10" y="20" font-size="15" font-weight="bold">${esc(`wsgate benchmark: ratio to nginx (lower is better), ${meta.date}${meta.mode === 'smoke' ? ' — SMOKE, not meaningful' : ''}`)}</text>`);
  parts.push(`<text x="10" y="38" fill="#555">${esc(`${meta.machine}; load average ${String(meta.loadBefore).split(' ')[0]} before the run`)}</text>`);
  parts.push(`<text x="10" y="54" fill="#555">${esc('each proxy pinned to one core; TLS 1.3, ECDSA P-256; medians over the rounds; red ticks: the targets')}</text>`);
  bars.forEach((p, i) => {
    parts.push(`<rect x="${left + i * 150}" y="64" width="12" height="12" fill="${colors[p]}"/><text x="${left + i * 150 + 16}" y="74">${p}</text>`);
  });
  for (let v = 0; v <= scaleMax; v += 0.5) {
    parts.push(`<line x1="${x(v)}" y1="${top - 4}" x2="${x(v)}" y2="${height - 40}" stroke="${v === 1 ? '#000' : '#e3e3e3'}" stroke-width="${v === 1 ? 1.5 : 1}"/>`);
    parts.push(`<text x="${x(v)}" y="${height - 26}" text-anchor="middle" fill="#555">${v}×</text>`);
  }
  parts.push(`<text x="${x(1)}" y="${height - 10}" text-anchor="middle" fill="#555">1× = nginx</text>`);
  plotted.forEach((row, gi) => {
    const y0 = top + gi * groupH;
    parts.push(`<text x="${left - 8}" y="${y0 + bars.length * barH / 2 + 4}" text-anchor="end">${esc(row.label)}</text>`);
    bars.forEach((p, bi) => {
      const r = ratio(row, p);
      if (r === null) return;
      const y = y0 + bi * barH;
      parts.push(`<rect x="${left}" y="${y + 1}" width="${x(r) - left}" height="${barH - 2}" fill="${colors[p]}"/>`);
      parts.push(`<text x="${x(r) + 4}" y="${y + barH - 3}" font-size="10">${r.toFixed(2)}${r > scaleMax ? ' (clipped)' : ''}</text>`);
      const limit = targetFor(row, p);
      if (limit) parts.push(`<line x1="${x(limit)}" y1="${y}" x2="${x(limit)}" y2="${y + barH}" stroke="#d62728" stroke-width="2.5"/>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
