// The Node-fs-shaped facade: one scenario run with Node's own fs (on a temp dir), the facade over the
// real driver (another temp dir) and the facade over the in-memory driver gives the same log: the
// same values, the same error codes, syscalls and messages.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { makeNodeFs, makeRealDriver, makeMemoryDriver } from '../../dist/host.js';

const tempRoot = () => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-memfs-')));

const describeValue = (value, root) => {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return value.split(root).join('<root>');
  if (Buffer.isBuffer(value)) return { buffer: value.toString('utf8') };
  if (Array.isArray(value)) return value.map(v => describeValue(v, root));
  if (value && typeof value.isFile === 'function' && 'mode' in value) {
    return { file: value.isFile(), dir: value.isDirectory(), link: value.isSymbolicLink(), size: value.isDirectory() ? 'dir' : value.size, perm: (value.mode & 0o777).toString(8), type: (value.mode & 0o170000).toString(8), mtime: value.mtime instanceof Date, mtimeMs: typeof value.mtimeMs };
  }
  if (value && typeof value.isFile === 'function') return { name: value.name, parentPath: describeValue(value.parentPath, root), file: value.isFile(), dir: value.isDirectory(), link: value.isSymbolicLink() };
  return value;
};
const describeError = (error, root) => ({
  code: error.code, syscall: error.syscall, errno: typeof error.errno, kind: error.constructor.name === 'SystemError' ? 'Error' : error.constructor.name,
  message: /^E[A-Z]+:/.test(error.message) || error.code === 'ERR_FS_EISDIR' ? describeValue(error.message, root) : undefined,
  path: error.path === undefined ? undefined : describeValue(error.path, root), dest: error.dest === undefined ? undefined : describeValue(error.dest, root),
});

const makeLog = (root) => {
  const log = [];
  const step = (name, fn) => {
    try {
      log.push([name, describeValue(fn(), root)]);
    } catch (error) {
      log.push([name, describeError(error, root)]);
    }
  };
  const stepAsync = async (name, fn) => {
    try {
      log.push([name, describeValue(await fn(), root)]);
    } catch (error) {
      log.push([name, describeError(error, root)]);
    }
  };
  return { log, step, stepAsync };
};

