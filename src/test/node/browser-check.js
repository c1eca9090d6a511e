'use strict';
// Drives the demo chat page (src/main/resources/webroot/index.html) in a real headless Chromium.
//
//   node browser-check.js <page-url> [token] [message]
//
// Opens the page (which connects on load), waits for body[data-state] to settle on open or closed,
// and, given a token, types it into #token and clicks #connect (after a Disconnect if the anonymous
// attempt got in). When open, types the message, clicks #send and waits for the upstream's ack line.
// Prints, one per line:
//   LOG <class> <text>     every #log line, without its time stamp, in order
//   PROTOCOL <p>           the subprotocol the server answered on the page's last WebSocket ('' if none)
//   STATE <state>          the final body[data-state]
// Exit: 0 open and the ack arrived; 1 the page ended closed (refused); 2 open but no ack in time;
// 3 could not run (no chromium, no playwright-core, page did not load). Everything ends by a deadline.

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_MS = 15000;
const HARD_DEADLINE_MS = 60000;
const HINT = 'run `scripts/test` (the README test command: it installs chromium and runs npm ci --prefix src/test/node)';

const [pageUrl, token = '', message = 'hello from chromium'] = process.argv.slice(2);
if (!pageUrl) {
  console.error('usage: node browser-check.js <page-url> [token] [message]');
  process.exit(3);
}

let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (e) {
  console.error('playwright-core is not installed in src/test/node/node_modules: ' + HINT);
  process.exit(3);
}
if (!require('fs').existsSync(CHROMIUM)) {
  console.error(CHROMIUM + ' does not exist: ' + HINT);
  process.exit(3);
}

const fs = require('fs');
const os = require('os');
const path = require('path');
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wsgate-chromium-'));
let browser = null;

async function cleanUp() {
  if (browser) {
    const b = browser;
    browser = null;
    await Promise.race([b.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
  }
  fs.rmSync(profile, { recursive: true, force: true });
}

const hardDeadline = setTimeout(async () => {
  console.error('browser-check.js: still running after ' + HARD_DEADLINE_MS + ' ms');
  await cleanUp();
  process.exit(3);
}, HARD_DEADLINE_MS);

// Records every WebSocket the page makes, so the answered subprotocol (ws.protocol) can be read.
function recordSockets() {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = new Proxy(Native, {
    construct(target, args) {
      const ws = Reflect.construct(target, args);
      window.__sockets.push(ws);
      return ws;
    },
  });
}

// Waits until the page's latest socket has settled: state open or closed, and at least `count` sockets made.
async function settled(page, count) {
  await page.waitForFunction((n) => window.__sockets.length >= n
      && (document.body.dataset.state === 'open' || document.body.dataset.state === 'closed'),
  count, { timeout: STEP_MS });
  return page.evaluate(() => document.body.dataset.state);
}

async function main() {
  // Playwright takes the profile directory as an argument of launchPersistentContext, not as a flag.
  const context = browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: STEP_MS,
    ignoreHTTPSErrors: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  await page.addInitScript(recordSockets);
  await page.goto(pageUrl, { waitUntil: 'load', timeout: STEP_MS });

  let state = await settled(page, 1);
  if (token) {
    if (state === 'open') {
      await page.click('#connect'); // Disconnect the anonymous session first
      await page.waitForFunction(() => document.body.dataset.state === 'closed', null, { timeout: STEP_MS });
    }
    const made = await page.evaluate(() => window.__sockets.length);
    await page.fill('#token', token);
    await page.click('#connect');
    state = await settled(page, made + 1);
  }

  let acked = false;
  if (state === 'open') {
    await page.fill('#message', message);
    await page.click('#send');
    try {
      await page.waitForFunction((m) => Array.from(document.querySelectorAll('#log div.in'))
          .some((d) => d.textContent.endsWith(': ' + m)), message, { timeout: STEP_MS });
      acked = true;
    } catch (e) {
      console.error('no ack line for "' + message + '" within ' + STEP_MS + ' ms');
    }
    state = await page.evaluate(() => document.body.dataset.state);
  }

  const lines = await page.$$eval('#log div', (divs) => divs.map((d) => {
    const text = d.textContent;
    const cut = text.indexOf('  ');
    return d.className + ' ' + (cut >= 0 ? text.slice(cut + 2) : text);
  }));
  for (const line of lines) {
    console.log('LOG ' + line);
  }
  console.log('PROTOCOL ' + await page.evaluate(() => {
    const s = window.__sockets;
    return s.length ? s[s.length - 1].protocol : '';
  }));
  console.log('STATE ' + state);
  return state === 'open' ? (acked ? 0 : 2) : 1;
}

main().then(async (code) => {
  clearTimeout(hardDeadline);
  await cleanUp();
  process.exit(code);
}, async (e) => {
  clearTimeout(hardDeadline);
  console.error('browser-check.js: ' + (e && e.stack || e));
  await cleanUp();
  process.exit(3);
});
