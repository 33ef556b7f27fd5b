// Memory mode end to end: a small script gets its package's permission-checked fs over the in-memory
// facade (as `cordon run --fs=memory --snapshot FILE` wires it), its state lives in the snapshot
// between runs and never on disk, and the permission wrapper resolves symlinks inside the memory.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { makeHostBridge, makeMemoryFsHost, makePermissionEngine, parsePermissionFlags } from '../../dist/host.js';

const require = createRequire(import.meta.url);
const hostJs = new URL('../../dist/host.js', import.meta.url).href;

/** The script: what the lead's wiring does at start and exit, then a guest package's own code. */
const SCRIPT = `
import { makeHostBridge, makeMemoryFsHost, makePermissionEngine, parsePermissionFlags } from ${JSON.stringify(hostJs)};
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const [snapshot, dataDir] = process.argv.slice(2);
const memory = makeMemoryFsHost({ snapshot, cwd: () => process.cwd(), fallback: name => require('node:' + name), directories: [dataDir] });
process.on('exit', () => memory.flush());
const engine = makePermissionEngine(parsePermissionFlags({ allow: { read: ['counter=' + dataDir], write: ['counter=' + dataDir] } }, { cwd: process.cwd(), pathVariable: process.env.PATH }));
const bridge = makeHostBridge({ engine, hostBuiltin: memory.hostBuiltin, env: process.env, cwd: () => process.cwd() });
const fs = bridge.builtinFor('counter', 'fs');
// --- the guest's code ---
const file = dataDir + '/count.json';
const count = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).count : 0;
fs.writeFileSync(file, JSON.stringify({ count: count + 1 }));
await fs.promises.appendFile(dataDir + '/log.txt', 'run ' + (count + 1) + '\\n');
const log = await new Promise((resolve, reject) => fs.readFile(dataDir + '/log.txt', 'utf8', (e, t) => (e ? reject(e) : resolve(t))));
let denied = 'no';
try { fs.readFileSync('/etc/hostname'); } catch (error) { denied = error.code; }
process.stdout.write(JSON.stringify({ count: count + 1, log, denied, entries: fs.readdirSync(dataDir).sort() }));
`;

test('a script in memory mode keeps its state in the snapshot between runs, never on disk', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-memrun-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const script = path.join(dir, 'script.mjs');
  fs.writeFileSync(script, SCRIPT);
  const snapshot = path.join(dir, 'state.bin');
  const dataDir = path.join(dir, 'data');
  const run = () => JSON.parse(execFileSync(process.execPath, [script, snapshot, dataDir], { cwd: dir, encoding: 'utf8', timeout: 30_000 }));
  const first = run();
  assert.deepEqual(first, { count: 1, log: 'run 1\n', denied: 'ERR_ACCESS_DENIED', entries: ['count.json', 'log.txt'] });
  assert.ok(fs.existsSync(snapshot));
  assert.equal(fs.existsSync(dataDir), false, 'nothing written on disk');
  const second = run();
  assert.deepEqual(second, { count: 2, log: 'run 1\nrun 2\n', denied: 'ERR_ACCESS_DENIED', entries: ['count.json', 'log.txt'] });
  assert.equal(fs.existsSync(dataDir), false);
  // a corrupt snapshot stops the run with a clear error (and is left as it was)
  const bytes = fs.readFileSync(snapshot);
  bytes[bytes.length - 40] ^= 1;
  fs.writeFileSync(snapshot, bytes);
  const broken = spawnSync(process.execPath, [script, snapshot, dataDir], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  assert.notEqual(broken.status, 0);
  assert.match(broken.stderr, /Invalid cordon-memfs-1 filesystem snapshot: its checksum does not match/);
  assert.deepEqual(fs.readFileSync(snapshot), bytes);
});

const bridgeOver = (memory, flags) => {
  const engine = makePermissionEngine(parsePermissionFlags(flags, { cwd: '/', pathVariable: '' }));
  return makeHostBridge({ engine, hostBuiltin: memory.hostBuiltin, env: {}, cwd: () => '/app' });
};