const syncScenario = (fs, root) => {
  const { log, step } = makeLog(root);
  const at = (...parts) => path.join(root, ...parts);
  step('mkdir -p', () => fs.mkdirSync(at('a', 'b', 'c'), { recursive: true }));
  step('mkdir -p again', () => fs.mkdirSync(at('a', 'b', 'c'), { recursive: true }));
  step('mkdir exists', () => fs.mkdirSync(at('a')));
  step('mkdir no parent', () => fs.mkdirSync(at('x', 'y')));
  step('write', () => fs.writeFileSync(at('a', 'f.txt'), 'hello'));
  step('append', () => fs.appendFileSync(at('a', 'f.txt'), Buffer.from(' world')));
  step('read utf8', () => fs.readFileSync(at('a', 'f.txt'), 'utf8'));
  step('read buffer', () => fs.readFileSync(at('a', 'f.txt')));
  step('read options', () => fs.readFileSync(at('a', 'f.txt'), { encoding: 'base64' }));
  step('write wx', () => fs.writeFileSync(at('a', 'f.txt'), 'no', { flag: 'wx' }));
  step('write mode', () => { fs.writeFileSync(at('a', 'm.sh'), '#!', { mode: 0o700 }); return fs.statSync(at('a', 'm.sh')); });
  step('read dir', () => fs.readFileSync(at('a')));
  step('read missing', () => fs.readFileSync(at('nope.txt')));
  step('read under file', () => fs.readFileSync(at('a', 'f.txt', 'x')));
  step('readdir', () => fs.readdirSync(at('a')).sort());
  step('readdir types', () => fs.readdirSync(at('a'), { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1)));
  step('readdir recursive', () => fs.readdirSync(at('a'), { recursive: true }).sort());
  step('readdir file', () => fs.readdirSync(at('a', 'f.txt')));
  step('stat file', () => fs.statSync(at('a', 'f.txt')));
  step('stat dir', () => fs.statSync(at('a', 'b')));
  step('stat missing', () => fs.statSync(at('nope')));
  step('stat missing quiet', () => fs.statSync(at('nope'), { throwIfNoEntry: false }));
  step('exists', () => [fs.existsSync(at('a', 'f.txt')), fs.existsSync(at('nope')), fs.existsSync(123)]);
  step('access', () => fs.accessSync(at('a', 'f.txt'), fs.constants.R_OK));
  step('access missing', () => fs.accessSync(at('nope')));
  step('symlink', () => fs.symlinkSync('f.txt', at('a', 'link')));
  step('symlink exists', () => fs.symlinkSync('f.txt', at('a', 'link')));
  step('symlink dir', () => fs.symlinkSync(at('a', 'b'), at('dirlink')));
  step('lstat link', () => fs.lstatSync(at('a', 'link')).isSymbolicLink());
  step('stat link', () => fs.statSync(at('a', 'link')));
  step('readlink', () => fs.readlinkSync(at('a', 'link')));
  step('readlink file', () => fs.readlinkSync(at('a', 'f.txt')));
  step('realpath', () => fs.realpathSync(at('a', 'link')));
  step('realpath native', () => fs.realpathSync.native(at('dirlink', 'c')));
  step('realpath dotdot', () => fs.realpathSync(`${at('dirlink')}/../f.txt`));
  step('realpath missing', () => fs.realpathSync(at('dirlink', 'nope', 'x')));
  step('realpath native missing', () => fs.realpathSync.native(at('dirlink', 'nope', 'x')));
  step('dangling', () => { fs.symlinkSync('nowhere', at('dangling')); return [fs.existsSync(at('dangling')), fs.lstatSync(at('dangling')).isSymbolicLink()]; });
  step('loop', () => { fs.symlinkSync('loop', at('loop')); return fs.statSync(at('loop')); });
  step('realpath loop', () => fs.realpathSync.native(at('loop')));
  step('rename', () => { fs.renameSync(at('a', 'm.sh'), at('a', 'n.sh')); return fs.readdirSync(at('a')).sort(); });
  step('rename missing', () => fs.renameSync(at('nope'), at('nope2')));
  step('rename into self', () => fs.renameSync(at('a'), at('a', 'b', 'inside')));
  step('copy', () => { fs.copyFileSync(at('a', 'f.txt'), at('a', 'copy.txt')); return fs.readFileSync(at('a', 'copy.txt'), 'utf8'); });
  step('copy excl', () => fs.copyFileSync(at('a', 'f.txt'), at('a', 'copy.txt'), fs.constants.COPYFILE_EXCL));
  step('copy missing', () => fs.copyFileSync(at('nope'), at('a', 'x')));
  step('chmod', () => { fs.chmodSync(at('a', 'copy.txt'), 0o600); return fs.statSync(at('a', 'copy.txt')); });
  step('chmod string', () => { fs.chmodSync(at('a', 'copy.txt'), '640'); return fs.statSync(at('a', 'copy.txt')); });
  step('truncate', () => { fs.truncateSync(at('a', 'copy.txt'), 4); return fs.readFileSync(at('a', 'copy.txt'), 'utf8'); });
  step('truncate dir', () => fs.truncateSync(at('a'), 0));
  step('utimes', () => { fs.utimesSync(at('a', 'copy.txt'), 1000, 2000); return [fs.statSync(at('a', 'copy.txt')).mtimeMs, fs.statSync(at('a', 'copy.txt')).atimeMs]; });
  step('fd write/read', () => {
    const fd = fs.openSync(at('a', 'fd.txt'), 'w+');
    fs.writeSync(fd, 'abcdef');
    fs.writeSync(fd, Buffer.from('XY'), 0, 2, 1);
    fs.writeSync(fd, 'Z');
    const buffer = Buffer.alloc(10);
    const count = fs.readSync(fd, buffer, 0, 10, 0);
    const size = fs.fstatSync(fd).size;
    fs.closeSync(fd);
    return [count, buffer.subarray(0, count).toString(), size];
  });
  step('fd append', () => {
    const fd = fs.openSync(at('a', 'fd.txt'), 'a');
    fs.writeSync(fd, '++');
    fs.closeSync(fd);
    return fs.readFileSync(at('a', 'fd.txt'), 'utf8');
  });
  step('fd read sequential', () => {
    const fd = fs.openSync(at('a', 'fd.txt'), 'r');
    const one = Buffer.alloc(3);
    const two = Buffer.alloc(3);
    fs.readSync(fd, one, 0, 3, null);
    fs.readSync(fd, two, { position: null });
    const rest = fs.readFileSync(fd, 'utf8');
    fs.closeSync(fd);
    return [one.toString(), two.toString(), rest];
  });
  step('fd write on read-only', () => {
    const fd = fs.openSync(at('a', 'fd.txt'), 'r');
    try {
      return fs.writeSync(fd, 'x');
    } finally {
      fs.closeSync(fd);
    }
  });
  step('fd closed twice', () => { const fd = fs.openSync(at('a', 'fd.txt'), 'r'); fs.closeSync(fd); fs.closeSync(fd); });
  step('open missing', () => fs.openSync(at('nope'), 'r'));
  step('open excl', () => fs.openSync(at('a', 'fd.txt'), 'wx'));
  step('open dir for write', () => fs.openSync(at('a'), 'w'));
  step('ftruncate', () => { const fd = fs.openSync(at('a', 'fd.txt'), 'r+'); fs.ftruncateSync(fd, 2); fs.closeSync(fd); return fs.readFileSync(at('a', 'fd.txt'), 'utf8'); });
  step('rm dir', () => fs.rmSync(at('a', 'b')));
  step('rm missing', () => fs.rmSync(at('nope')));
  step('rm force', () => fs.rmSync(at('nope'), { force: true }));
  step('rmdir not empty', () => fs.rmdirSync(at('a')));
  step('rmdir file', () => fs.rmdirSync(at('a', 'f.txt')));
  step('unlink dir', () => fs.unlinkSync(at('a', 'b')));
  step('unlink link', () => { fs.unlinkSync(at('a', 'link')); return [fs.existsSync(at('a', 'link')), fs.existsSync(at('a', 'f.txt'))]; });
  step('rm recursive', () => { fs.rmSync(at('a'), { recursive: true }); return fs.existsSync(at('a')); });
  step('rm link to dir keeps dir', () => { fs.mkdirSync(at('kept')); fs.symlinkSync(at('kept'), at('kl')); fs.rmSync(at('kl'), { recursive: true }); return fs.existsSync(at('kept')); });
  step('bad path type', () => fs.statSync(123));
  step('null byte', () => fs.readFileSync(at('a\u0000b')));
  step('url path', () => { fs.writeFileSync(new URL(`file://${at('u.txt')}`), 'url'); return fs.readFileSync(at('u.txt'), 'utf8'); });
  step('buffer path', () => fs.readFileSync(Buffer.from(at('u.txt')), 'utf8'));
  step('constants', () => [fs.constants.O_CREAT, fs.constants.COPYFILE_EXCL, fs.constants.F_OK]);
  return log;
};

