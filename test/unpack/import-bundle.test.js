// importBundle (cordon/import-bundle.js): Endo's options (endowments, filePrefix, transforms, the
// inescapable ones, expectedSha512, importHook, Compartment), hash pinning, the test format, and the
// validator's answer to each malformed bundle.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { zipSync, unzipSync } from 'fflate';
import { bundleSource } from 'cordon/bundle-source.js';
import { bundleTestExports, importBundle } from 'cordon/import-bundle.js';
import { validateBundle, decodeBase64 } from '../../dist/bundle-lite.js';
import { computeSha512, tempDir, writeApp } from '../pack/bundle-app.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const root = tempDir('import-bundle');
const entry = writeApp(path.join(root, 'app'));
const FORMATS = ['endoZipBase64', 'endoScript', 'getExport', 'nestedEvaluate'];
const bundles = Object.fromEntries(await Promise.all(FORMATS.map(async format => [format, await bundleSource(entry, format)])));
const powers = { computeSha512 };

test('endowments reach the bundle over the defaults (TextEncoder …), in every format', async () => {
  for (const format of FORMATS) {
    const namespace = await importBundle(bundles[format], { endowments: { extra: 'given' } }, powers);
    assert.equal(namespace.textEncoder, 'function', format);
    assert.equal(namespace.probe('typeof TextEncoder'), 'function', `${format}: a nested compartment has its own globals`);
  }
  const withGlobal = await bundleSource(writeApp(path.join(root, 'global'), 'host'), 'getExport');
  const namespace = await importBundle(withGlobal, { endowments: { require: specifier => ({ join: (...parts) => `${specifier}:${parts.join('|')}` }) } });
  assert.equal(namespace.joined, 'node:path:a|b', 'an endowed require serves host modules');
});

test('filePrefix is the nestedEvaluate bundle\'s module URL base (import.meta.url), and harmless to getExport', async () => {
  const nested = await importBundle(bundles.nestedEvaluate, { filePrefix: 'file:///srv/bundles/app.json/' });
  assert.equal(nested.metaUrl(), 'file:///srv/bundles/app.json/bapp-v1.0.0/main.js');
  const byDefault = await importBundle(bundles.nestedEvaluate);
  assert.equal(byDefault.metaUrl(), '/bundled-source/.../bapp-v1.0.0/main.js');
  assert.equal((await importBundle(bundles.getExport, { filePrefix: '/x/' })).answer, 42);
});

test('transforms apply to the bundle\'s code in every format; inescapable ones and inescapable globals reach compartments made inside it', async () => {
  const transforms = [source => source.replace(/'MARKER'/g, "'TRANSFORMED'")];
  for (const format of FORMATS) {
    assert.equal((await importBundle(bundles[format], {}, powers)).marker, 'MARKER', format);
    assert.equal((await importBundle(bundles[format], { transforms }, powers)).marker, 'TRANSFORMED', format);
    const inner = await importBundle(bundles[format], { inescapableTransforms: [source => source.replace(/"MARK"/g, '"INESCAPABLE"')], inescapableGlobalProperties: { secret: 'shared' } }, powers);
    assert.equal(inner.probe('"MARK"'), 'INESCAPABLE', `${format}: nested compartment transformed`);
    assert.equal(inner.probe('typeof secret === "string" ? secret : "absent"'), 'shared', `${format}: nested compartment global`);
    assert.equal(inner.probe('new Compartment().evaluate("secret")'), 'shared', `${format}: and one level deeper`);
    const without = await importBundle(bundles[format], {}, powers);
    assert.equal(without.probe('typeof secret'), 'undefined', format);
  }
});

test('the Compartment option is the constructor used', async () => {
  for (const format of FORMATS) {
    let made = 0;
    class Counting extends Compartment {
      constructor(...args) {
        super(...args);
        made += 1;
      }
    }
    await importBundle(bundles[format], { Compartment: Counting }, powers);
    assert.ok(made >= 1, format);
  }
});

