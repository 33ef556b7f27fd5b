// --deterministic: the virtual clock, seeded randomness and virtual timers (src/host/deterministic*.ts),
// exercised directly (no SES): scripts run in child processes that take their globals and builtins from
// makeDeterministicHost, as every compartment of a deterministic run does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { makeDeterministicHost } from '../../dist/host/deterministic.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const hostUrl = pathToFileURL(path.join(here, '../../dist/host/deterministic.js')).href;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-deterministic-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes a script whose body sees the deterministic globals (and `builtins`, `log`) as its own. */
const script = (name, body) => {
  const file = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(file, `
import { makeDeterministicHost } from ${JSON.stringify(hostUrl)};
const host = makeDeterministicHost({ seed: process.env.SEED });
const { Date, Math, performance, crypto, setTimeout, setInterval, setImmediate, clearTimeout, clearInterval, clearImmediate } = host.globals;
const builtins = host.builtins;
const log = (...items) => process.stdout.write(items.join(' ') + '\\n');
${body}
`);
  return file;
};

const run = (file, env = {}) => new Promise((resolve, reject) => {
  const child = spawn(process.execPath, [file], { env: { ...process.env, TZ: 'UTC', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', chunk => { stdout += chunk; });
  child.stderr.on('data', chunk => { stderr += chunk; });
  child.on('error', reject);
  child.on('close', code => resolve({ code, stdout, stderr }));
});

const everything = script('everything', `
log('date', new Date().toISOString(), Date.now(), Date());
log('math', Math.random(), Math.random(), Math.floor(Math.random() * 1000));
log('web', crypto.randomUUID(), Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex'));
const c = builtins.crypto;
log('node', c.randomBytes(8).toString('hex'), c.randomInt(1000000), c.randomUUID(), c.randomFillSync(Buffer.alloc(4)).toString('hex'));
log('perf', performance.now());
setTimeout(() => log('a', Date.now() - host.clock.start, performance.now(), Math.random()), 50);
setTimeout(() => log('b', Date.now() - host.clock.start, performance.now()), 10);
setImmediate(() => log('immediate', performance.now()));
let n = 0;
const interval = setInterval(() => { log('interval', n, performance.now()); if (++n === 3) clearInterval(interval); }, 20);
c.randomBytes(4, (error, bytes) => log('async bytes', error, bytes.toString('hex'), performance.now()));
builtins['timers/promises'].setTimeout(30, 'value').then(value => log('promise', value, performance.now()));
setTimeout(() => log('late', new Date().toISOString()), 3600 * 1000);
`);

test('the same seed prints the same bytes; the clock starts at the fixed epoch and moves only with virtual timers', async () => {
  const first = await run(everything, { SEED: 'alpha' });
  const second = await run(everything, { SEED: 'alpha' });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, second.stdout);
  const lines = first.stdout.trim().split('\n');
  assert.equal(lines[0], 'date 2020-01-01T00:00:00.000Z 1577836800000 Wed Jan 01 2020 00:00:00 GMT+0000 (Coordinated Universal Time)');
  const order = lines.slice(5).map(line => line.split(' ').slice(0, 2).join(' '));
  assert.deepEqual(order, ['immediate 0', 'async bytes', 'b 10', 'interval 0', 'promise value', 'interval 1', 'a 50', 'interval 2', 'late 2020-01-01T01:00:00.000Z']);
  assert.ok(lines.includes('interval 2 60'), first.stdout);
  assert.match(first.stdout, /^a 50 50 0\.\d+$/m);
});

test('a different seed gives different random values (and the same clock)', async () => {
  const alpha = (await run(everything, { SEED: 'alpha' })).stdout.split('\n');
  const beta = (await run(everything, { SEED: 'beta' })).stdout.split('\n');
  assert.equal(alpha[0], beta[0]);
  for (const index of [1, 2, 3]) assert.notEqual(alpha[index], beta[index]);
  // Seeds are text: 42 and '42' are one seed.
  assert.equal(makeDeterministicHost({ seed: 42 }).globals.Math.random(), makeDeterministicHost({ seed: '42' }).globals.Math.random());
});

test('setTimeout(a, 50); setTimeout(b, 10) runs b then a; timers due at once run in insertion order, immediates before the clock moves', async () => {
  const file = script('order', `
setTimeout(() => log('a'), 50);
setTimeout(() => log('b'), 10);
setTimeout(() => { log('c'); setTimeout(() => log('e'), 0); setImmediate(() => log('d')); }, 10);
setTimeout(() => log('f'), 11);
`);
  for (let i = 0; i < 3; i += 1) assert.equal((await run(file)).stdout, 'b\nc\nd\nf\ne\na\n');
});

test('timer objects have Node\'s shape: ref/unref/hasRef/refresh/close, a numeric id clearTimeout takes', async () => {
  const file = script('shape', `
const t = setTimeout(() => log('cleared by id: never'), 5);
log('hasRef', t.hasRef(), t.unref() === t, t.hasRef(), t.ref().hasRef());
clearTimeout(+t);
const r = setTimeout(() => log('refreshed', performance.now()), 10);
setTimeout(() => r.refresh(), 8);
const closed = setTimeout(() => log('closed: never'), 1);
closed.close();
const i = setImmediate(() => log('immediate: never'));
clearImmediate(i);
setImmediate((x, y) => log('args', x, y), 1, 2);
setTimeout(() => log('unref: never'), 1000).unref();
let threw = false;
try { setTimeout('code'); } catch (error) { threw = error.code; }
log('string callback', threw);
`);
  const { stdout, stderr, code } = await run(file);
  assert.equal(code, 0, stderr);
  assert.equal(stdout, 'hasRef true true false true\nstring callback ERR_INVALID_ARG_TYPE\nargs 1 2\nrefreshed 18\n');
});

test('a setImmediate loop cannot starve timers (each turn with immediates left takes 1 virtual ms)', async () => {
  const file = script('starve', `
let done = false;
setTimeout(() => { done = true; }, 5);
let turns = 0;
const spin = () => { turns += 1; if (!done && turns < 1000) setImmediate(spin); else log('turns', turns, performance.now()); };
setImmediate(spin);
`);
  assert.equal((await run(file)).stdout, 'turns 6 5\n');
});

test('timers/promises: setInterval iterator, abort signals, scheduler.wait; util.promisify(setTimeout)', async () => {
  const file = script('promises', `
const tp = builtins['timers/promises'];
let k = 0;
for await (const v of tp.setInterval(7, 'tick')) { log(v, performance.now()); if (++k === 2) break; }
const controller = new AbortController();
setTimeout(() => controller.abort(), 3);
try { await tp.setTimeout(100, 'x', { signal: controller.signal }); } catch (error) { log(error.name, error.code, performance.now()); }
await tp.scheduler.wait(10);
log('waited', performance.now());
const { promisify } = await import('node:util');
log('promisified', await promisify(setTimeout)(5, 'v'), performance.now());
await tp.setTimeout(1000, undefined, { ref: false });
log('unref: never');
`);
  const { stdout, stderr } = await run(file);
  assert.equal(stdout, 'tick 7\ntick 14\nAbortError ABORT_ERR 17\nwaited 27\npromisified v 32\n', stderr);
});

test('while real I/O is in flight, virtual timers run at real speed (a timeout around a socket read waits for the reply)', async () => {
  const server = net.createServer(socket => {
    const timer = setTimeout(() => socket.end('reply'), 300);
    socket.on('close', () => clearTimeout(timer));
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  try {
    const file = script('io', `
const net = await import('node:net');
const socket = net.connect(Number(process.env.PORT), '127.0.0.1');
const timeout = setTimeout(() => { log('timed out'); socket.destroy(); }, 20000);
socket.on('data', data => { log('data', String(data)); clearTimeout(timeout); });
socket.on('end', () => log('end'));
`);
    const { stdout, stderr } = await run(file, { PORT: String(server.address().port) });
    assert.equal(stdout, 'data reply\nend\n', stderr);
  } finally {
    server.close();
  }
});

test('getRandomValues and randomInt validate as Node does', () => {
  const host = makeDeterministicHost({ seed: 1 });
  assert.throws(() => host.globals.crypto.getRandomValues(new Float64Array(2)), { name: 'TypeMismatchError' });
  assert.throws(() => host.globals.crypto.getRandomValues(new Uint8Array(65537)), { name: 'QuotaExceededError' });
  assert.throws(() => host.builtins.crypto.randomInt(5, 5), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => host.builtins.crypto.randomBytes(-1), { code: 'ERR_OUT_OF_RANGE' });
  const values = new Set();
  for (let i = 0; i < 200; i += 1) values.add(host.builtins.crypto.randomInt(3, 6));
  assert.deepEqual([...values].sort(), [3, 4, 5]);
  assert.match(host.builtins.crypto.randomUUID(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // The rest of the module is the host's.
  assert.equal(host.builtins.crypto.createHash('sha256').update('x').digest('hex').length, 64);
  // Host dates are instances of the deterministic Date; subclassing works.
  assert.ok(new Date() instanceof host.globals.Date);
  class Later extends host.globals.Date {}
  assert.equal(new Later().getTime(), host.clock.start);
  assert.equal(globalThis.Math.random === host.globals.Math.random, false);
  assert.equal(host.globals.Math.max(1, 2), 2);
});