const asyncScenario = async (fs, root) => {
  const { log, stepAsync } = makeLog(root);
  const at = (...parts) => path.join(root, ...parts);
  const cb = (fn) => new Promise((resolve, reject) => fn((error, ...values) => (error ? reject(error) : resolve(values.length > 1 ? values : values[0]))));
  await stepAsync('cb mkdir', () => cb(done => fs.mkdir(at('d', 'e'), { recursive: true }, done)));
  await stepAsync('cb write', () => cb(done => fs.writeFile(at('d', 'f'), 'callback', done)));
  await stepAsync('cb read', () => cb(done => fs.readFile(at('d', 'f'), 'utf8', done)));
  await stepAsync('cb read missing', () => cb(done => fs.readFile(at('nope'), done)));
  await stepAsync('cb stat', () => cb(done => fs.stat(at('d', 'f'), done)));
  await stepAsync('cb exists', () => new Promise(resolve => fs.exists(at('d', 'f'), resolve)));
  await stepAsync('cb realpath native', () => cb(done => fs.realpath.native(at('d', 'e', '..', 'f'), done)));
  await stepAsync('cb open/write/read/close', async () => {
    const fd = await cb(done => fs.open(at('d', 'g'), 'w+', done));
    const [written] = await cb(done => fs.write(fd, Buffer.from('0123456789'), 0, 10, null, done));
    const [bytesRead, buffer] = await cb(done => fs.read(fd, Buffer.alloc(4), 0, 4, 3, done));
    await cb(done => fs.close(fd, done));
    return [written, bytesRead, buffer.toString()];
  });
  await stepAsync('cb missing callback', async () => fs.readFile(at('d', 'f')));
  await stepAsync('promises write/read', async () => { await fs.promises.writeFile(at('d', 'p'), 'promised'); return fs.promises.readFile(at('d', 'p'), 'utf8'); });
  await stepAsync('promises readdir', async () => (await fs.promises.readdir(at('d'), { withFileTypes: true })).sort((x, y) => (x.name < y.name ? -1 : 1)));
  await stepAsync('promises stat missing', () => fs.promises.stat(at('nope')));
  await stepAsync('promises rm dir', () => fs.promises.rm(at('d', 'e')));
  await stepAsync('promises FileHandle', async () => {
    const handle = await fs.promises.open(at('d', 'h'), 'w+');
    await handle.write('handle data');
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(6), 0, 6, 0);
    const size = (await handle.stat()).size;
    await handle.truncate(6);
    const whole = await fs.promises.readFile(at('d', 'h'), 'utf8');
    await handle.close();
    return [bytesRead, buffer.toString(), size, whole];
  });
  await stepAsync('write stream', async () => {
    const stream = fs.createWriteStream(at('d', 's'));
    stream.write('one ');
    stream.write(Buffer.from('two '));
    stream.end('three');
    await once(stream, 'close');
    return [fs.readFileSync(at('d', 's'), 'utf8'), stream.bytesWritten];
  });
  await stepAsync('read stream range', async () => {
    const chunks = [];
    const stream = fs.createReadStream(at('d', 's'), { start: 4, end: 6, encoding: 'utf8' });
    for await (const chunk of stream) chunks.push(chunk);
    return [chunks.join(''), stream.bytesRead];
  });
  await stepAsync('read stream whole, small chunks', async () => {
    const chunks = [];
    for await (const chunk of fs.createReadStream(at('d', 's'), { highWaterMark: 3 })) chunks.push(chunk.length);
    return chunks;
  });
  await stepAsync('read stream missing', () => new Promise((resolve, reject) => fs.createReadStream(at('nope')).on('error', reject).on('data', resolve)));
  await stepAsync('append stream', async () => {
    const stream = fs.createWriteStream(at('d', 's'), { flags: 'a' });
    stream.end('!');
    await once(stream, 'finish');
    return fs.readFileSync(at('d', 's'), 'utf8');
  });
  return log;
};

