// The bridge-backed fs: path arguments (traversal, absolute, file: URLs, Buffers, null bytes) and
// symlinks (planted, dangling, swapped between calls), on a real temp tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTree, makeFs, denied } from './fs-helpers.js';

test('fs: allowed reads and writes work; the error names the package, the resource and the flag', t => {
  const { dir, at, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest } = makeFs(dir);
  assert.equal(guest.readFileSync('data/a.txt', 'utf8'), 'A');
  guest.writeFileSync('data/new.txt', 'N');
  assert.equal(fs.readFileSync(at('data', 'new.txt'), 'utf8'), 'N');
  assert.throws(() => guest.readFileSync(at('secret.txt')), error => {
    assert.equal(error.code, 'ERR_ACCESS_DENIED');
    assert.equal(error.package, 'reader');
    assert.equal(error.resource, at('secret.txt'));
    assert.equal(error.flag, `--allow-read=reader=${at('secret.txt')}`);
    assert.match(error.message, /reader/);
    assert.match(error.message, /secret\.txt/);
    assert.match(error.message, /--allow-read=reader=/);
    return true;
  });
});

test('fs: traversal and other spellings of an outside path are all denied', t => {
  const { dir, at, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest } = makeFs(dir);
  const spellings = [
    '../secret.txt', // relative to cwd (dir): ../secret.txt is outside the tree
    'data/../secret.txt',
    'data/sub/../../secret.txt',
    './data/./../secret.txt',
    at('secret.txt'),
    `${at('data')}/../secret.txt`,
    `${at('data')}//..//secret.txt`,
    Buffer.from('data/../secret.txt'),
    new Uint8Array(Buffer.from(at('secret.txt'))),
    pathToFileURL(at('secret.txt')),
    new URL(`file://${at('data')}/%2e%2e/secret.txt`),
  ];
  for (const spelling of spellings) {
    assert.throws(() => guest.readFileSync(spelling), denied, `readFileSync(${String(spelling)})`);
  }
  // A string `file:` URL is a relative path in Node (a file named file:…), never the URL's target.
  assert.throws(() => guest.readFileSync(`file://${at('secret.txt')}`), error => denied(error) && error.resource === path.join(dir, 'file:', at('secret.txt')));
});

test('fs: a URL-like object is read once (its getters cannot pick another path after the check)', t => {
  const { dir, at, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest } = makeFs(dir);
  let reads = 0;
  const tricky = {
    protocol: 'file:',
    get href() {
      reads++;
      return reads === 1 ? pathToFileURL(at('data', 'a.txt')).href : pathToFileURL(at('secret.txt')).href;
    },
    get pathname() {
      return reads <= 1 ? at('data', 'a.txt') : at('secret.txt');
    },
    hostname: '',
  };
  assert.equal(guest.readFileSync(tricky, 'utf8'), 'A');
});

test('fs: null bytes fail as in Node (ERR_INVALID_ARG_VALUE TypeError), in every form, never reaching a check or the file', async t => {
  const { dir, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest } = makeFs(dir);
  const nulls = ['data/a.txt\u0000../../secret.txt', Buffer.from('data/a.txt\u0000x'), new URL('file:///tmp/a%00b')];
  for (const value of nulls) {
    assert.throws(() => guest.readFileSync(value), error => error instanceof TypeError && error.code === 'ERR_INVALID_ARG_VALUE');
    assert.throws(() => guest.statSync(value), error => error.code === 'ERR_INVALID_ARG_VALUE');
    assert.throws(() => guest.readFile(value, () => assert.fail('callback')), error => error.code === 'ERR_INVALID_ARG_VALUE');
    await assert.rejects(guest.promises.readFile(value), error => error.code === 'ERR_INVALID_ARG_VALUE');
  }
  assert.throws(() => guest.readFileSync({}), error => error.code === 'ERR_INVALID_ARG_TYPE');
  assert.throws(() => guest.readFileSync(new URL('http://example.com/')), error => error.code === 'ERR_INVALID_URL_SCHEME');
});

test('fs: relative paths resolve against the working directory at each call', t => {
  const { dir, at, cleanup } = makeTree();
  t.after(cleanup);
  let cwd = dir;
  const { fs: guest } = makeFs(dir, undefined, () => cwd);
  assert.equal(guest.readFileSync('data/a.txt', 'utf8'), 'A');
  cwd = at('data', 'sub');
  assert.equal(guest.readFileSync('b.txt', 'utf8'), 'B');
  assert.throws(() => guest.readFileSync('../../secret.txt'), denied);
  cwd = at('outside');
  assert.throws(() => guest.readFileSync('s.txt'), denied);
});

