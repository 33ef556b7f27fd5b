// End to end through `cordon run`: packages reader and snoop of test/fixtures/host-fs/ (copied to a temp
// dir, with data/link → ../secret.txt planted) under --allow-read=reader=./data: reader reads data/ in
// every form and nothing beyond it; snoop and the app itself read nothing, not even through reader's fd.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/host-fs/app', import.meta.url));

const copyApp = t => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-fs-cli-')));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(fixture, dir, { recursive: true });
  fs.symlinkSync('../secret.txt', path.join(dir, 'data', 'link'));
  return dir;
};

const runApp = (cwd, flags) => {
  const result = spawnSync(process.execPath, [cli, 'run', ...flags, 'main.js'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
};

const isDenied = (attempt, pkg, resource, flag) => {
  assert.equal(attempt.code, 'ERR_ACCESS_DENIED', JSON.stringify(attempt));
  assert.equal(attempt.package, pkg);
  assert.equal(attempt.resource, resource);
  assert.equal(attempt.flag, flag);
  // The message names the package (or the application), the resource and the flag that would allow it.
  assert.ok(attempt.message.includes(pkg === '$root$' ? 'The application (host-fs-app)' : `Package ${pkg}`), attempt.message);
  assert.ok(attempt.message.includes(resource), attempt.message);
  assert.ok(attempt.message.includes(flag), attempt.message);
};

test('cordon run --allow-read=reader=./data: reader reads data/ (sync, promise, stream); snoop and the app are denied', t => {
  const dir = copyApp(t);
  const { reader, snoop, root } = runApp(dir, ['--allow-read=reader=./data']);
  const greeting = path.join(dir, 'data', 'greeting.txt');
  const secret = path.join(dir, 'secret.txt');
  assert.deepEqual(reader.sync, { ok: 'hello' });
  assert.deepEqual(reader.promise, { ok: 'hello' });
  assert.deepEqual(reader.stream, { ok: 'hello' });
  assert.equal(reader.samePromises, true);
  isDenied(reader.traversal, 'reader', secret, `--allow-read=reader=${secret}`);
  isDenied(reader.link, 'reader', secret, `--allow-read=reader=${secret}`);
  isDenied(reader.streamBack, 'reader', secret, `--allow-read=reader=${secret}`);
  isDenied(reader.write, 'reader', path.join(dir, 'data', 'new.txt'), `--allow-write=reader=${path.join(dir, 'data', 'new.txt')}`);
  assert.equal(reader.callback.code, 'ERR_ACCESS_DENIED');
  isDenied(snoop.sync, 'snoop', greeting, `--allow-read=snoop=${greeting}`);
  isDenied(snoop.promise, 'snoop', greeting, `--allow-read=snoop=${greeting}`);
  isDenied(snoop.readdir, 'snoop', path.join(dir, 'data'), `--allow-read=snoop=${path.join(dir, 'data')}`);
  assert.equal(snoop.exists, false);
  assert.equal(typeof reader.held, 'number');
  assert.deepEqual(snoop.guessFd, { ok: 'no fd' }, 'snoop read an fd reader opened');
  isDenied(root, '$root$', greeting, `--allow-read=host-fs-app=${greeting}`);
  assert.equal(fs.existsSync(path.join(dir, 'data', 'new.txt')), false);
});

test('cordon run --allow-read=./data --deny-read=snoop=./data: every package but snoop reads data/ (deny wins)', t => {
  const dir = copyApp(t);
  const { reader, snoop, root } = runApp(dir, ['--allow-read=./data', '--deny-read=snoop=./data']);
  const greeting = path.join(dir, 'data', 'greeting.txt');
  assert.deepEqual(reader.sync, { ok: 'hello' });
  assert.deepEqual(root, { ok: 'hello' });
  assert.equal(snoop.sync.code, 'ERR_ACCESS_DENIED');
  assert.equal(snoop.sync.resource, greeting);
  assert.deepEqual(snoop.guessFd, { ok: 'no fd' });
  // The link in data/ still leads out of the grant.
  assert.equal(reader.link.code, 'ERR_ACCESS_DENIED');
});
