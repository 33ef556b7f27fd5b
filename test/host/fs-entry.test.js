// The bridge-backed fs: every entry point, in its sync, callback and promise forms, checks the package's
// grants; read-only and write-only grants give only what they name; cp/rename/copyFile/link/symlink from
// outside into an allowed directory are refused; subtree calls honour denials inside the subtree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { makeTree, makeFs, denied, viaCallback } from './fs-helpers.js';

/** [name, args] for calls that must be denied to reader (secret.txt and outside/ are not granted). */
const deniedCalls = at => [
  ['access', [at('secret.txt')]],
  ['stat', [at('secret.txt')]],
  ['lstat', [at('secret.txt')]],
  ['statfs', [at('outside')]],
  ['readFile', [at('secret.txt')]],
  ['readdir', [at('outside')]],
  ['opendir', [at('outside')]],
  ['readlink', [at('outside', 'link')]],
  ['realpath', [at('secret.txt')]],
  ['open', [at('secret.txt'), 'r']],
  ['writeFile', [at('outside', 'w.txt'), 'x']],
  ['appendFile', [at('secret.txt'), 'x']],
  ['open', [at('outside', 'w.txt'), 'w']],
  ['open', [at('ro', 'r.txt'), 'r+']], // read-only grant: no write
  ['open', [at('wo', 'x.txt'), 'w+']], // write-only grant: no read
  ['readFile', [at('ro', 'r.txt'), { flag: 'w+' }]], // a flag that truncates needs write
  ['mkdir', [at('outside', 'd')]],
  ['mkdtemp', [at('outside', 'tmp-')]],
  ['rm', [at('secret.txt')]],
  ['rmdir', [at('outside')]],
  ['unlink', [at('secret.txt')]],
  ['rename', [at('secret.txt'), at('data', 'stolen.txt')]],
  ['rename', [at('data', 'a.txt'), at('outside', 'a.txt')]],
  ['rename', [at('wo', 'x.txt'), at('data', 'x.txt')]], // the source needs read too
  ['copyFile', [at('secret.txt'), at('data', 'copy.txt')]],
  ['copyFile', [at('data', 'a.txt'), at('outside', 'copy.txt')]],
  ['cp', [at('outside'), at('data', 'copied'), { recursive: true }]],
  ['cp', [at('secret.txt'), at('data', 'copied.txt')]],
  ['link', [at('secret.txt'), at('data', 'hard')]],
  ['link', [at('ro', 'r.txt'), at('data', 'hard')]], // a hard link needs write of its file
  ['symlink', [at('secret.txt'), at('data', 'soft')]],
  ['symlink', ['../secret.txt', at('data', 'soft')]], // relative to the link's directory
  ['symlink', [at('data', 'a.txt'), at('outside', 'soft')]],
  ['symlink', [at('wo', 'x.txt'), at('data', 'soft')]], // the target needs read…
  ['symlink', [at('ro', 'r.txt'), at('data', 'soft')]], // …and write
  ['chmod', [at('secret.txt'), 0o777]],
  ['chown', [at('secret.txt'), process.getuid(), process.getgid()]],
  ['lchown', [at('secret.txt'), process.getuid(), process.getgid()]],
  ['utimes', [at('secret.txt'), 1, 1]],
  ['lutimes', [at('secret.txt'), 1, 1]],
  ['chmod', [at('ro', 'r.txt'), 0o777]],
  ['truncate', [at('secret.txt'), 0]],
];

const untouched = at => {
  assert.equal(fs.readFileSync(at('secret.txt'), 'utf8'), 'SECRET');
  assert.equal((fs.statSync(at('secret.txt')).mode & 0o777).toString(8), (fs.statSync(at('outside', 's.txt')).mode & 0o777).toString(8));
  assert.deepEqual(fs.readdirSync(at('outside')).sort(), ['link', 's.txt']);
  assert.deepEqual(fs.readdirSync(at('data')).sort(), ['a.txt', 'sub']);
};

const setUp = t => {
  const tree = makeTree();
  t.after(tree.cleanup);
  fs.symlinkSync(tree.at('secret.txt'), tree.at('outside', 'link'));
  fs.writeFileSync(tree.at('wo', 'x.txt'), 'X');
  return { ...tree, ...makeFs(tree.dir) };
};

test('fs: every sync entry point throws ERR_ACCESS_DENIED outside the grants and changes nothing', t => {
  const { at, fs: guest } = setUp(t);
  for (const [name, args] of deniedCalls(at)) {
    assert.equal(typeof guest[`${name}Sync`], 'function', name);
    assert.throws(() => guest[`${name}Sync`](...args), denied, `${name}Sync(${args.join(', ')})`);
  }
  untouched(at);
});

test('fs: every callback entry point passes the denial to its callback, asynchronously', async t => {
  const { at, fs: guest } = setUp(t);
  for (const [name, args] of deniedCalls(at)) {
    const { error, sync } = await viaCallback(guest[name], ...args);
    assert.ok(denied(error), `${name}(${args.join(', ')}): ${error}`);
    assert.equal(sync, false, `${name}: the callback ran synchronously`);
  }
  untouched(at);
});

