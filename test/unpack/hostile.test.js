// Hostile archives: each crafted archive is refused before anything runs, with a CordonError of its
// own code; nothing crashes, hangs or writes.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { zipSync, strToU8 } from 'fflate';
import { CordonError, makeArchive, makeMemoryPowers, parseArchive } from 'cordon';
import { LOCATIONS, moduleLocation } from './locations.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const sha512 = bytes => crypto.createHash('sha512').update(bytes).digest('hex');
const powers = makeMemoryPowers(
  {
    '/app/package.json': JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', dependencies: { dep: '1.0.0' } }),
    '/app/main.js': `import { v } from 'dep';\nexport const value = v;\n`,
    '/app/node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '1.0.0' }),
    '/app/node_modules/dep/index.js': 'exports.v = 42;\n',
  },
  { computeSha512: sha512 },
);
const good = await makeArchive(powers, 'file:///app/main.js');
const { unzipSync } = await import('fflate');
const goodFiles = unzipSync(good);
const goodMap = JSON.parse(new TextDecoder().decode(goodFiles['compartment-map.json']));

for (const { kind, location } of LOCATIONS) {
  test(`the untouched archive parses and runs at a ${kind} (the baseline every case below breaks)`, async () => {
    const application = await parseArchive(good, location, { computeSha512: sha512 });
    assert.equal((await application.import()).namespace.value, 42);
  });
}

const zip = files => zipSync(Object.fromEntries(Object.entries(files).map(([name, content]) => [name, typeof content === 'string' ? strToU8(content) : content])), { level: 0 });
const withMap = (mutate, extra = {}) => {
  const map = structuredClone(goodMap);
  const mapText = typeof mutate === 'function' ? JSON.stringify(mutate(map) ?? map) : mutate;
  const files = { ...goodFiles, 'compartment-map.json': mapText, ...extra };
  for (const [name, value] of Object.entries(extra)) if (value === undefined) delete files[name];
  return zip(files);
};
/** Renames an entry in place (same length) in both its local and central headers. */
const patchName = (bytes, from, to) => {
  const out = new Uint8Array(bytes);
  const needle = strToU8(from);
  for (let i = 0; i < out.length - needle.length; i += 1) {
    if (needle.every((b, j) => out[i + j] === b)) out.set(strToU8(to), i);
  }
  return out;
};
const appMain = 'app-v1.0.0/main.js';

