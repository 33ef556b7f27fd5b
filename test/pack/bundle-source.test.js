// bundleSource (cordon/bundle-source.js): every format imports with importBundle and agrees with
// importLocation; shapes equal the incumbent's; two copies of an app at different paths give the same
// bytes with no path of the machine in them; noTransforms, elideComments, importHook, cacheSourceMaps.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import { createRequire } from 'node:module';
import { unzipSync } from 'fflate';
import { importLocation } from 'cordon';
import { bundleSource } from 'cordon/bundle-source.js';
import { importBundle } from 'cordon/import-bundle.js';
import endoBundleSource from '@endo/bundle-source';
import { importBundle as endoImportBundle } from '@endo/import-bundle';
import { nodePowers } from '../helpers/fixtures.js';
import { computeSha512, plain, tempDir, writeApp } from './bundle-app.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const FORMATS = ['endoZipBase64', 'endoScript', 'getExport', 'nestedEvaluate'];
const hostRequire = createRequire(import.meta.url);
const root = tempDir('bundle-source');
const entry = writeApp(path.join(root, 'app'));
const simpleEntry = writeApp(path.join(root, 'simple'), 'simple');
const hostEntry = writeApp(path.join(root, 'host'), 'host');
const decoder = new TextDecoder();
const archiveOf = bundle => unzipSync(new Uint8Array(Buffer.from(bundle.endoZipBase64, 'base64')));

test('every format round-trips through importBundle and agrees with importLocation', async () => {
  const expected = plain((await importLocation(nodePowers(), url.pathToFileURL(entry).href, {})).namespace);
  assert.equal(expected.answer, 42);
  assert.equal(expected.live, 1);
  assert.equal(expected.cycle, 'b+a');
  for (const format of FORMATS) {
    const bundle = await bundleSource(entry, { format });
    assert.equal(bundle.moduleFormat, format);
    assert.ok(Object.isFrozen(bundle), format);
    const namespace = await importBundle(bundle, {}, { computeSha512 });
    assert.deepEqual(plain(namespace), expected, format);
    assert.equal(namespace.probe('1 + 1'), 2, `${format}: Compartment inside the bundle`);
  }
  // The format may be given as the second argument itself.
  assert.equal((await bundleSource(entry, 'getExport')).moduleFormat, 'getExport');
});

test('bundles have the incumbent\'s shape for each format (keys, types, frozen), and each imports the other\'s', async () => {
  for (const format of FORMATS) {
    const ours = await bundleSource(simpleEntry, { format });
    const theirs = await endoBundleSource(simpleEntry, { format });
    const shape = bundle => Object.fromEntries(Object.entries(bundle).map(([key, value]) => [key, typeof value]));
    assert.deepEqual(shape(ours), shape(theirs), format);
    assert.deepEqual(Object.keys(ours), Object.keys(theirs), `${format}: key order`);
    assert.equal(Object.isFrozen(ours), Object.isFrozen(theirs), format);
    if ('sourceMap' in theirs) assert.equal(ours.sourceMap, theirs.sourceMap, format);
    if (format === 'endoZipBase64') assert.match(ours.endoZipBase64Sha512, /^[0-9a-f]{128}$/);
    const expected = { answer: 42, default: 'simple default', fromCjs: 'dep' };
    assert.deepEqual(plain(await endoImportBundle(ours, {}, { computeSha512 })), expected, `incumbent imports ours (${format})`);
    assert.deepEqual(plain(await importBundle(theirs, {}, { computeSha512 })), expected, `we import the incumbent's (${format})`);
  }
});

test('determinism: two copies of the app at different paths give byte-identical bundles with no path of the machine in them', async () => {
  const elsewhere = writeApp(path.join(tempDir('bundle-source-other'), 'deeper', 'copy'));
  for (const format of FORMATS) {
    const one = JSON.stringify(await bundleSource(entry, { format }));
    const two = JSON.stringify(await bundleSource(elsewhere, { format }));
    assert.equal(one, two, format);
    for (const needle of [root, path.dirname(elsewhere), os.tmpdir(), process.cwd()]) assert.ok(!one.includes(needle), `${format} holds ${needle}`);
    if (format === 'endoZipBase64') {
      const files = archiveOf(JSON.parse(one));
      for (const [name, bytes] of Object.entries(files)) {
        const text = decoder.decode(bytes);
        for (const needle of [root, 'file://', os.tmpdir(), process.cwd()]) assert.ok(!text.includes(needle), `${name} holds ${needle}`);
      }
    }
  }
});

