// Real processes for the browser tests: a psm-server with the demo
// authority's reference data, enrolled psm devices, and `psm app` for each
// person, driven by Debian's Chromium through playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = path.resolve(here, '../..');
const buildDir = process.env.PSM_BUILD_DIR || path.join(sourceDir, 'build');
export const serverBin = process.env.PSM_SERVER_BIN || path.join(buildDir, 'server/psm-server');
export const clientBin = process.env.PSM_CLIENT_BIN || path.join(buildDir, 'client/psm');
export const chromiumPath = process.env.PSM_CHROMIUM || '/usr/bin/chromium';
export const artifactsDir = process.env.PSM_BROWSER_ARTIFACTS || path.join(here, 'artifacts');

export const PASSWORD = 'browser-test-password';
// What psm app prints: the launch secret after '#', so the browser never sends it.
const LAUNCH_ADDRESS = /open (http:\/\/127\.0\.0\.1:\d+\/#launch=[0-9a-f]+)/;
export const PASSPHRASE = 'browser test passphrase';

const env = { ...process.env, PSM_PASSWORD: PASSWORD, PSM_PASSPHRASE: PASSPHRASE };

export function run(bin, args, { allowFail = false } = {}) {
  const r = spawnSync(bin, args, { env, encoding: 'utf8', timeout: 60_000 });
  if (!allowFail && r.status !== 0) {
    throw new Error(`${path.basename(bin)} ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  }
  return r;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

// Starts a process and waits until its output matches `ready`; resolves to
// { child, match, output() }.
function startUntil(bin, args, ready, { timeoutMs = 20_000, onUnexpectedExit = () => {}, stdin = 'ignore' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: [stdin, 'pipe', 'pipe'] });
    let output = '';
    let started = false;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${bin} did not start: ${output}`)); }, timeoutMs);
    const onData = (d) => {
      output += d.toString();
      const m = output.match(ready);
      if (m && !started) {
        started = true;
        clearTimeout(timer);
        resolve({ child, match: m, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`${bin} exited ${code}: ${output}`));
      else onUnexpectedExit(`${path.basename(bin)} ${args.join(' ')} stopped unexpectedly (${code ?? signal}):\n${output}`);
    });
  });
}

export function stop(proc) {
  return new Promise((resolve) => {
    if (!proc || proc.child.exitCode !== null) { resolve(); return; }
    proc.child.removeAllListeners('exit');
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
    proc.child.on('exit', () => { clearTimeout(timer); resolve(); });
    proc.child.kill('SIGTERM');
  });
}

// A server with the demo authority's people and placements (scripts/run.sh).
export class World {
  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), 'psm-browser-'));
    this.data = path.join(this.dir, 'server');
    this.server = null;
    this.apps = [];
    this.crashes = [];  // processes that ended without being asked to
  }

  async init(users) {
    this.port = await freePort();
    run(serverBin, ['init', '--data', this.data, '--hostname', 'localhost']);
    run(serverBin, ['import', '--data', this.data, path.join(sourceDir, 'scripts/demo/reference.json')]);
    for (const [username, person, role, name] of users) {
      run(serverBin, ['user', 'add', '--data', this.data, '--username', username, '--person', person, '--role', role, '--name', name]);
    }
  }

  get url() { return `wss://127.0.0.1:${this.port}`; }

  async startServer() {
    this.server = await startUntil(serverBin, ['serve', '--data', this.data, '--listen', `127.0.0.1:${this.port}`], /listening on/,
      { onUnexpectedExit: (m) => this.crashes.push(m) });
  }

  async stopServer() { await stop(this.server); this.server = null; }

  home(who) { return path.join(this.dir, who); }

  enrol(who, username = who) {
    run(clientBin, ['--home', this.home(who), 'enrol', '--server', this.url, '--ca', path.join(this.data, 'tls/ca.pem'),
      '--username', username, '--device-name', `${who}-device`]);
  }

  psm(who, ...args) { return run(clientBin, ['--home', this.home(who), ...args]); }
  psmJson(who, ...args) { return JSON.parse(this.psm(who, ...args, '--json').stdout); }

  // Starts `psm app` for a device; resolves to the address it printed (its
  // launch secret works once; newAddress() asks for another).
  async startApp(who, extra = []) {
    const app = await startUntil(clientBin, ['--home', this.home(who), 'app', '--listen', '127.0.0.1:0', '--sync-every', '2', ...extra],
      LAUNCH_ADDRESS, { onUnexpectedExit: (m) => this.crashes.push(m), stdin: 'pipe' });
    this.apps.push(app);
    return { launchUrl: app.match[1], origin: new URL(app.match[1]).origin, proc: app };
  }

  // Presses Enter in psm app's terminal; resolves to the new address it prints.
  async newAddress(app) {
    const printed = () => [...app.proc.output().matchAll(new RegExp(LAUNCH_ADDRESS, 'g'))].map((m) => m[1]);
    const before = printed().length;
    app.proc.child.stdin.write('\n');
    const deadline = Date.now() + 10_000;
    while (printed().length === before) {
      if (Date.now() > deadline) throw new Error(`psm app printed no new address: ${app.proc.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return printed().at(-1);
  }

  async close() {
    for (const a of this.apps) await stop(a);
    await this.stopServer();
    if (!process.env.PSM_KEEP_TEST_DIRS) rmSync(this.dir, { recursive: true, force: true });
  }
}

export function ensureArtifactsDir() { mkdirSync(artifactsDir, { recursive: true }); return artifactsDir; }

export function axeSource() {
  return readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
}

// Runs axe on the page; returns the serious and critical violations.
export async function seriousViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource());
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export function isoDate(daysFromNow) {
  const d = new Date(Date.now() + daysFromNow * 86400_000);
  return d.toISOString().slice(0, 10);
}
