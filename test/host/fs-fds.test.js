// The bridge-backed fs: fd ownership (another package's fds, closed fds, stdio), FileHandles, streams
// (checked constructors, no way back to Node's unchecked classes) and watchers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { once } from 'node:events';
import { makeTree, makeFs, denied, viaCallback } from './fs-helpers.js';

const ebadf = error => error?.code === 'EBADF';

test('fs: an fd another package (or the host) opened is EBADF in every fd-taking function', async t => {
  const { dir, at, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest, trusted } = makeFs(dir);
  const theirs = trusted.openSync(at('secret.txt'), 'r+');
  const host = fs.openSync(at('secret.txt'), 'r');
  t.after(() => {
    trusted.closeSync(theirs);
    fs.closeSync(host);
  });
  assert.equal(trusted.readFileSync(theirs, 'utf8'), 'SECRET');
  for (const fd of [theirs, host]) {
    const buffer = Buffer.alloc(6);
    assert.throws(() => guest.readSync(fd, buffer), ebadf);
    assert.throws(() => guest.readvSync(fd, [buffer]), ebadf);
    assert.throws(() => guest.writeSync(fd, 'pwned'), ebadf);
    assert.throws(() => guest.writevSync(fd, [Buffer.from('x')]), ebadf);
    assert.throws(() => guest.fstatSync(fd), ebadf);
    assert.throws(() => guest.fsyncSync(fd), ebadf);
    assert.throws(() => guest.fdatasyncSync(fd), ebadf);
    assert.throws(() => guest.ftruncateSync(fd, 0), ebadf);
    assert.throws(() => guest.fchmodSync(fd, 0o777), ebadf);
    assert.throws(() => guest.fchownSync(fd, process.getuid(), process.getgid()), ebadf);
    assert.throws(() => guest.futimesSync(fd, 1, 1), ebadf);
    assert.throws(() => guest.readFileSync(fd), ebadf);
    assert.throws(() => guest.writeFileSync(fd, 'x'), ebadf);
    assert.throws(() => guest.appendFileSync(fd, 'x'), ebadf);
    assert.throws(() => guest.truncateSync(fd), ebadf);
    assert.throws(() => guest.closeSync(fd), ebadf);
    assert.throws(() => guest.createReadStream(null, { fd }), ebadf);
    assert.throws(() => guest.createWriteStream(null, { fd }), ebadf);
    assert.ok(ebadf((await viaCallback(guest.read, fd, buffer, 0, 6, 0)).error));
    assert.ok(ebadf((await viaCallback(guest.fstat, fd)).error));
    assert.ok(ebadf((await viaCallback(guest.close, fd)).error));
  }
  // Guessing: no fd number (up to a bound) reads the secret.
  for (let fd = 3; fd < 64; fd++) assert.throws(() => guest.readSync(fd, Buffer.alloc(6), 0, 6, 0), ebadf);
  assert.equal(fs.readFileSync(at('secret.txt'), 'utf8'), 'SECRET');
  assert.equal(trusted.fstatSync(theirs).size, 6);
});

test('fs: the package\'s own fds work until closed; a closed number reused by another package is not its', t => {
  const { dir, at, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest, trusted } = makeFs(dir);
  const fd = guest.openSync('data/a.txt', 'r+');
  const buffer = Buffer.alloc(1);
  guest.readSync(fd, buffer, 0, 1, 0);
  assert.equal(buffer.toString(), 'A');
  guest.writeSync(fd, 'Z', 0);
  assert.equal(guest.fstatSync(fd).size, 1);
  guest.fchmodSync(fd, 0o640);
  guest.closeSync(fd);
  const reused = trusted.openSync(at('secret.txt'), 'r');
  t.after(() => trusted.closeSync(reused));
  assert.equal(reused, fd, 'the kernel hands the lowest free number out again');
  assert.throws(() => guest.readSync(fd, buffer, 0, 1, 0), ebadf);
  assert.equal(fs.readFileSync(at('data', 'a.txt'), 'utf8'), 'Z');
});

test('fs: fchmod/fchown/futimes on an fd opened for reading need write of its file', async t => {
  const { dir, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest } = makeFs(dir);
  const fd = guest.openSync('ro/r.txt', 'r');
  t.after(() => guest.closeSync(fd));
  assert.equal(guest.fstatSync(fd).size, 1);
  assert.throws(() => guest.fchmodSync(fd, 0o777), denied);
  assert.throws(() => guest.futimesSync(fd, 1, 1), denied);
  assert.throws(() => guest.fchownSync(fd, process.getuid(), process.getgid()), denied);
  const handle = await guest.promises.open('ro/r.txt', 'r');
  t.after(() => handle.close());
  await assert.rejects(handle.chmod(0o777), denied);
  await assert.rejects(handle.utimes(1, 1), denied);
  assert.equal((await handle.stat()).size, 1);
});

test('fs: stdio 0/1/2 may be written and stat-ed, not closed', t => {
  const { dir, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest } = makeFs(dir);
  assert.equal(guest.writeSync(2, ''), 0);
  assert.equal(typeof guest.fstatSync(1).size, 'number');
  assert.throws(() => guest.closeSync(0), ebadf);
  assert.throws(() => guest.fchmodSync(1, 0o777), ebadf);
});

