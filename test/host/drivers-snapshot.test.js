// The in-memory driver's snapshots (cordon-memfs-1): deterministic bytes, faithful round trips, and
// strict loading (corrupt, truncated, foreign or malformed snapshots are clear errors, never a crash).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { makeMemoryDriver, makeSnapshotFileStore, MEMFS_FORMAT, SnapshotError } from '../../dist/host.js';

const bytes = text => new TextEncoder().encode(text);
const fixedClock = () => 1_700_000_000_000;

const build = (order) => {
  const d = makeMemoryDriver({ now: fixedClock });
  const steps = {
    dirs: () => d.mkdir('/app/data/deep/er', true),
    file: () => d.writeFile('/app/data/a.txt', bytes('alpha')),
    binary: () => d.writeFile('/app/bin', new Uint8Array([0, 255, 1, 254])),
    empty: () => d.writeFile('/app/empty', new Uint8Array(0)),
    unicode: () => d.writeFile('/app/data/naïve ☃.txt', bytes('snow')),
    link: () => d.symlink('../a.txt', '/app/data/deep/link'),
    mode: () => d.chmod('/app/bin', 0o755),
  };
  for (const name of order) steps[name]();
  return d;
};
const ORDER = ['dirs', 'file', 'binary', 'empty', 'unicode', 'link', 'mode'];

const withDigest = (body) => {
  const out = new Uint8Array(body.byteLength + 32);
  out.set(body);
  out.set(createHash('sha256').update(body).digest(), body.byteLength);
  return out;
};
const bodyOf = (snapshot) => snapshot.bytes.slice(0, snapshot.bytes.byteLength - 32);

test('equal trees give equal bytes, whatever order they were made in', () => {
  const one = build(ORDER).flush();
  const two = build([...ORDER].reverse().filter(s => s !== 'dirs' && s !== 'mode').reduce((acc, s) => [...acc, s], ['dirs']).concat(['mode'])).flush();
  assert.equal(one.format, MEMFS_FORMAT);
  assert.ok(one.bytes instanceof Uint8Array);
  assert.deepEqual(Buffer.from(one.bytes), Buffer.from(two.bytes));
  const different = build(ORDER);
  different.writeFile('/app/empty', bytes('!'));
  assert.notDeepEqual(Buffer.from(different.flush().bytes), Buffer.from(one.bytes));
});

test('a snapshot round trip keeps every entry, content, mode, time and link', () => {
  const source = build(ORDER);
  source.utimes('/app/data/a.txt', 123_000, 456_000);
  const snapshot = source.flush();
  const copy = makeMemoryDriver();
  copy.writeFile('/old', bytes('replaced by the load'));
  copy.load(snapshot);
  assert.equal(copy.exists('/old'), false);
  assert.deepEqual(Buffer.from(copy.flush().bytes), Buffer.from(snapshot.bytes));
  assert.equal(new TextDecoder().decode(copy.readFile('/app/data/deep/link')), 'alpha');
  assert.equal(copy.readlink('/app/data/deep/link'), '../a.txt');
  assert.deepEqual([...copy.readFile('/app/bin')], [0, 255, 1, 254]);
  assert.equal(copy.stat('/app/bin').mode, 0o755);
  assert.equal(copy.stat('/app/data/a.txt').mtimeMs, 456_000);
  assert.equal(copy.stat('/app/data/a.txt').atimeMs, 123_000);
  assert.equal(copy.readFile('/app/empty').byteLength, 0);
  assert.deepEqual(copy.readdir('/app/data').map(e => e.name), ['a.txt', 'deep', 'naïve ☃.txt']);
  // the loaded tree is its own: changing it leaves the snapshot's bytes alone
  copy.writeFile('/app/bin', bytes('changed'));
  const again = makeMemoryDriver();
  again.load(snapshot);
  assert.deepEqual([...again.readFile('/app/bin')], [0, 255, 1, 254]);
  // an empty filesystem round-trips too
  const empty = makeMemoryDriver({ now: fixedClock });
  const emptySnapshot = empty.flush();
  const emptyCopy = makeMemoryDriver();
  emptyCopy.load(emptySnapshot);
  assert.deepEqual(emptyCopy.readdir('/'), []);
});

const rejects = (driver, snapshot, pattern) => {
  assert.throws(() => driver.load(snapshot), error => {
    assert.match(error.message, pattern);
    return true;
  });
};