test('hash pinning: expectedSha512 must match; the bundle\'s own endoZipBase64Sha512 must match its archive', async () => {
  const bundle = bundles.endoZipBase64;
  assert.equal((await importBundle(bundle, { expectedSha512: bundle.endoZipBase64Sha512 }, powers)).answer, 42);
  await assert.rejects(importBundle(bundle, { expectedSha512: 'a'.repeat(128) }, powers), { code: 'CORDON_BUNDLE_HASH_MISMATCH', message: /not the expected a{128}/ });
  await assert.rejects(importBundle(bundle, { expectedSha512: bundle.endoZipBase64Sha512 }), { code: 'CORDON_INVALID_ARGUMENT', message: /needs powers.computeSha512/ });
  const forged = Object.freeze({ ...bundle, endoZipBase64Sha512: 'b'.repeat(128) });
  await assert.rejects(importBundle(forged, {}, powers), { code: 'CORDON_BUNDLE_HASH_MISMATCH', message: /not the endoZipBase64Sha512 it carries/ });
});

test('a tampered archive is refused before any of it runs', async () => {
  const files = unzipSync(decodeBase64(bundles.endoZipBase64.endoZipBase64));
  const name = Object.keys(files).find(file => file.endsWith('/main.js'));
  let ran = false;
  // A module changed, the zip rebuilt whole (so only the hashes can tell).
  const changed = { ...files, [name]: new TextEncoder().encode(new TextDecoder().decode(files[name]).replace("'MARKER'", "(ran(), 'EVIL')")) };
  const rezipped = zipSync(changed, { level: 0 });
  const tampered = Object.freeze({ ...bundles.endoZipBase64, endoZipBase64: Buffer.from(rezipped).toString('base64') });
  await assert.rejects(importBundle(tampered, { endowments: { ran: () => (ran = true) } }, powers), { code: 'CORDON_ARCHIVE_HASH_MISMATCH' });
  assert.equal(ran, false);
  // A byte flipped inside the base64 text: the zip's own checks, or the hashes, refuse it.
  const text = bundles.endoZipBase64.endoZipBase64;
  const at = text.length >> 1;
  const flipped = Object.freeze({ ...bundles.endoZipBase64, endoZipBase64: `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}` });
  await assert.rejects(importBundle(flipped, {}, powers), error => /^CORDON_(ARCHIVE|BUNDLE)_/.test(error.code));
});

test('the test format: a frozen namespace-like record of the exports; without them, a clear error', async () => {
  const namespace = await importBundle(bundleTestExports({ b: 2, a: 1 }));
  assert.deepEqual(Object.keys(namespace), ['a', 'b']);
  assert.equal(Object.prototype.toString.call(namespace), '[object Module]');
  assert.ok(Object.isFrozen(namespace));
  await assert.rejects(importBundle({ moduleFormat: 'test' }), { code: 'CORDON_INVALID_BUNDLE', message: /Symbol.for\("exports"\)/ });
  assert.throws(() => bundleTestExports({ [Symbol('x')]: 1 }), { code: 'CORDON_INVALID_ARGUMENT' });
});

test('unknown options are an error', async () => {
  await assert.rejects(importBundle(bundles.endoScript, { endowment: {} }), { code: 'CORDON_INVALID_ARGUMENT', message: /Unknown importBundle option "endowment"/ });
});

const MALFORMED = [
  ['a string', 'text', /must be an object, not string/],
  ['null', null, /must be an object, not null/],
  ['an array', [], /must be an object, not an array/],
  ['no moduleFormat', { source: 'x' }, /has no "moduleFormat" field/],
  ['moduleFormat a number', { moduleFormat: 1 }, /"moduleFormat" of type number/],
  ['an unknown format', { moduleFormat: 'systemjs', source: 'x' }, /unknown moduleFormat "systemjs"/],
  ['zip without its archive', { moduleFormat: 'endoZipBase64', endoZipBase64Sha512: 'a'.repeat(128) }, /no "endoZipBase64" field/],
  ['zip without its hash', { moduleFormat: 'endoZipBase64', endoZipBase64: 'UEsDBA==' }, /no "endoZipBase64Sha512" field/],
  ['zip with a hash not hex', { moduleFormat: 'endoZipBase64', endoZipBase64: 'UEsDBA==', endoZipBase64Sha512: 'Z'.repeat(128) }, /not a SHA-512 in lowercase hex/],
  ['source not a string', { moduleFormat: 'endoScript', source: 42 }, /"source" of type number/],
  ['sourceMap not a string', { moduleFormat: 'getExport', source: 'x', sourceMap: {} }, /"sourceMap" of type object/],
  ['an empty source', { moduleFormat: 'getExport', source: '' }, /empty "source"/],
  ['an extra field', { moduleFormat: 'endoScript', source: 'x', extra: 'y' }, /the field "extra", which a endoScript bundle does not have/],
  ['a __proto__ field', JSON.parse('{"moduleFormat":"endoScript","source":"x","__proto__":"y"}'), /the field "__proto__"/],
  ['a symbol key', { moduleFormat: 'endoScript', source: 'x', [Symbol('s')]: 'y' }, /symbol-named property Symbol\(s\)/],
  ['an accessor', Object.defineProperty({ moduleFormat: 'endoScript' }, 'source', { get: () => 'x', enumerable: true }), /accessor for "source"/],
  ['a proxy that throws', new Proxy({}, { ownKeys: () => { throw new Error('trap'); } }), /cannot be read \(trap\)/],
];

