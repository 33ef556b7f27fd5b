// Archives are deterministic: the same application gives the same bytes, whatever the checkout path,
// with no absolute path of the building machine inside; makeAndHashArchive's sha512 is the map's.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { unzipSync } from 'fflate';
import { captureFromMap, hashLocation, loadArchive, makeAndHashArchive, makeArchive, mapLocation, mapNodeModules, writeArchive } from 'cordon';
import { makeReadNowPowers } from 'cordon/node-powers.js';
import { archivePowers, LOCATIONS } from '../unpack/locations.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const powers = makeReadNowPowers({ fs, url, crypto, path });
const hostFs = createRequire(import.meta.url)('node:fs');
const source = url.fileURLToPath(new URL('../fixtures/interop/', import.meta.url));

const copyTo = name => {
  const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `cordon-${name}-`)), 'deeply', name, 'checkout');
  fs.cpSync(source, target, { recursive: true, verbatimSymlinks: true });
  return target;
};

test('two builds from two copies at different paths give identical bytes, with no path of either inside', async () => {
  const a = copyTo('first');
  const b = copyTo('second-copy-elsewhere');
  const build = root => makeArchive(powers, url.pathToFileURL(path.join(root, 'app/main.js')).href, { modules: { fs: hostFs } });
  const [bytesA, bytesB, bytesAAgain] = [await build(a), await build(b), await build(a)];
  assert.equal(Buffer.compare(Buffer.from(bytesA), Buffer.from(bytesB)), 0);
  assert.equal(Buffer.compare(Buffer.from(bytesA), Buffer.from(bytesAAgain)), 0);
  // Nor does where it is written change a byte: a file: URL, a memory: name, a bare name.
  const { read, write, archives } = archivePowers(powers);
  for (const { location } of LOCATIONS) await writeArchive(write, read, location, url.pathToFileURL(path.join(b, 'app/main.js')).href, { modules: { fs: hostFs } });
  for (const { location } of LOCATIONS) assert.equal(Buffer.compare(Buffer.from(archives.get(location)), Buffer.from(bytesA)), 0, location);
  const text = Buffer.from(bytesA).toString('latin1');
  for (const root of [a, b, os.tmpdir(), process.cwd()]) assert.equal(text.includes(root), false, `archive mentions ${root}`);
  assert.equal(text.includes('file://'), false);
  // Entries: compartment-map.json first, then sorted; every date 1980-01-01.
  const names = Object.keys(unzipSync(bytesA));
  assert.equal(names[0], 'compartment-map.json');
  assert.deepEqual(names.slice(1), [...names.slice(1)].sort());
});

test('makeAndHashArchive: the sha512 of compartment-map.json; mapLocation and hashLocation agree; each module carries its sha512', async () => {
  const entry = url.pathToFileURL(path.join(source, 'app/main.js')).href;
  const { bytes, sha512 } = await makeAndHashArchive(powers, entry, { modules: { fs: hostFs } });
  const files = unzipSync(bytes);
  const mapBytes = files['compartment-map.json'];
  assert.equal(sha512, crypto.createHash('sha512').update(mapBytes).digest('hex'));
  assert.deepEqual([...(await mapLocation(powers, entry, { modules: { fs: hostFs } }))], [...mapBytes]);
  assert.equal(await hashLocation(powers, entry, { modules: { fs: hostFs } }), sha512);
  // Read back from any kind of location, the archive has that hash.
  const { read, write } = archivePowers(powers);
  for (const { location } of LOCATIONS) {
    await writeArchive(write, read, location, entry, { modules: { fs: hostFs } });
    assert.equal((await loadArchive(read, location)).sha512, sha512, location);
  }
  const map = JSON.parse(new TextDecoder().decode(mapBytes));
  for (const [name, compartment] of Object.entries(map.compartments)) {
    for (const module of Object.values(compartment.modules)) {
      if (!('location' in module)) continue;
      assert.equal(module.sha512, crypto.createHash('sha512').update(files[`${name}/${module.location}`]).digest('hex'));
    }
  }
  // Endo's key orders: compartments name, label, location, modules; files location, parser, sha512.
  const first = Object.values(map.compartments)[0];
  assert.deepEqual(Object.keys(first), ['name', 'label', 'location', 'modules']);
  const file = Object.values(first.modules).find(m => 'location' in m);
  assert.deepEqual(Object.keys(file), ['location', 'parser', 'sha512']);
  assert.deepEqual(Object.keys(map), ['tags', 'entry', 'compartments']);
});

test('the archive is complete: targets of literal import() and of require() inside functions are in it', async () => {
  const entry = url.pathToFileURL(path.join(source, 'app/main.js')).href;
  const files = unzipSync(await makeArchive(powers, entry, { modules: { fs: hostFs } }));
  assert.ok('dyn-dep-v1.0.0/index.cjs' in files, Object.keys(files).join());
  assert.ok('app-v1.0.0/later.js' in files);
  assert.ok('cjs-dep-v1.0.0/lib/helper.js' in files);
});

test('archive compartment names follow Endo\'s rule (name-vVersion, -nN when a package name repeats)', async () => {
  const graph = url.fileURLToPath(new URL('../fixtures/graph/', import.meta.url));
  const map = await mapNodeModules(powers, url.pathToFileURL(path.join(graph, 'app/main.js')).href);
  const capture = await captureFromMap(powers, map);
  assert.ok(Object.keys(capture.captureCompartmentMap.compartments).includes('$root$'));
  const { archiveNames } = await import('../../dist/pack/index.js');
  const names = archiveNames([
    { name: 'dep', version: '2.0.0', location: 'file:///b/' },
    { name: 'dep', version: '1.0.0', location: 'file:///a/' },
    { name: 'a', version: '1.0.0', location: 'file:///c/' },
    { name: 'a', version: '1.0.0', location: 'file:///d/' },
    { name: 'nov', version: '', location: 'file:///e/' },
  ]);
  assert.deepEqual([...names.values()].sort(), ['a-v1.0.0', 'a-v1.0.0-n1', 'dep-v1.0.0', 'dep-v2.0.0-n1', 'nov-v']);
});

for (const { kind, location } of LOCATIONS) {
  test(`sourceMapHook receives each ES module's map when archiving; computeSourceMapLocation names it when reading at a ${kind}`, async () => {
    const { parseArchive } = await import('cordon');
    const entry = url.pathToFileURL(path.join(source, 'app/main.js')).href;
    const maps = [];
    const bytes = await makeArchive(powers, entry, { modules: { fs: hostFs }, sourceMapHook: (map, details) => maps.push([details.compartment, details.module, JSON.parse(map).version]) });
    assert.ok(maps.some(([compartment, module, version]) => compartment === '$root$' && module === './main.js' && version === 3), JSON.stringify(maps));
    const named = [];
    const application = await parseArchive(bytes, location, {
      computeSourceMapLocation: ({ compartment, module }) => {
        named.push(`${compartment} ${module}`);
        return `${location}.maps/${compartment}/${module.slice(2)}.map`;
      },
    });
    await application.import({ modules: { fs: hostFs, 'node:fs': hostFs } });
    assert.ok(named.includes('app-v1.0.0 ./main.js'), named.join());
  });
}