const cases = [
  ['not a zip', () => new Uint8Array(crypto.randomBytes(500)), 'CORDON_ARCHIVE_CORRUPT'],
  ['an empty file', () => new Uint8Array(0), 'CORDON_ARCHIVE_CORRUPT'],
  ['a truncated zip', () => good.slice(0, Math.floor(good.length / 2)), 'CORDON_ARCHIVE_CORRUPT'],
  ['a central directory that lies outside the file', () => {
    const out = new Uint8Array(good);
    const view = new DataView(out.buffer);
    view.setUint32(out.length - 22 + 12, out.length * 2, true);
    return out;
  }, 'CORDON_ARCHIVE_CORRUPT'],
  ['an entry named with ..', () => zip({ ...goodFiles, '../evil.js': 'x' }), 'CORDON_ARCHIVE_UNSAFE_NAME'],
  ['an absolute entry name', () => zip({ ...goodFiles, '/etc/evil': 'x' }), 'CORDON_ARCHIVE_UNSAFE_NAME'],
  ['a backslash in a name', () => zip({ ...goodFiles, 'a\\b.js': 'x' }), 'CORDON_ARCHIVE_UNSAFE_NAME'],
  ['a drive letter', () => zip({ ...goodFiles, 'C:/evil.js': 'x' }), 'CORDON_ARCHIVE_UNSAFE_NAME'],
  ['a ./ segment', () => zip({ ...goodFiles, './evil.js': 'x' }), 'CORDON_ARCHIVE_UNSAFE_NAME'],
  ['an empty segment', () => zip({ ...goodFiles, 'a//evil.js': 'x' }), 'CORDON_ARCHIVE_UNSAFE_NAME'],
  ['a control character in a name', () => zip({ ...goodFiles, 'a\u0000.js': 'x' }), 'CORDON_ARCHIVE_UNSAFE_NAME'],
  ['a directory entry', () => zip({ ...goodFiles, 'dir/': new Uint8Array(0) }), 'CORDON_ARCHIVE_UNSAFE_NAME'],
  ['two entries with one name', () => patchName(zip({ ...goodFiles, 'zzzz-dup.js': 'x', 'yyyy-dup.js': 'y' }), 'yyyy-dup.js', 'zzzz-dup.js'), 'CORDON_ARCHIVE_DUPLICATE_ENTRY'],
  ['an entry over maxEntryBytes', () => zip({ ...goodFiles, 'big.bin': new Uint8Array(2048) }), 'CORDON_ARCHIVE_TOO_LARGE', { maxEntryBytes: 1024 }],
  ['entries over maxTotalBytes', () => good, 'CORDON_ARCHIVE_TOO_LARGE', { maxTotalBytes: 100 }],
  ['more entries than maxEntries', () => good, 'CORDON_ARCHIVE_TOO_LARGE', { maxEntries: 2 }],
  ['a zip bomb (a huge compression ratio)', () => zipSync({ ...goodFiles, 'bomb.bin': [new Uint8Array(8 * 1024 * 1024), { level: 9 }] }), 'CORDON_ARCHIVE_TOO_LARGE'],
  ['an unknown compression method', () => {
    const out = new Uint8Array(good);
    const view = new DataView(out.buffer);
    for (let i = 0; i < out.length - 4; i += 1) if (view.getUint32(i, true) === 0x02014b50) view.setUint16(i + 10, 12, true);
    return out;
  }, 'CORDON_ARCHIVE_CORRUPT'],
  ['no compartment-map.json', () => withMap(m => m, { 'compartment-map.json': undefined }), 'CORDON_ARCHIVE_MISSING_FILE'],
  ['a map that is not JSON', () => withMap('{"tags": ['), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['a map that is an array', () => withMap('[]'), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['an unknown top-level key', () => withMap(m => ({ ...m, evil: 1 })), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['tags that are not an array', () => withMap(m => ({ ...m, tags: 'x' })), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['a __proto__ compartment', () => withMap(JSON.stringify(goodMap).replace('"compartments":{', '"compartments":{"__proto__":{"name":"x","label":"x","location":"__proto__","modules":{}},')), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['a constructor module key', () => withMap(m => { m.compartments['app-v1.0.0'].modules.constructor = { compartment: 'dep-v1.0.0', module: './index.js' }; }), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['an unknown compartment key', () => withMap(m => { m.compartments['app-v1.0.0'].scopes = {}; }), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['an entry compartment that does not exist', () => withMap(m => { m.entry.compartment = 'nope-v1'; }), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['an entry module that does not exist', () => withMap(m => { m.entry.module = './nope.js'; }), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['a link to a compartment that does not exist', () => withMap(m => { m.compartments['app-v1.0.0'].modules.dep = { compartment: 'ghost-v1', module: './index.js' }; }), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['a link to a module that does not exist', () => withMap(m => { m.compartments['app-v1.0.0'].modules.dep = { compartment: 'dep-v1.0.0', module: './ghost.js' }; }), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['a module location with ..', () => withMap(m => { m.compartments['app-v1.0.0'].modules['./main.js'].location = '../../etc/passwd'; }), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['an unsafe compartment name', () => withMap(JSON.stringify(goodMap).replaceAll('dep-v1.0.0', '../dep')), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['a compartment whose location is not its name', () => withMap(m => { m.compartments['dep-v1.0.0'].location = 'elsewhere'; }), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['a module entry of no known kind', () => withMap(m => { m.compartments['app-v1.0.0'].modules.weird = { evil: true }; }), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['a malformed sha512', () => withMap(m => { m.compartments['app-v1.0.0'].modules['./main.js'].sha512 = 'abc'; }), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['a name of the wrong type', () => withMap(m => { m.compartments['app-v1.0.0'].name = 42; }), 'CORDON_ARCHIVE_INVALID_MAP'],
  ['a file the map names but the zip lacks', () => withMap(m => m, { [appMain]: undefined }), 'CORDON_ARCHIVE_MISSING_FILE'],
  ['a file the map does not name', () => withMap(m => m, { 'app-v1.0.0/stowaway.js': 'evil()' }), 'CORDON_ARCHIVE_EXTRANEOUS_FILE'],
  ['a module altered after its hash was taken', () => withMap(m => m, { [appMain]: strToU8(new TextDecoder().decode(goodFiles[appMain]).replace('value', 'evil_')) }), 'CORDON_ARCHIVE_HASH_MISMATCH', { computeSha512: sha512 }],
  ['another archive than the one expected', () => good, 'CORDON_ARCHIVE_HASH_MISMATCH', { computeSha512: sha512, expectedSha512: '0'.repeat(128) }],
];

for (const [name, make, code, options = {}] of cases) {
  for (const { kind, location } of LOCATIONS) {
    test(`hostile archive at a ${kind} refused: ${name} (${code})`, async () => {
      await assert.rejects(parseArchive(make(), location, options), error => {
        assert.ok(error instanceof CordonError, error.stack);
        assert.equal(error.code, code, error.message);
        assert.equal(error.file?.startsWith(location), true, error.file);
        return true;
      });
    });
  }
}

const atImport = [
  ['a precompiled module record of the wrong shape', () => withMap(m => { delete m.compartments['app-v1.0.0'].modules['./main.js'].sha512; }, { [appMain]: '{"imports":[],"exports":[],"reexports":[],"__syncModuleProgram__":7}' }), 'CORDON_INVALID_MODULE_RECORD'],
  ['a language no parser reads', () => withMap(m => { m.compartments['app-v1.0.0'].modules['./main.js'].parser = 'evil-language'; }), 'CORDON_NO_PARSER'],
  ['an import of a package the archive holds but does not link for the importer', () => withMap(m => { delete m.compartments['app-v1.0.0'].modules.dep; }), 'CORDON_UNDECLARED_DEPENDENCY'],
  ['an import the archive does not hold', () => withMap(JSON.stringify(goodMap).replace('"dep":{"compartment"', '"dep2":{"compartment"').replace(/"name":"dep"/, '"name":"other"')), 'CORDON_ARCHIVE_MODULE_MISSING'],
];
for (const [name, make, code] of atImport) {
  for (const { kind, location } of LOCATIONS) {
    test(`hostile archive at a ${kind} refused before any of it runs: ${name} (${code})`, async () => {
      const application = await parseArchive(make(), location);
      await assert.rejects(application.import(), error => {
        assert.ok(error instanceof CordonError, error.stack);
        assert.equal(error.code, 'CORDON_LOAD_FAILED');
        assert.ok(error.message.startsWith(`Cannot load ${location} `), error.message);
        assert.deepEqual(error.errors.map(e => e.code), [code]);
        // Each problem names where it is: the module, or the archive.
        const [problem] = error.errors;
        assert.ok(problem.file === location || problem.file?.startsWith(`${location}/`), problem.file);
        if (code === 'CORDON_UNDECLARED_DEPENDENCY') assert.equal(problem.file, moduleLocation(location, 'app-v1.0.0', 'main.js'));
        return true;
      });
    });
  }
}

test(`${cases.length + atImport.length} crafted archives`, () => {
  assert.ok(cases.length + atImport.length >= 30);
});
