// One conformance suite, run against the real driver (on a temp dir) and the in-memory driver: the
// same operations give the same results and the same error codes.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeRealDriver, makeMemoryDriver, realpathOf, makeFilesystemBridge } from '../../dist/host.js';

const bytes = text => new TextEncoder().encode(text);
const text = data => new TextDecoder().decode(data);
const code = (fn) => {
  try {
    fn();
  } catch (error) {
    return error.code;
  }
  return 'no error';
};

const setups = {
  real: () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-drivers-')));
    return { driver: makeRealDriver(), root, done: () => fs.rmSync(root, { recursive: true, force: true }) };
  },
  memory: () => {
    const driver = makeMemoryDriver({ umask: process.umask() });
    driver.mkdir('/sandbox/tmp', true);
    return { driver, root: '/sandbox/tmp', done: () => {} };
  },
};

for (const [kind, setup] of Object.entries(setups)) {
  const suite = (name, body) => test(`${kind} driver: ${name}`, () => {
    const { driver, root, done } = setup();
    try {
      body(driver, (...parts) => path.join(root, ...parts));
    } finally {
      done();
    }
  });

  suite('files: write, read, replace, stat', (d, at) => {
    d.writeFile(at('a.txt'), bytes('hello'));
    assert.equal(text(d.readFile(at('a.txt'))), 'hello');
    d.writeFile(at('a.txt'), bytes('hi'));
    const stat = d.stat(at('a.txt'));
    assert.equal(stat.type, 'file');
    assert.equal(stat.size, 2);
    assert.equal(stat.mode, 0o666 & ~process.umask());
    assert.ok(Number.isFinite(stat.mtimeMs) && stat.ino > 0 && stat.nlink === 1);
    d.writeFile(at('x.sh'), bytes(''), 0o700);
    assert.equal(d.stat(at('x.sh')).mode, 0o700);
    assert.equal(d.kind, kind);
  });

  suite('errors of files and directories', (d, at) => {
    d.writeFile(at('f'), bytes('x'));
    d.mkdir(at('dir'));
    assert.equal(code(() => d.readFile(at('missing'))), 'ENOENT');
    assert.equal(code(() => d.readFile(at('dir'))), 'EISDIR');
    assert.equal(code(() => d.writeFile(at('dir'), bytes('x'))), 'EISDIR');
    assert.equal(code(() => d.writeFile(at('nope', 'x'), bytes('x'))), 'ENOENT');
    assert.equal(code(() => d.readFile(at('f', 'x'))), 'ENOTDIR');
    assert.equal(code(() => d.stat(at('f', 'x'))), 'ENOTDIR');
    assert.equal(code(() => d.readdir(at('f'))), 'ENOTDIR');
    assert.equal(code(() => d.readdir(at('missing'))), 'ENOENT');
    assert.equal(code(() => d.mkdir(at('dir'))), 'EEXIST');
    assert.equal(code(() => d.mkdir(at('f'))), 'EEXIST');
    assert.equal(code(() => d.mkdir(at('a', 'b'))), 'ENOENT');
    assert.equal(code(() => d.mkdir(at('f', 'b'), true)), 'ENOTDIR');
    assert.equal(code(() => d.mkdir(at('f'), true)), 'EEXIST');
    assert.equal(code(() => d.removeFile(at('dir'))), 'EISDIR');
    assert.equal(code(() => d.removeFile(at('missing'))), 'ENOENT');
    assert.equal(code(() => d.removeDir(at('f'))), 'ENOTDIR');
    assert.equal(code(() => d.truncate(at('dir'), 0)), 'EISDIR');
    assert.equal(code(() => d.readlink(at('f'))), 'EINVAL');
    assert.equal(code(() => d.chmod(at('missing'), 0o600)), 'ENOENT');
    const error = (() => { try { d.readFile(at('missing')); } catch (e) { return e; } })();
    assert.equal(error.syscall, 'open');
    assert.equal(error.path, at('missing'));
    assert.ok(error.errno < 0);
    assert.match(error.message, /^ENOENT: no such file or directory, open '/);
  });

  suite('directories: mkdir (recursive), readdir sorted with types, rmdir', (d, at) => {
    d.mkdir(at('p', 'q', 'r'), true);
    d.mkdir(at('p', 'q', 'r'), true);
    d.writeFile(at('p', 'b.txt'), bytes('b'));
    d.writeFile(at('p', 'a.txt'), bytes('a'));
    d.symlink('a.txt', at('p', 'link'));
    assert.deepEqual(d.readdir(at('p')), [
      { name: 'a.txt', type: 'file' }, { name: 'b.txt', type: 'file' }, { name: 'link', type: 'symlink' }, { name: 'q', type: 'directory' },
    ]);
    assert.equal(d.stat(at('p')).type, 'directory');
    assert.equal(code(() => d.removeDir(at('p', 'q'))), 'ENOTEMPTY');
    d.removeDir(at('p', 'q', 'r'));
    d.removeDir(at('p', 'q'));
    assert.equal(d.exists(at('p', 'q')), false);
    d.mkdir(at('m'), false, 0o700);
    assert.equal(d.stat(at('m')).mode, 0o700 & ~process.umask());
  });

  suite('symlinks: follow, lstat, readlink, dangling, loops, .. after a link', (d, at) => {
    d.mkdir(at('real', 'inner'), true);
    d.writeFile(at('real', 'inner', 'file'), bytes('content'));
    d.symlink(at('real', 'inner'), at('abs'));
    d.symlink('real/inner/file', at('rel'));
    assert.equal(text(d.readFile(at('abs', 'file'))), 'content');
    assert.equal(text(d.readFile(at('rel'))), 'content');
    assert.equal(d.lstat(at('rel')).type, 'symlink');
    assert.equal(d.stat(at('rel')).type, 'file');
    assert.equal(d.readlink(at('rel')), 'real/inner/file');
    // `..` after a symlink is taken from where the link points
    assert.equal(text(d.readFile(`${at('abs')}/../inner/file`)), 'content');
    d.writeFile(at('real', 'sibling'), bytes('s'));
    assert.equal(text(d.readFile(`${at('abs')}/../sibling`)), 's');
    // dangling: lstat yes, stat no; writing through it creates the target
    d.symlink('made', at('dangling'));
    assert.equal(d.exists(at('dangling')), false);
    assert.equal(code(() => d.stat(at('dangling'))), 'ENOENT');
    assert.equal(d.lstat(at('dangling')).type, 'symlink');
    d.writeFile(at('dangling'), bytes('through'));
    assert.equal(text(d.readFile(at('made'))), 'through');
    // loops
    d.symlink('loop2', at('loop1'));
    d.symlink('loop1', at('loop2'));
    assert.equal(code(() => d.stat(at('loop1'))), 'ELOOP');
    assert.equal(code(() => d.readFile(at('loop1', 'x'))), 'ELOOP');
    assert.equal(d.lstat(at('loop1')).type, 'symlink');
    assert.equal(code(() => d.symlink('x', at('rel'))), 'EEXIST');
    // removing a link leaves its target
    d.removeFile(at('rel'));
    assert.equal(d.exists(at('real', 'inner', 'file')), true);
    // realpath over the driver
    assert.equal(realpathOf(d, at('abs', 'file')), at('real', 'inner', 'file'));
    assert.equal(code(() => realpathOf(d, at('loop1'))), 'ELOOP');
    assert.equal(code(() => realpathOf(d, at('abs', 'nope'))), 'ENOENT');
    assert.equal(code(() => realpathOf(d, at('made', 'x'))), 'ENOTDIR');
  });

  suite('rename: replace, move, and its refusals', (d, at) => {
    d.writeFile(at('a'), bytes('A'));
    d.writeFile(at('b'), bytes('B'));
    d.rename(at('a'), at('b'));
    assert.equal(text(d.readFile(at('b'))), 'A');
    assert.equal(d.exists(at('a')), false);
    d.mkdir(at('d1', 'sub'), true);
    d.mkdir(at('empty'));
    d.mkdir(at('full'));
    d.writeFile(at('full', 'x'), bytes(''));
    assert.equal(code(() => d.rename(at('d1'), at('full'))), 'ENOTEMPTY');
    assert.equal(code(() => d.rename(at('d1'), at('b'))), 'ENOTDIR');
    assert.equal(code(() => d.rename(at('b'), at('empty'))), 'EISDIR');
    assert.equal(code(() => d.rename(at('d1'), at('d1', 'sub', 'inside'))), 'EINVAL');
    assert.equal(code(() => d.rename(at('missing'), at('x'))), 'ENOENT');
    d.rename(at('d1'), at('empty'));
    assert.equal(d.stat(at('empty', 'sub')).type, 'directory');
    d.rename(at('b'), at('b'));
    assert.equal(text(d.readFile(at('b'))), 'A');
  });

  suite('chmod, truncate, utimes, exists', (d, at) => {
    d.writeFile(at('f'), bytes('abcdef'));
    d.chmod(at('f'), 0o640);
    assert.equal(d.stat(at('f')).mode, 0o640);
    d.truncate(at('f'), 3);
    assert.equal(text(d.readFile(at('f'))), 'abc');
    d.truncate(at('f'), 5);
    assert.deepEqual([...d.readFile(at('f'))], [97, 98, 99, 0, 0]);
    d.utimes(at('f'), 1_000_000, 2_000_000);
    assert.equal(d.stat(at('f')).mtimeMs, 2_000_000);
    assert.equal(d.stat(at('f')).atimeMs, 1_000_000);
    assert.equal(d.exists(at('f')), true);
    assert.equal(d.exists(at('g')), false);
    assert.equal(d.exists(at('f', 'g')), false);
  });

  suite('the contract\'s filesystem group over the driver', (d, at) => {
    const bridge = makeFilesystemBridge(d);
    bridge._fsMkdir(at('x', 'y'), true);
    bridge._fsWriteFile(at('x', 'y', 'z'), bytes('via bridge'));
    assert.equal(text(bridge._fsReadFile(at('x', 'y', 'z'))), 'via bridge');
    assert.deepEqual(bridge._fsReaddir(at('x')), [{ name: 'y', type: 'directory' }]);
    bridge._fsSymlink('y/z', at('x', 'l'));
    assert.equal(bridge._fsReadlink(at('x', 'l')), 'y/z');
    assert.equal(bridge._fsLstat(at('x', 'l')).type, 'symlink');
    assert.equal(bridge._fsStat(at('x', 'l')).size, 10);
    bridge._fsRename(at('x', 'y', 'z'), at('x', 'z'));
    bridge._fsChmod(at('x', 'z'), 0o600);
    bridge._fsTruncate(at('x', 'z'), 3);
    bridge._fsUtimes(at('x', 'z'), 5000, 6000);
    assert.equal(bridge._fsStat(at('x', 'z')).mtimeMs, 6000);
    bridge._fsRemoveFile(at('x', 'l'));
    bridge._fsRemoveDir(at('x', 'y'));
    assert.equal(bridge._fsExists(at('x', 'y')), false);
    assert.equal(text(bridge._fsReadFile(at('x', 'z'))), 'via');
  });
}

test('the real driver captures node:fs when made (a later change to the shared module is not called)', (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-drivers-'));
  const shape = { ...fs };
  const driver = makeRealDriver(shape);
  shape.readFileSync = () => { throw new Error('replaced'); };
  fs.writeFileSync(path.join(root, 'f'), 'kept');
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  assert.equal(text(driver.readFile(path.join(root, 'f'))), 'kept');
});
