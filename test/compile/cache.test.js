// The compile cache (compile/cache.ts, powers/node-cache.ts): a second import is served from it and gives
// the same namespace; every kind of bad entry — truncated, garbage, another version's, another module's,
// a record that does not validate — is a miss: the module is compiled, runs right, and its entry is
// written again; a folder that cannot be written only means compiling; archives hold the same bytes.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CACHE_ENTRY_FORMAT, importLocation, makeArchive } from 'cordon';
import { makeNodeCompileCache } from 'cordon/node-powers.js';
import { fixtureUrl, nodePowers } from '../helpers/fixtures.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const entry = fixtureUrl('scripts', 'app/main.js');
const hostPath = await import('node:path');
const modules = { 'node:path': hostPath };
const plain = value => JSON.parse(JSON.stringify(value));
const fresh = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-cache-'));

/** The store, counting what it served and what it was given. */
const counted = directory => {
  const store = makeNodeCompileCache({ fs, crypto, directory });
  const counts = { hits: 0, misses: 0, writes: 0 };
  return {
    counts,
    cache: {
      fingerprint: store.fingerprint,
      get: key => {
        const bytes = store.get(key);
        counts[bytes === undefined ? 'misses' : 'hits'] += 1;
        return bytes;
      },
      set: (key, bytes) => {
        counts.writes += 1;
        store.set(key, bytes);
      },
      // The store writes in the background: the tests that look at its folder wait for it.
      flush: () => store.flush(),
    },
  };
};

const entryFiles = directory => fs.readdirSync(directory, { recursive: true }).filter(name => name.endsWith('.json')).map(name => path.join(directory, name));

const reference = plain((await importLocation(nodePowers(), entry, { modules })).namespace);

test('a second import is served from the cache (ES and CommonJS modules) and gives the same namespace', async () => {
  const directory = fresh();
  const first = counted(directory);
  assert.deepEqual(plain((await importLocation(nodePowers(), entry, { modules, compileCache: first.cache })).namespace), reference);
  assert.ok(first.counts.writes >= 10, `entries written: ${first.counts.writes}`);
  assert.equal(first.counts.hits, 0);
  await first.cache.flush();
  const second = counted(directory);
  assert.deepEqual(plain((await importLocation(nodePowers(), entry, { modules, compileCache: second.cache })).namespace), reference);
  assert.equal(second.counts.misses, 0, 'every module from the cache');
  assert.equal(second.counts.hits, first.counts.writes);
  assert.equal(second.counts.writes, 0);
  for (const file of entryFiles(directory)) {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(stored.format, CACHE_ENTRY_FORMAT);
    assert.ok(stored.key.startsWith(`${first.cache.fingerprint}:`));
    assert.ok(!JSON.stringify(stored).includes(fixtureUrl('scripts')), 'no path of the machine in an entry');
  }
});

const CORRUPTIONS = {
  truncated: (text, _key) => text.slice(0, Math.floor(text.length / 2)),
  garbage: () => '\u0000\u00ff not json at all {{{',
  "another version's entry": (text, key) => {
    const entry = JSON.parse(text);
    return JSON.stringify({ ...entry, key: `0000${key.slice(4)}` });
  },
  'an entry of another format': text => JSON.stringify({ ...JSON.parse(text), format: 'cordon-compile-cache-0' }),
  "another module's entry under this name": (_text, _key, other) => other,
  'a record that does not validate': text => {
    const entry = JSON.parse(text);
    if (entry.value.record) entry.value.record.__syncModuleProgram__ = 42;
    else entry.value.source = { not: 'a string' };
    return JSON.stringify(entry);
  },
};

for (const [name, corrupt] of Object.entries(CORRUPTIONS)) {
  test(`a bad entry (${name}) is ignored: the module is compiled, runs right, and its entry is written again`, async () => {
    const directory = fresh();
    const filled = counted(directory).cache;
    await importLocation(nodePowers(), entry, { modules, compileCache: filled });
    await filled.flush();
    const files = entryFiles(directory);
    const texts = files.map(file => fs.readFileSync(file, 'utf8'));
    files.forEach((file, i) => fs.writeFileSync(file, corrupt(texts[i], JSON.parse(texts[i]).key, texts[(i + 1) % texts.length])));
    const again = counted(directory);
    assert.deepEqual(plain((await importLocation(nodePowers(), entry, { modules, compileCache: again.cache })).namespace), reference);
    assert.equal(again.counts.writes, files.length, 'every bad entry rewritten');
    await again.cache.flush();
    files.forEach((file, i) => assert.equal(fs.readFileSync(file, 'utf8'), texts[i], 'rewritten as it was'));
  });
}

test('a folder that cannot be written (a file stands where it should be) only means compiling', async () => {
  const blocker = path.join(fresh(), 'not-a-folder');
  fs.writeFileSync(blocker, 'a file');
  const { cache, counts } = counted(blocker);
  assert.deepEqual(plain((await importLocation(nodePowers(), entry, { modules, compileCache: cache })).namespace), reference);
  await cache.flush();
  assert.ok(counts.writes > 0);
  assert.equal(fs.readFileSync(blocker, 'utf8'), 'a file');
  // A store that throws on every call is no worse.
  const throwing = { fingerprint: 'x', get: () => { throw new Error('broken store'); }, set: () => { throw new Error('broken store'); } };
  assert.deepEqual(plain((await importLocation(nodePowers(), entry, { modules, compileCache: throwing })).namespace), reference);
});