test('fs: every promise entry point rejects; fs.promises is the package\'s fs/promises', async t => {
  const { at, fs: guest, bridge } = setUp(t);
  assert.equal(guest.promises, bridge.builtinFor('reader', 'fs/promises'));
  assert.notEqual(guest.promises, fs.promises);
  for (const [name, args] of deniedCalls(at)) {
    assert.equal(typeof guest.promises[name], 'function', name);
    await assert.rejects(guest.promises[name](...args), denied, `promises.${name}(${args.join(', ')})`);
  }
  untouched(at);
});

test('fs: the same calls inside the grants work in all three forms', async t => {
  const { at, fs: guest } = setUp(t);
  guest.writeFileSync('data/s.txt', 's');
  assert.equal(await new Promise((resolve, reject) => guest.readFile('data/s.txt', 'utf8', (e, v) => (e ? reject(e) : resolve(v)))), 's');
  await guest.promises.appendFile('data/s.txt', 't');
  assert.equal(await guest.promises.readFile('data/s.txt', 'utf8'), 'st');
  assert.deepEqual(guest.readdirSync('data').sort(), ['a.txt', 's.txt', 'sub']);
  assert.deepEqual(guest.readdirSync('data', { recursive: true }).sort(), ['a.txt', 's.txt', 'sub', 'sub/b.txt']);
  guest.copyFileSync('data/a.txt', 'data/c.txt');
  guest.renameSync('data/c.txt', 'data/sub/c.txt');
  guest.cpSync('data/sub', 'data/sub2', { recursive: true });
  assert.deepEqual(fs.readdirSync(at('data', 'sub2')).sort(), ['b.txt', 'c.txt']);
  await guest.promises.cp('data/sub', 'data/sub3', { recursive: true });
  assert.deepEqual(fs.readdirSync(at('data', 'sub3')).sort(), ['b.txt', 'c.txt']);
  guest.symlinkSync('a.txt', 'data/soft');
  assert.equal(guest.readFileSync('data/soft', 'utf8'), 'A');
  guest.linkSync('data/a.txt', 'data/hard');
  guest.chmodSync('data/a.txt', 0o600);
  guest.utimesSync('data/a.txt', 1, 1);
  const made = guest.mkdtempSync('data/tmp-');
  assert.equal(fs.statSync(made).isDirectory(), true);
  assert.ok(made.startsWith(at('data', 'tmp-')));
  guest.rmSync('data/sub2', { recursive: true });
  guest.unlinkSync('data/hard');
  assert.equal(guest.existsSync('data/a.txt'), true);
  assert.equal(guest.realpathSync('data/soft'), at('data', 'a.txt'));
  assert.equal(guest.realpathSync.native('data/soft'), at('data', 'a.txt'));
  // Read-only and write-only grants.
  assert.equal(guest.readFileSync('ro/r.txt', 'utf8'), 'R');
  guest.writeFileSync('wo/y.txt', 'Y');
  assert.equal(fs.readFileSync(at('wo', 'y.txt'), 'utf8'), 'Y');
  assert.throws(() => guest.readFileSync('wo/y.txt'), denied);
  assert.throws(() => guest.writeFileSync('ro/r.txt', 'x'), denied);
  // cp into a write-only directory (its destination cannot be looked at, only written).
  guest.cpSync('data/sub', 'wo/sub', { recursive: true });
  assert.equal(fs.readFileSync(at('wo', 'sub', 'b.txt'), 'utf8'), 'B');
});

test('fs: exists/existsSync answer false for a path the package may not read', async t => {
  const { fs: guest, at } = setUp(t);
  assert.equal(guest.existsSync(at('secret.txt')), false);
  assert.equal(guest.existsSync('data/a.txt'), true);
  assert.equal(guest.existsSync('data/none'), false);
  assert.equal(await new Promise(resolve => guest.exists(at('secret.txt'), resolve)), false);
  assert.equal(await new Promise(resolve => guest.exists('data/a.txt', resolve)), true);
});

test('fs: calls on a whole subtree honour a denial inside it (rm -r, rename, cp, recursive readdir)', t => {
  const tree = makeTree();
  t.after(tree.cleanup);
  const { at, dir } = tree;
  const { fs: guest } = makeFs(dir, { allow: { read: ['reader=./data'], write: ['reader=./data', 'reader=./out'] }, deny: { read: ['reader=./data/sub'], write: ['reader=./data/sub'] } });
  assert.throws(() => guest.rmSync('data', { recursive: true }), denied);
  assert.throws(() => guest.renameSync('data', 'data2'), denied);
  assert.throws(() => guest.readdirSync('data', { recursive: true }), denied);
  assert.throws(() => guest.cpSync('data', 'out/copy', { recursive: true }), denied);
  assert.equal(fs.existsSync(at('out', 'copy', 'sub')), false);
  assert.throws(() => guest.readFileSync('data/sub/b.txt'), denied);
  assert.equal(fs.readFileSync(at('data', 'sub', 'b.txt'), 'utf8'), 'B');
  assert.deepEqual(guest.readdirSync('data').sort(), ['a.txt', 'sub']);
});

test('fs: a function of the host fs the wrapper does not know needs --allow-run', t => {
  const { dir } = makeTree();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { bridge } = makeFs(dir);
  const fake = { ...fs, futureReadSync: () => 'unchecked' };
  const own = bridge.module('newcomer', 'fs', fake);
  assert.throws(() => own.futureReadSync('/etc/passwd'), error => denied(error) && error.flag.startsWith('--allow-run'));
  assert.equal(own.constants, fs.constants);
  assert.equal(own.Stats, fs.Stats);
  assert.equal(own.Dirent, fs.Dirent);
});