test('the permission wrapper over the memory facade resolves symlinks in the memory (a link out of a granted directory is denied)', () => {
  const memory = makeMemoryFsHost({ cwd: () => '/app', fallback: name => require(`node:${name}`), directories: ['/data', '/secret'] });
  const host = memory.fs;
  host.writeFileSync('/secret/key', 'top secret');
  host.writeFileSync('/data/ok.txt', 'fine');
  host.symlinkSync('/secret/key', '/data/link');
  host.symlinkSync('../secret', '/data/dirlink');
  const guest = bridgeOver(memory, { allow: { read: ['reader=/data', 'reader=/app/rel.txt'], write: ['reader=/data'] } }).builtinFor('reader', 'fs');
  assert.equal(guest.readFileSync('/data/ok.txt', 'utf8'), 'fine');
  host.writeFileSync('/app/rel.txt', 'relative');
  assert.equal(guest.readFileSync('rel.txt', 'utf8'), 'relative', 'relative paths are from the bridge cwd, in memory');
  for (const attempt of [() => guest.readFileSync('/data/link', 'utf8'), () => guest.readFileSync('/data/dirlink/key', 'utf8'), () => guest.readFileSync('/data/../secret/key')]) {
    assert.throws(attempt, error => error.code === 'ERR_ACCESS_DENIED' && error.resource === '/secret/key');
  }
  assert.throws(() => guest.writeFileSync('/data/dirlink/new', 'x'), error => error.code === 'ERR_ACCESS_DENIED');
  assert.equal(host.existsSync('/secret/new'), false);
  // the host's own disk is not touched: /data does not exist there (or is not this)
  assert.equal(fs.existsSync('/data/ok.txt') && fs.readFileSync('/data/ok.txt', 'utf8') === 'fine', false);
});

test('realpathSync and realpathSync.native of the facade: links resolved, missing paths ENOENT', () => {
  const memory = makeMemoryFsHost({ cwd: () => '/w', fallback: name => require(`node:${name}`) });
  const f = memory.fs;
  f.mkdirSync('/w/a/b', { recursive: true });
  f.writeFileSync('/w/a/b/file', '');
  f.symlinkSync('a/b', '/w/ab');
  f.symlinkSync('/w/ab/file', '/w/abs');
  f.symlinkSync('nope', '/w/dangling');
  for (const realpath of [f.realpathSync, f.realpathSync.native]) {
    assert.equal(realpath('/w/abs'), '/w/a/b/file');
    assert.equal(realpath('ab/file'), '/w/a/b/file');
    assert.equal(realpath('/w/ab'), '/w/a/b');
    assert.equal(realpath('/'), '/');
    assert.throws(() => realpath('/w/dangling'), { code: 'ENOENT' });
    assert.throws(() => realpath('/w/none'), { code: 'ENOENT' });
    assert.throws(() => realpath('/w/a/b/file/x'), { code: 'ENOTDIR' });
  }
  assert.throws(() => f.realpathSync.native('/w/none'), { syscall: 'realpath', path: '/w/none' });
});

test('a package\'s checked fs over the memory: streams, FileHandles and fds work through the wrapper', async () => {
  const memory = makeMemoryFsHost({ cwd: () => '/app', fallback: name => require(`node:${name}`), directories: ['/data'] });
  const bridge = bridgeOver(memory, { allow: { read: ['p=/data'], write: ['p=/data'] } });
  const guest = bridge.builtinFor('p', 'fs');
  const promises = bridge.builtinFor('p', 'fs/promises');
  const { once } = await import('node:events');
  const out = guest.createWriteStream('/data/s.txt');
  out.write('hello ');
  out.end('stream');
  await once(out, 'close');
  let text = '';
  for await (const chunk of guest.createReadStream('/data/s.txt', { encoding: 'utf8' })) text += chunk;
  assert.equal(text, 'hello stream');
  const handle = await promises.open('/data/h.txt', 'w+');
  await handle.write('handle');
  assert.equal((await handle.stat()).size, 6);
  await handle.close();
  const fd = guest.openSync('/data/s.txt', 'r');
  const buffer = Buffer.alloc(5);
  guest.readSync(fd, buffer, 0, 5, 0);
  guest.closeSync(fd);
  assert.equal(buffer.toString(), 'hello');
  assert.deepEqual(guest.readdirSync('/data'), ['h.txt', 's.txt']);
  assert.equal(memory.fs.readFileSync('/data/h.txt', 'utf8'), 'handle');
  assert.throws(() => guest.createWriteStream('/elsewhere.txt'), { code: 'ERR_ACCESS_DENIED' });
});
