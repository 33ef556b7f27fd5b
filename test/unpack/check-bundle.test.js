// checkBundle (cordon/check-bundle.js and the lite form): the incumbent's rules (frozen, string data
// properties, endoZipBase64 with its hash, the archive whole and every module loaded), script bundles
// shape-checked then refused with the reason, host modules no failure; checkBundleBytes/File.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { bundleSource } from 'cordon/bundle-source.js';
import { checkBundle, checkBundleBytes, checkBundleFile } from 'cordon/check-bundle.js';
import { checkBundle as checkBundleLite } from '../../dist/bundle-lite.js';
import endoBundleSource from '@endo/bundle-source';
import { checkBundle as endoCheckBundle } from '@endo/check-bundle';
import { computeSha512, tempDir, writeApp } from '../pack/bundle-app.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const root = tempDir('check-bundle');
const entry = writeApp(path.join(root, 'app'));
const hostEntry = writeApp(path.join(root, 'host'), 'host');
const zip = await bundleSource(entry);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The bundle with its archive's files changed by `edit`, every hash made consistent again. */
const rehashed = (bundle, edit) => {
  const files = unzipSync(new Uint8Array(Buffer.from(bundle.endoZipBase64, 'base64')));
  const map = JSON.parse(decoder.decode(files['compartment-map.json']));
  edit(files, map);
  for (const [name, compartment] of Object.entries(map.compartments)) {
    for (const module of Object.values(compartment.modules)) if (module.location && files[`${name}/${module.location}`]) module.sha512 = computeSha512(files[`${name}/${module.location}`]);
  }
  files['compartment-map.json'] = encoder.encode(JSON.stringify(map, null, 2));
  const ordered = { 'compartment-map.json': files['compartment-map.json'], ...files };
  return Object.freeze({ moduleFormat: 'endoZipBase64', endoZipBase64: Buffer.from(zipSync(ordered, { level: 0 })).toString('base64'), endoZipBase64Sha512: computeSha512(files['compartment-map.json']) });
};

test('a sound bundle passes, ours and the incumbent\'s, in both checkers', async () => {
  await checkBundle(zip, 'ours');
  await checkBundleLite(zip, computeSha512, 'ours');
  await endoCheckBundle(zip, 'ours');
  const theirs = await endoBundleSource(writeApp(path.join(root, 'simple'), 'simple'));
  await checkBundle(theirs, 'theirs');
  // The rebuild helper itself keeps a bundle sound (so the failures below are the edits').
  await checkBundle(rehashed(zip, () => {}), 'rebuilt');
});

test('the incumbent\'s integrity rules: an object, frozen, only string data properties', async () => {
  await assert.rejects(checkBundle('text', 'x'), { code: 'CORDON_INVALID_BUNDLE', message: /must be an object/ });
  await assert.rejects(checkBundle({ ...zip }, 'x'), { code: 'CORDON_INVALID_BUNDLE', message: /is not frozen/ });
  const getter = Object.freeze(Object.defineProperty({ ...zip }, 'endoZipBase64', { get: () => zip.endoZipBase64, enumerable: true }));
  await assert.rejects(checkBundle(getter, 'x'), { code: 'CORDON_INVALID_BUNDLE', message: /accessors: endoZipBase64/ });
  await assert.rejects(checkBundle(Object.freeze({ ...zip, size: 3 }), 'x'), { code: 'CORDON_INVALID_BUNDLE', message: /not strings: size/ });
  await assert.rejects(checkBundle(Object.freeze({ moduleFormat: 'endoZipBase64', endoZipBase64: zip.endoZipBase64 }), 'x'), { code: 'CORDON_INVALID_BUNDLE', message: /no "endoZipBase64Sha512"/ });
});

test('script bundles: shape first, then refused because a script carries no hash', async () => {
  for (const format of ['endoScript', 'getExport', 'nestedEvaluate']) {
    const bundle = await bundleSource(entry, format);
    await assert.rejects(checkBundle(bundle, 'b'), { code: 'CORDON_BUNDLE_NOT_CHECKABLE', message: new RegExp(`well-formed ${format} bundle, but it cannot be hash-checked`) });
  }
  await assert.rejects(checkBundle(Object.freeze({ moduleFormat: 'getExport' }), 'b'), { code: 'CORDON_INVALID_BUNDLE', message: /no "source" field/ });
  await assert.rejects(checkBundle(Object.freeze({ moduleFormat: 'systemjs', source: 'x' }), 'b'), { code: 'CORDON_INVALID_BUNDLE', message: /unknown moduleFormat/ });
});

test('hashes: the bundle\'s own endoZipBase64Sha512, then every module\'s', async () => {
  await assert.rejects(checkBundle(Object.freeze({ ...zip, endoZipBase64Sha512: 'c'.repeat(128) }), 'b'), { code: 'CORDON_BUNDLE_HASH_MISMATCH' });
  const files = unzipSync(new Uint8Array(Buffer.from(zip.endoZipBase64, 'base64')));
  const name = Object.keys(files).find(file => file.endsWith('/main.js'));
  files[name] = encoder.encode(decoder.decode(files[name]).replace('MARKER', 'ALTERED'));
  const altered = Object.freeze({ ...zip, endoZipBase64: Buffer.from(zipSync(files, { level: 0 })).toString('base64') });
  await assert.rejects(checkBundle(altered, 'b'), { code: 'CORDON_ARCHIVE_HASH_MISMATCH' });
});

test('every module is loaded: a module that does not parse fails the check even with every hash consistent', async () => {
  const bundle = await bundleSource(entry, { noTransforms: true });
  const broken = rehashed(bundle, files => {
    const name = Object.keys(files).find(file => file.endsWith('/cycle-b.js'));
    files[name] = encoder.encode('export const = ;\n');
  });
  await assert.rejects(checkBundle(broken, 'b'), error => error.code === 'CORDON_LOAD_FAILED' && /cycle-b\.js|SYNTAX/.test(`${error.message} ${error.errors?.map(e => e.code)}`));
  await assert.rejects(endoCheckBundle(broken, 'b'), 'the incumbent loads every module too');
  // A link to a module the archive does not have.
  const dangling = rehashed(bundle, (files, map) => {
    const compartment = Object.values(map.compartments).find(c => c.modules['./main.js']);
    compartment.modules['./cycle-a.js'] = { compartment: compartment.location, module: './nowhere.js' };
  });
  await assert.rejects(checkBundle(dangling, 'b'));
});

test('host modules do not fail the check (the incumbent\'s does)', async () => {
  const bundle = await bundleSource(hostEntry);
  await checkBundle(bundle, 'host');
  await assert.rejects(endoCheckBundle(bundle, 'host'), /node:path/);
});

test('checkBundleBytes and checkBundleFile read JSON text', async () => {
  const file = path.join(root, 'bundle.json');
  fs.writeFileSync(file, JSON.stringify(zip));
  await checkBundleFile(file);
  await checkBundleBytes(fs.readFileSync(file), 'bytes');
  await assert.rejects(checkBundleBytes(encoder.encode('{"moduleFormat":'), 'cut'), { code: 'CORDON_INVALID_BUNDLE', message: /is not JSON/ });
  fs.writeFileSync(file, JSON.stringify({ ...zip, endoZipBase64Sha512: 'd'.repeat(128) }));
  await assert.rejects(checkBundleFile(file), { code: 'CORDON_BUNDLE_HASH_MISMATCH', file });
});