test('a relative path (to the working directory) and a file URL name the entry as a path does', async () => {
  const byPath = JSON.stringify(await bundleSource(entry, 'endoScript'));
  assert.equal(JSON.stringify(await bundleSource(path.relative(process.cwd(), entry), 'endoScript')), byPath);
  assert.equal(JSON.stringify(await bundleSource(url.pathToFileURL(entry).href, 'endoScript')), byPath);
});

test('noTransforms archives the original ES and CommonJS text (parsers mjs/cjs), which imports here', async () => {
  const bundle = await bundleSource(entry, { noTransforms: true });
  const files = archiveOf(bundle);
  const map = JSON.parse(decoder.decode(files['compartment-map.json']));
  const modules = Object.values(map.compartments).flatMap(compartment => Object.values(compartment.modules).filter(m => 'location' in m).map(m => ({ ...m, compartment: compartment.name })));
  const parsers = new Set(modules.map(m => m.parser));
  assert.ok(parsers.has('mjs') && parsers.has('cjs') && !parsers.has('pre-mjs-json') && !parsers.has('pre-cjs-json'), [...parsers].join());
  const main = Object.entries(files).find(([name]) => name.endsWith('/main.js'))[1];
  assert.equal(decoder.decode(main), fs.readFileSync(entry, 'utf8'));
  for (const module of modules) {
    const bytes = Object.entries(files).find(([name]) => name.endsWith(`/${module.location}`) && name.startsWith(Object.keys(map.compartments).find(n => map.compartments[n].name === module.compartment)))[1];
    assert.equal(computeSha512(bytes), module.sha512, module.location);
  }
  assert.equal(computeSha512(files['compartment-map.json']), bundle.endoZipBase64Sha512);
  const expected = plain(await importBundle(await bundleSource(entry), {}, { computeSha512 }));
  assert.deepEqual(plain(await importBundle(bundle, {}, { computeSha512 })), expected);
  // (The incumbent's importBundle has no mjs parser: it cannot import such a bundle, its own included.)
  // The default archives Cordon's compiled records.
  const compiled = JSON.parse(decoder.decode(archiveOf(await bundleSource(entry))['compartment-map.json']));
  assert.ok(JSON.stringify(compiled).includes('pre-mjs-json'));
});

test('elideComments blanks comments, keeps every line and the /*! banner, and the bundle still runs', async () => {
  for (const format of ['endoZipBase64', 'endoScript', 'nestedEvaluate']) {
    const plainBundle = JSON.stringify(await bundleSource(entry, { format }));
    const elided = await bundleSource(entry, { format, elideComments: true });
    const text = JSON.stringify(elided);
    const body = format === 'endoZipBase64' ? Object.values(archiveOf(elided)).map(b => decoder.decode(b)).join('\n') : text;
    const plainBody = format === 'endoZipBase64' ? Object.values(archiveOf(JSON.parse(plainBundle))).map(b => decoder.decode(b)).join('\n') : plainBundle;
    assert.ok(plainBody.includes('a block comment') && plainBody.includes('the CommonJS dependency'), `${format}: the comments are there without the option`);
    assert.ok(!body.includes('a block comment'), `${format}: block comment`);
    assert.ok(!body.includes('the CommonJS dependency'), `${format}: line comment in CommonJS`);
    assert.ok(!body.includes('a live binding'), `${format}: trailing line comment`);
    assert.ok(body.includes('kept banner'), `${format}: /*! is kept`);
    assert.ok(text.length < plainBundle.length, format);
    if (format === 'endoScript') assert.equal(elided.source.split('\n').length, JSON.parse(plainBundle).source.split('\n').length, 'every line kept');
    const namespace = await importBundle(elided, {}, { computeSha512 });
    assert.equal(namespace.answer, 42, format);
  }
  await assert.rejects(bundleSource(entry, { elideComments: true, noTransforms: true }), { code: 'CORDON_INVALID_ARGUMENT' });
});