test('fs: a symlink planted in an allowed directory that points out is denied (file, directory, chain, relative)', t => {
  const { dir, at, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest } = makeFs(dir);
  fs.symlinkSync(at('secret.txt'), at('data', 'to-secret'));
  fs.symlinkSync(at('outside'), at('data', 'to-outside'));
  fs.symlinkSync('to-secret', at('data', 'chain'));
  fs.symlinkSync('../secret.txt', at('data', 'relative'));
  for (const p of ['data/to-secret', 'data/to-outside/s.txt', 'data/chain', 'data/relative']) {
    assert.throws(() => guest.readFileSync(p), denied, p);
    assert.throws(() => guest.statSync(p), denied, p);
    assert.throws(() => guest.openSync(p, 'r'), denied, p);
    assert.throws(() => guest.realpathSync(p), denied, p);
  }
  assert.throws(() => guest.readdirSync('data/to-outside'), denied);
  assert.throws(() => guest.writeFileSync('data/to-secret', 'pwned'), denied);
  assert.equal(fs.readFileSync(at('secret.txt'), 'utf8'), 'SECRET');
  // The link itself is in data/: lstat, readlink and unlink act on it, not on what it points to.
  assert.equal(guest.lstatSync('data/to-secret').isSymbolicLink(), true);
  assert.equal(guest.readlinkSync('data/to-secret'), at('secret.txt'));
  guest.unlinkSync('data/to-secret');
  assert.equal(fs.existsSync(at('secret.txt')), true);
});

test('fs: a dangling symlink pointing out is followed to where the file would be made (write denied, nothing created)', t => {
  const { dir, at, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest } = makeFs(dir);
  fs.symlinkSync(at('outside', 'planted.txt'), at('data', 'dangling'));
  fs.symlinkSync(at('outside', 'newdir'), at('data', 'dangling-dir'));
  assert.throws(() => guest.writeFileSync('data/dangling', 'x'), denied);
  assert.throws(() => guest.openSync('data/dangling', 'w'), denied);
  assert.throws(() => guest.appendFileSync('data/dangling', 'x'), denied);
  assert.throws(() => guest.mkdirSync('data/dangling-dir'), denied);
  assert.throws(() => guest.mkdirSync('data/dangling-dir/deeper', { recursive: true }), denied);
  assert.throws(() => guest.createWriteStream('data/dangling'), denied);
  assert.equal(fs.existsSync(at('outside', 'planted.txt')), false);
  assert.equal(fs.existsSync(at('outside', 'newdir')), false);
});

test('fs: a link swapped between two calls is resolved again at the second one', async t => {
  const { dir, at, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest } = makeFs(dir);
  fs.symlinkSync(at('data', 'a.txt'), at('data', 'swap'));
  assert.equal(guest.readFileSync('data/swap', 'utf8'), 'A');
  assert.equal(await guest.promises.readFile('data/swap', 'utf8'), 'A');
  fs.unlinkSync(at('data', 'swap'));
  fs.symlinkSync(at('secret.txt'), at('data', 'swap'));
  assert.throws(() => guest.readFileSync('data/swap'), denied);
  await assert.rejects(guest.promises.readFile('data/swap'), denied);
  // A directory in the path swapped for a link out.
  fs.mkdirSync(at('data', 'dirswap'));
  fs.writeFileSync(at('data', 'dirswap', 's.txt'), 'inside');
  assert.equal(guest.readFileSync('data/dirswap/s.txt', 'utf8'), 'inside');
  fs.rmSync(at('data', 'dirswap'), { recursive: true });
  fs.symlinkSync(at('outside'), at('data', 'dirswap'));
  assert.throws(() => guest.readFileSync('data/dirswap/s.txt'), denied);
});

test('fs: a wrapped fs that is not the native one is resolved with its own realpath', t => {
  const { dir, at, cleanup } = makeTree();
  t.after(cleanup);
  const { bridge } = makeFs(dir, { allow: { read: ['virtual=./data'] } });
  const calls = [];
  // A stand-in fs whose realpath says data/alias is secret.txt (as a virtual fs's own links would).
  const alias = at('data', 'alias');
  const fake = {
    ...fs,
    realpathSync: Object.assign(p => {
      calls.push(p);
      if (p === alias) return at('secret.txt');
      return fs.realpathSync(p);
    }, {}),
    promises: fs.promises,
  };
  delete fake.realpathSync.native;
  const own = bridge.module('virtual', 'fs', fake);
  assert.equal(own.readFileSync('data/a.txt', 'utf8'), 'A');
  assert.throws(() => own.readFileSync('data/alias'), denied);
  assert.ok(calls.includes(alias));
});