test('validateBundle (and so importBundle) refuses each malformed bundle, naming the field', async () => {
  for (const [what, value, message] of MALFORMED) {
    assert.throws(() => validateBundle(value, 'b.json'), { code: 'CORDON_INVALID_BUNDLE', message }, what);
    await assert.rejects(importBundle(value, { bundleUrl: 'b.json' }), { code: 'CORDON_INVALID_BUNDLE', message }, what);
  }
  assert.throws(() => validateBundle({ moduleFormat: 'endoScript', source: 'x'.repeat(20) }, 'big', { maxFieldLength: 10 }), { code: 'CORDON_INVALID_BUNDLE', message: /"source" of 20 characters, over the limit of 10/ });
  // The result is a fresh frozen copy: what the caller's object does later does not matter.
  const given = { moduleFormat: 'endoScript', source: '1' };
  const checked = validateBundle(given, 'x');
  given.source = '2';
  assert.equal(checked.source, '1');
  assert.ok(Object.isFrozen(checked));
});

test('base64 is decoded strictly, without Buffer', () => {
  const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253]);
  for (let n = 0; n <= bytes.length; n += 1) {
    const slice = bytes.slice(0, n);
    assert.deepEqual(decodeBase64(Buffer.from(slice).toString('base64')), slice, `${n} bytes`);
  }
  assert.throws(() => decodeBase64('AB$D'), { code: 'CORDON_INVALID_BUNDLE', message: /"\$" at 2 is not base64/ });
  assert.throws(() => decodeBase64('ABCDE'), { code: 'CORDON_INVALID_BUNDLE', message: /impossible length/ });
  assert.throws(() => decodeBase64({}), { code: 'CORDON_INVALID_ARGUMENT', message: /must be a string, not object/ });
});

test("a script bundle's compartment has what each archive package gets of its own: Node's global, Function('return this')(), an Error with V8's stack API; endowments of those names win", async () => {
  const dir = path.join(root, 'own-globals');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"own","version":"1.0.0"}');
  fs.writeFileSync(
    path.join(dir, 'main.js'),
    "module.exports = { global: typeof global, same: global === globalThis, sloppyThis: Function('return this')() === globalThis, captureStackTrace: typeof Error.captureStackTrace, symbol: typeof Symbol.iterator };\n",
  );
  for (const format of ['endoScript', 'getExport', 'nestedEvaluate']) {
    const bundle = await bundleSource(path.join(dir, 'main.js'), format);
    const { default: seen } = await importBundle(bundle);
    assert.deepEqual({ ...seen }, { global: 'object', same: true, sloppyThis: true, captureStackTrace: 'function', symbol: 'symbol' }, format);
    const { default: given } = await importBundle(bundle, { endowments: { global: 'mine' } });
    assert.equal(given.global, 'string', `${format}: an endowment named global wins`);
  }
});

test('a zip bundle imports at any bundleUrl — memory:, a bare name, a file: URL — and its modules are named by the string rules', async () => {
  const cases = {
    'memory:app.zip': 'memory:app.zip/bapp-v1.0.0/main.js',
    'app.zip': 'app.zip/bapp-v1.0.0/main.js',
    'file:///srv/app.zip': 'file:///srv/app.zip/bapp-v1.0.0/main.js',
  };
  for (const [bundleUrl, metaUrl] of Object.entries(cases)) {
    const namespace = await importBundle(bundles.endoZipBase64, { bundleUrl, expectedSha512: bundles.endoZipBase64.endoZipBase64Sha512 }, powers);
    assert.equal(namespace.marker, 'MARKER', bundleUrl);
    assert.equal(namespace.metaUrl(), metaUrl, bundleUrl);
  }
});