test('host modules: getExport and nestedEvaluate reach them through require, endoZipBase64 through importHook; endoScript refuses them at bundle time', async () => {
  for (const format of ['getExport', 'nestedEvaluate']) {
    const namespace = await importBundle(await bundleSource(hostEntry, format), { endowments: { require: hostRequire } });
    assert.equal(namespace.joined, path.join('a', 'b'), format);
  }
  const zip = await bundleSource(hostEntry);
  const namespace = await importBundle(zip, { importHook: async specifier => ({ namespace: hostRequire(specifier) }) }, { computeSha512 });
  assert.equal(namespace.joined, path.join('a', 'b'));
  await assert.rejects(bundleSource(hostEntry, 'endoScript'), { code: 'CORDON_BUNDLE_HOST_MODULE' });
  // importHook at bundle time (endoZipBase64 only), asked about what is neither a package nor a builtin (as the incumbent's).
  const virtual = path.join(root, 'virtual');
  writeApp(virtual, 'host');
  fs.writeFileSync(path.join(virtual, 'main.js'), "import path from 'node:path';\nimport thing from 'virtual-thing';\nexport const joined = path.join('a', 'b');\nexport const t = thing;\n");
  const asked = [];
  const virtualBundle = await bundleSource(path.join(virtual, 'main.js'), { importHook: async specifier => (asked.push(specifier), { namespace: { default: 'virtual' } }) });
  assert.deepEqual(asked, ['virtual-thing']);
  await assert.rejects(bundleSource(path.join(virtual, 'main.js')), /virtual-thing/, 'without the hook the import is an error');
  const importHook = async specifier => ({ namespace: specifier === 'virtual-thing' ? { default: 'virtual at run time' } : hostRequire(specifier) });
  assert.equal((await importBundle(virtualBundle, { importHook }, { computeSha512 })).t, 'virtual at run time');
  await assert.rejects(bundleSource(hostEntry, { format: 'getExport', importHook: async () => undefined }), { code: 'CORDON_INVALID_ARGUMENT', message: /endoZipBase64 format only/ });
});

test('options are checked: unknown format, unknown option, conditions not an array', async () => {
  await assert.rejects(bundleSource(entry, 'systemjs'), { code: 'CORDON_INVALID_ARGUMENT', message: /moduleFormat "systemjs" is not supported/ });
  await assert.rejects(bundleSource(entry, { fromat: 'endoScript' }), { code: 'CORDON_INVALID_ARGUMENT', message: /Unknown bundleSource option "fromat"/ });
  await assert.rejects(bundleSource(entry, { conditions: 'development' }), { code: 'CORDON_INVALID_ARGUMENT', message: /array of strings/ });
});

test('conditions select exports as mapNodeModules does; dev is honoured', async () => {
  const dir = path.join(tempDir('bundle-conditions'), 'app');
  writeApp(dir, 'simple');
  fs.writeFileSync(path.join(dir, 'node_modules/dep/package.json'), JSON.stringify({ name: 'dep', version: '1.0.0', exports: { blue: './blue.js', default: './index.js' } }));
  fs.writeFileSync(path.join(dir, 'node_modules/dep/blue.js'), "exports.twice = n => n * 20;\nexports.name = 'blue';\n");
  const plainNs = await importBundle(await bundleSource(path.join(dir, 'main.js'), 'endoScript'));
  const blue = await importBundle(await bundleSource(path.join(dir, 'main.js'), { format: 'endoScript', conditions: ['blue'] }));
  assert.equal(plainNs.fromCjs, 'dep');
  assert.equal(blue.fromCjs, 'blue');
  // A devDependency: only with dev, except for getExport and nestedEvaluate (always dev, as the incumbent's).
  const devDir = path.join(tempDir('bundle-dev'), 'app');
  writeApp(devDir, 'simple');
  fs.writeFileSync(path.join(devDir, 'package.json'), JSON.stringify({ name: 'simple', version: '1.0.0', type: 'module', devDependencies: { dep: '1.0.0' } }));
  const devEntry = path.join(devDir, 'main.js');
  await assert.rejects(bundleSource(devEntry, 'endoScript'), /dep/);
  assert.equal((await importBundle(await bundleSource(devEntry, { format: 'endoScript', dev: true }))).answer, 42);
  assert.equal((await importBundle(await bundleSource(devEntry, 'getExport'))).answer, 42);
});

test('cacheSourceMaps writes each module\'s source map under Endo\'s cache folder (XDG_CACHE_HOME/endo/source-map)', async () => {
  const cache = tempDir('bundle-sourcemaps');
  await bundleSource(simpleEntry, { cacheSourceMaps: true }, { env: { XDG_CACHE_HOME: cache } });
  const mapsDir = path.join(cache, 'endo', 'source-map');
  const found = fs.readdirSync(mapsDir, { recursive: true }).filter(name => name.endsWith('.map.json'));
  assert.ok(found.length >= 1, `source maps: ${found}`);
  const sourceMap = JSON.parse(fs.readFileSync(path.join(mapsDir, found[0]), 'utf8'));
  assert.equal(sourceMap.version, 3);
  assert.ok(fs.existsSync(path.join(cache, 'endo', 'source-map-track')));
});