const systems = () => {
  const nodeRoot = tempRoot();
  const realRoot = tempRoot();
  const memory = makeMemoryDriver({ umask: process.umask() });
  memory.mkdir('/mem/root', true);
  return {
    roots: [nodeRoot, realRoot],
    list: [['node:fs', fs, nodeRoot], ['facade over the real driver', makeNodeFs(makeRealDriver()), realRoot], ['facade over memory', makeNodeFs(memory), '/mem/root']],
  };
};

test('sync API: the facade over either driver answers as Node fs does', (t) => {
  const { roots, list } = systems();
  t.after(() => roots.forEach(r => fs.rmSync(r, { recursive: true, force: true })));
  const [expected, ...others] = list.map(([name, impl, root]) => [name, syncScenario(impl, root)]);
  assert.ok(expected[1].length > 70);
  for (const [name, log] of others) {
    for (let i = 0; i < expected[1].length; i += 1) assert.deepEqual(log[i], expected[1][i], `${name}: step ${expected[1][i][0]}`);
    assert.equal(log.length, expected[1].length);
  }
});

test('callback, promise and stream forms: the facade over either driver answers as Node fs does', async (t) => {
  const { roots, list } = systems();
  t.after(() => roots.forEach(r => fs.rmSync(r, { recursive: true, force: true })));
  const logs = [];
  for (const [name, impl, root] of list) logs.push([name, await asyncScenario(impl, root)]);
  const [expected, ...others] = logs;
  for (const [name, log] of others) {
    for (let i = 0; i < expected[1].length; i += 1) assert.deepEqual(log[i], expected[1][i], `${name}: step ${expected[1][i][0]}`);
    assert.equal(log.length, expected[1].length);
  }
});
