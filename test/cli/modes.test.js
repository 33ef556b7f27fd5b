// `cordon run`'s modes as a user runs them: --deterministic (two runs print the same bytes; timers in
// virtual time), a WebAssembly command under WASI through the same permissions, --fs=memory with a snapshot.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const temp = () => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-modes-')));
const cordon = (args, cwd) => spawnSync(process.execPath, [cli, 'run', ...args], { encoding: 'utf8', cwd, timeout: 60_000, env: { ...process.env, NO_COLOR: '1', TZ: 'UTC' } });

test('--deterministic: the same seed prints the same bytes, another seed other random values; timers in virtual time', () => {
  const dir = temp();
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"det","type":"module"}');
  fs.writeFileSync(
    path.join(dir, 'main.js'),
    "setTimeout(() => console.log('a', Date.now()), 50);\nsetTimeout(() => console.log('b', Math.random()), 10);\nsetTimeout(() => console.log('late', performance.now() >= 3600000), 3600000);\nconsole.log(new Date().toISOString(), crypto.randomUUID());\n",
  );
  const one = cordon(['--deterministic=7', 'main.js'], dir);
  const two = cordon(['--deterministic=7', 'main.js'], dir);
  const other = cordon(['--deterministic=8', 'main.js'], dir);
  assert.equal(one.status, 0, one.stderr);
  assert.equal(one.stdout, two.stdout);
  const lines = one.stdout.trim().split('\n');
  assert.match(lines[0], /^2020-01-01T00:00:00\.000Z [0-9a-f-]{36}$/);
  assert.match(lines[1], /^b 0\.\d+$/, 'the 10 ms timer first');
  assert.equal(lines[2], `a ${Date.UTC(2020, 0, 1) + 50}`);
  assert.equal(lines[3], 'late true', 'an hour passes at once in virtual time');
  assert.notEqual(other.stdout.split('\n')[1], lines[1]);
  const real = cordon(['main.js'], dir);
  assert.doesNotMatch(real.stdout, /^2020-01-01/, 'without the flag, the real clock');
});

test('a .wasm command runs under WASI with the run\'s permissions: a granted folder readable, the rest refused', () => {
  const dir = temp();
  const wasi = fileURLToPath(new URL('../fixtures/wasi/', import.meta.url));
  fs.copyFileSync(path.join(wasi, 'cat.wasm'), path.join(dir, 'cat.wasm'));
  fs.mkdirSync(path.join(dir, 'data'));
  fs.writeFileSync(path.join(dir, 'data', 'note.txt'), 'hello from a file\n');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret\n');
  // cat.wasm reads argv[1], creates argv[2], reads argv[3], all under its first preopen (the grant).
  const granted = cordon(['--allow-read=./data', 'cat.wasm', '--', 'note.txt', 'out.txt', '../secret.txt'], dir);
  assert.doesNotMatch(granted.stderr, /no policy/);
  assert.match(granted.stdout, new RegExp(`preopen: ${path.join(dir, 'data')}\nhello from a file\nerrno 2\nerrno 76`), granted.stdout + granted.stderr);
  assert.doesNotMatch(granted.stdout, /^secret$/m, 'the file outside the grant is not printed');
  assert.equal(fs.existsSync(path.join(dir, 'data', 'out.txt')), false, 'a read grant writes nothing');
  assert.equal(granted.status, 44, 'proc_exit(40 + argc) is the exit code');
  const none = cordon(['cat.wasm', '--', 'note.txt', 'out.txt', '../secret.txt'], dir);
  assert.doesNotMatch(none.stdout, /hello from a file/, 'nothing granted: no preopen');
});

test('--fs=memory --snapshot: the app\'s writes live in the snapshot, not on disk', () => {
  const dir = temp();
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"mem","type":"module"}');
  fs.writeFileSync(path.join(dir, 'main.js'), "import fs from 'node:fs';\nlet n = 0;\ntry { n = Number(fs.readFileSync('counter.txt', 'utf8')); } catch {}\nfs.writeFileSync('counter.txt', String(n + 1));\nconsole.log('count', n + 1);\n");
  const args = ['--fs=memory', '--snapshot=state.bin', '--allow-read', '--allow-write', 'main.js'];
  assert.equal(cordon(args, dir).stdout.trim(), 'count 1');
  assert.equal(cordon(args, dir).stdout.trim(), 'count 2');
  assert.equal(fs.existsSync(path.join(dir, 'counter.txt')), false);
  assert.ok(fs.readFileSync(path.join(dir, 'state.bin')).subarray(0, 14).toString() === 'cordon-memfs-1');
  const denied = cordon(['--fs=memory', '--snapshot=state.bin', 'main.js'], dir);
  assert.notEqual(denied.status, 0, 'the permissions apply in memory too');
  assert.match(denied.stderr, /ERR_ACCESS_DENIED|may not write/);
});