test('fs: FileHandles are the package\'s own; their fd is its own while they live; readFile(handle) works', async t => {
  const { dir, at, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest } = makeFs(dir);
  await assert.rejects(guest.promises.open(at('secret.txt')), denied);
  await assert.rejects(guest.promises.open('ro/r.txt', 'w'), denied);
  const handle = await guest.promises.open('data/a.txt', 'r+');
  assert.equal(await guest.promises.readFile(handle, 'utf8'), 'A');
  assert.equal(guest.fstatSync(handle.fd).size, 1);
  await handle.write('Q', 0);
  assert.throws(() => new handle.constructor(Symbol('x'), {}, '/etc/passwd'), TypeError);
  const fd = handle.fd;
  const lines = [];
  // Its stream closes the handle at the end (autoClose), as Node's does: the fd is then no longer the package's.
  for await (const line of handle.readLines({ start: 0 })) lines.push(line);
  assert.deepEqual(lines, ['Q']);
  assert.equal(handle.fd, -1);
  assert.throws(() => guest.fstatSync(fd), ebadf);
});

test('fs: streams are checked when made and lead back to no unchecked class', async t => {
  const { dir, at, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest } = makeFs(dir);
  assert.throws(() => guest.createReadStream(at('secret.txt')), denied);
  assert.throws(() => guest.createWriteStream(at('outside', 'w.txt')), denied);
  assert.throws(() => new guest.ReadStream(at('secret.txt')), denied);
  assert.throws(() => guest.ReadStream(at('secret.txt')), denied);
  assert.throws(() => new guest.WriteStream('ro/r.txt'), denied);
  const stream = guest.createReadStream('data/a.txt', { encoding: 'utf8' });
  let text = '';
  for await (const chunk of stream) text += chunk;
  assert.equal(text, 'A');
  // Every constructor on the stream's prototype chain: none is Node's fs.ReadStream/WriteStream, and none opens the secret.
  for (const made of [stream, guest.createWriteStream('data/w.txt')]) {
    const seen = [];
    for (let proto = Object.getPrototypeOf(made); proto !== null; proto = Object.getPrototypeOf(proto)) seen.push(proto.constructor);
    assert.ok(!seen.includes(fs.ReadStream) && !seen.includes(fs.WriteStream));
    assert.throws(() => new made.constructor(at('secret.txt')), denied);
    made.destroy();
  }
  assert.equal(Object.getPrototypeOf(guest.ReadStream), (await import('node:stream')).Readable);
  // The `fs` option (Node's hook for the functions a stream uses) cannot bring unchecked ones back.
  assert.throws(() => guest.createReadStream(at('secret.txt'), { fs }), denied);
  // A package's own `open` on a subclass (graceful-fs) still opens through its checked fs.
  function Graceful(path, options) {
    return guest.ReadStream.apply(this, [path, options]), this;
  }
  Graceful.prototype = Object.create(guest.ReadStream.prototype);
  Graceful.prototype.open = function () {
    guest.open(this.path, 'r', (error, fd) => (error ? this.emit('error', error) : ((this.fd = fd), this.emit('open', fd), this.read())));
  };
  const graceful = new Graceful('data/sub/b.txt', { encoding: 'utf8' });
  let gracefulText = '';
  for await (const chunk of graceful) gracefulText += chunk;
  assert.equal(gracefulText, 'B');
  // A write stream writes; its fd is the package's.
  const out = guest.createWriteStream('data/out.txt');
  await once(out, 'open');
  assert.equal(guest.fstatSync(out.fd).size, 0);
  out.end('hello');
  await once(out, 'close');
  assert.equal(fs.readFileSync(at('data', 'out.txt'), 'utf8'), 'hello');
  // A stream over a FileHandle the package opened.
  const handle = await guest.promises.open('data/a.txt');
  let viaHandle = '';
  for await (const chunk of handle.createReadStream({ encoding: 'utf8' })) viaHandle += chunk;
  assert.equal(viaHandle, 'A');
});

test('fs: watch, watchFile and promises.watch need read; what they return is not the host\'s watcher', async t => {
  const { dir, at, cleanup } = makeTree();
  t.after(cleanup);
  const { fs: guest } = makeFs(dir);
  assert.throws(() => guest.watch(at('outside')), denied);
  assert.throws(() => guest.watch(at('secret.txt'), () => {}), denied);
  assert.throws(() => guest.watchFile(at('secret.txt'), () => {}), denied);
  await assert.rejects(guest.promises.watch(at('outside')).next(), denied);
  const watcher = guest.watch('data');
  t.after(() => watcher.close());
  const changed = once(watcher, 'change');
  fs.writeFileSync(at('data', 'new.txt'), 'n');
  const [, filename] = await changed;
  assert.equal(filename, 'new.txt');
  assert.equal(typeof watcher.constructor.prototype.start, 'undefined');
  const hostWatcher = fs.watch(at('data'));
  assert.ok(!(watcher instanceof hostWatcher.constructor));
  hostWatcher.close();
  watcher.close();
  const listener = () => {};
  const statWatcher = guest.watchFile('data/a.txt', { interval: 50 }, listener);
  t.after(() => guest.unwatchFile('data/a.txt'));
  assert.equal(typeof statWatcher.start, 'undefined');
  guest.unwatchFile('data/a.txt', listener);
});