test('an archive holds the same bytes with or without the cache, cold or warm', async () => {
  const without = await makeArchive(nodePowers(), entry, { modules });
  const directory = fresh();
  const filling = counted(directory).cache;
  const cold = await makeArchive(nodePowers(), entry, { modules, compileCache: filling });
  await filling.flush();
  const warm = counted(directory);
  const served = await makeArchive(nodePowers(), entry, { modules, compileCache: warm.cache });
  assert.ok(warm.counts.hits > 0);
  assert.deepEqual(cold, without);
  assert.deepEqual(served, without);
});

test('the store is bounded: past maxBytes the oldest entries go', async () => {
  const directory = fresh();
  const store = makeNodeCompileCache({ fs, crypto, directory, maxBytes: 4096 });
  const big = new Uint8Array(1500);
  for (let i = 0; i < 3; i++) store.set(`old-${i}`, big);
  await store.flush();
  // The first write of a process pruned (nothing to prune yet); a new process's store prunes again.
  const later = makeNodeCompileCache({ fs, crypto, directory, maxBytes: 4096 });
  fs.rmSync(path.join(directory, '.pruned'));
  later.set('new', big);
  await later.flush();
  const total = entryFiles(directory).reduce((sum, file) => sum + fs.statSync(file).size, 0);
  assert.ok(total <= 4096, `under the bound: ${total}`);
  assert.ok(later.get('new'), 'the newest entry stays');
});

test('the fingerprint names the compiler and the salt', () => {
  const a = makeNodeCompileCache({ fs, crypto, directory: fresh() });
  const b = makeNodeCompileCache({ fs, crypto, directory: fresh() });
  const salted = makeNodeCompileCache({ fs, crypto, directory: fresh(), salt: 'another option' });
  assert.match(a.fingerprint, /^[0-9a-f]{64}$/);
  assert.equal(a.fingerprint, b.fingerprint);
  assert.notEqual(a.fingerprint, salted.fingerprint);
});

test('a read-only cache folder (every write fails with EROFS): its entries are still read, nothing is written, the app runs right', async () => {
  const directory = fresh();
  const filling = makeNodeCompileCache({ fs, crypto, directory });
  await importLocation(nodePowers(), entry, { modules, compileCache: filling });
  await filling.flush();
  const before = fs.readdirSync(directory, { recursive: true }).sort();
  const refused = name => () => {
    throw Object.assign(new Error(`EROFS: read-only file system, ${name}`), { code: 'EROFS' });
  };
  const refusedLater = name => async () => refused(name)();
  const promises = { ...fs.promises, writeFile: refusedLater('write'), rename: refusedLater('rename'), mkdir: refusedLater('mkdir'), rm: refusedLater('rm') };
  const readOnly = { ...fs, promises, writeFileSync: refused('write'), renameSync: refused('rename'), mkdirSync: refused('mkdir'), rmSync: refused('rm') };
  let hits = 0;
  const store = makeNodeCompileCache({ fs: readOnly, crypto, directory });
  const cache = { fingerprint: store.fingerprint, get: key => { const found = store.get(key); if (found !== undefined) hits += 1; return found; }, set: (key, value) => store.set(key, value), flush: () => store.flush() };
  assert.deepEqual(plain((await importLocation(nodePowers(), entry, { modules, compileCache: cache })).namespace), reference);
  assert.ok(hits > 0, 'entries read from the read-only folder');
  await store.flush();
  assert.deepEqual(fs.readdirSync(directory, { recursive: true }).sort(), before);
  // An empty read-only folder: every module compiled, none stored.
  const empty = fresh();
  const none = makeNodeCompileCache({ fs: readOnly, crypto, directory: empty });
  assert.deepEqual(plain((await importLocation(nodePowers(), entry, { modules, compileCache: none })).namespace), reference);
  await none.flush();
  assert.deepEqual(fs.readdirSync(empty), []);
});

test('entries are written in the background: a get before they are on disk is answered, flush() writes them, a process that exits at once still fills its cache', async () => {
  const directory = fresh();
  const store = makeNodeCompileCache({ fs, crypto, directory });
  const bytes = new TextEncoder().encode('{"an":"entry"}');
  store.set('k', bytes);
  assert.deepEqual(store.get('k'), bytes, 'answered before it is written');
  await store.flush();
  assert.equal(entryFiles(directory).length, 1);
  assert.deepEqual(new Uint8Array(fs.readFileSync(entryFiles(directory)[0])), bytes);
  // A program that sets entries and exits in the same turn: the exit writes them.
  const other = fresh();
  const program = `import fs from 'node:fs'; import crypto from 'node:crypto'; import { makeNodeCompileCache } from 'cordon/node-powers.js';
const store = makeNodeCompileCache({ fs, crypto, directory: ${JSON.stringify(other)} });
for (let i = 0; i < 5; i += 1) store.set('key-' + i, new TextEncoder().encode('value ' + i));
process.exit(0);`;
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, ['--input-type=module', '-e', program], { cwd: path.dirname(new URL(import.meta.url).pathname) });
  assert.equal(entryFiles(other).length, 5);
});