test('every truncation and a flipped byte anywhere are rejected with a clear error, leaving the tree as it was', () => {
  const snapshot = build(ORDER).flush();
  const target = makeMemoryDriver();
  target.writeFile('/keep', bytes('kept'));
  for (let length = 0; length < snapshot.bytes.byteLength; length += 1) {
    assert.throws(() => target.load({ format: MEMFS_FORMAT, bytes: snapshot.bytes.subarray(0, length) }), error => error instanceof SnapshotError && error.code === 'ERR_CORDON_SNAPSHOT' && /Invalid cordon-memfs-1 filesystem snapshot: /.test(error.message), `length ${length}`);
  }
  for (let at = 0; at < snapshot.bytes.byteLength; at += 1) {
    const corrupt = snapshot.bytes.slice();
    corrupt[at] ^= 0x41;
    assert.throws(() => target.load({ format: MEMFS_FORMAT, bytes: corrupt }), SnapshotError, `byte ${at}`);
  }
  const longer = new Uint8Array(snapshot.bytes.byteLength + 1);
  longer.set(snapshot.bytes);
  rejects(target, { format: MEMFS_FORMAT, bytes: longer }, /checksum/);
  assert.equal(new TextDecoder().decode(target.readFile('/keep')), 'kept');
});

test('foreign formats and foreign bytes are refused', () => {
  const target = makeMemoryDriver();
  const snapshot = build(ORDER).flush();
  rejects(target, { format: 'tar', bytes: snapshot.bytes }, /format "tar".*cordon-memfs-1/);
  rejects(target, null, /format undefined/);
  rejects(target, { format: MEMFS_FORMAT, bytes: 'not bytes' }, /not a Uint8Array/);
  rejects(target, { format: MEMFS_FORMAT, bytes: new Uint8Array(64).fill(7) }, /magic/);
  rejects(target, { format: MEMFS_FORMAT, bytes: bytes('PK\u0003\u0004 a zip file, not a snapshot at all, long enough for a header') }, /magic/);
  const version2 = bodyOf(snapshot);
  new DataView(version2.buffer).setUint32(8, 2);
  rejects(target, { format: MEMFS_FORMAT, bytes: withDigest(version2) }, /version 2/);
});

test('malformed snapshots with a valid checksum are refused (no crash, no hang)', () => {
  const target = makeMemoryDriver();
  const tiny = makeMemoryDriver({ now: fixedClock });
  tiny.mkdir('/b');
  tiny.writeFile('/a', bytes('x'));
  const body = bodyOf(tiny.flush());
  // layout: 16-byte header, then the root (43 bytes + 0 name + 0 data), then "a" then "b"
  const rootSize = 43 + 4;
  const aStart = 16 + rootSize;
  const aSize = 43 + 1 + 4 + 1;
  const bStart = aStart + aSize;
  const edit = (fn) => {
    const copy = body.slice();
    fn(new DataView(copy.buffer), copy);
    return { format: MEMFS_FORMAT, bytes: withDigest(copy) };
  };
  rejects(target, edit(v => v.setUint32(12, 0xffffffff)), /entry count/);
  rejects(target, edit(v => v.setUint32(12, 2)), /follow its last entry/);
  rejects(target, edit(v => v.setUint8(aStart, 9)), /unknown kind 9/);
  rejects(target, edit(v => v.setUint32(aStart + 3, 0o17777)), /mode/);
  rejects(target, edit(v => v.setFloat64(aStart + 15, NaN)), /finite/);
  rejects(target, edit(v => v.setUint16(aStart + 1, 5)), /depth 5/);
  rejects(target, edit((v, c) => { c[bStart + 43] = 0x61; }), /out of order or repeated/);
  rejects(target, edit((v, c) => { c[aStart + 43] = 0x2f; }), /invalid name "\/"/);
  rejects(target, edit((v, c) => { c[aStart + 43] = 0xff; }), /not UTF-8/);
  rejects(target, edit(v => v.setUint32(aStart + 39, 0x7fffffff)), /truncated \(its name\)/);
  rejects(target, edit(v => v.setUint8(16, 2)), /first entry is not the root/);
  rejects(target, edit((v, c) => { c[aStart] = 3; c[aStart + 43 + 1 + 4] = 0; }), /symlink entry 1 \("a"\) has an invalid target/);
  target.load(edit((v, c) => { c[aStart] = 3; })); // a symlink to "x" is a valid entry
  assert.equal(target.readlink('/a'), 'x');
  const dirWithData = edit((v, c) => { c[bStart] = 1; });
  target.load(dirWithData); // "b" was already a directory: unchanged, loads
  rejects(target, edit((v, c) => { c[aStart] = 1; }), /carries data/);
});

test('the snapshot file store: load is null before the first flush; flush then load round-trips', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-snap-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'state.bin');
  const store = makeSnapshotFileStore(file);
  assert.equal(await store._persistenceLoad(), null);
  const snapshot = build(ORDER).flush();
  await store._persistenceFlush(snapshot);
  const loaded = await store._persistenceLoad();
  assert.equal(loaded.format, MEMFS_FORMAT);
  assert.deepEqual(Buffer.from(loaded.bytes), Buffer.from(snapshot.bytes));
  assert.deepEqual(fs.readdirSync(dir), ['state.bin']);
  fs.writeFileSync(file, 'garbage without a format line');
  assert.throws(() => store.loadSync(), /not a Cordon filesystem snapshot/);
});
