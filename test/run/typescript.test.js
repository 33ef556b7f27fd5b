// TypeScript in every mode: importLocation, loadLocation, the compile cache, archives (Cordon's and Endo's
// importArchive), scripts, bundles. The app and its packages are TypeScript (test/fixtures/typescript/app:
// ESM and CommonJS by type, .mts, .cts, a typeless package); each mode gives the same results and a stack
// that names the .ts file at the line and column of the throw, which has types before it on its line.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import { execFileSync } from 'node:child_process';
import { importArchive, importLocation, loadLocation, makeArchive } from 'cordon';
import { makeScript } from 'cordon/script.js';
import { bundleSource } from 'cordon/bundle-source.js';
import { importBundle } from 'cordon/import-bundle.js';
import { makeNodeCompileCache } from 'cordon/node-powers.js';
import { unzipSync } from 'fflate';
import { nodeLockdownOptions } from '../../dist/cli/node-host.js';
import { fixtureRoot, fixtureUrl, nodePowers, writeTree } from '../helpers/fixtures.js';

lockdown(nodeLockdownOptions);

const root = fixtureRoot('typescript');
const entry = fixtureUrl('typescript', 'app/main.ts');
const computeSha512 = bytes => crypto.createHash('sha512').update(bytes).digest('hex');
const plain = value => JSON.parse(JSON.stringify(value));
const decoder = new TextDecoder();

const RESULTS = {
  area: '6 cm',
  live: [0, 5],
  double: 42,
  helper: 'hello ts from cjs',
  esmPackage: 'pkg from ts-esm',
  cjsPackage: 'cjs',
  cjsRequired: 'required util.cts (cjs)',
  typeless: ['cjs', 'esm'],
  missing: 'elided',
};

/** Where `new Error` stands in a fixture file (1-based line and column, as V8's stacks count). */
const positionOf = (relative, marker) => {
  const lines = fs.readFileSync(path.join(root, relative), 'utf8').split('\n');
  const index = lines.findIndex(line => line.includes(marker));
  assert.ok(index >= 0, `${marker} in ${relative}`);
  assert.match(lines[index].slice(0, lines[index].indexOf('new Error')), /: (number|string)/, 'types before the throw on its line');
  return `${index + 1}:${lines[index].indexOf('new Error') + 1}`;
};
const THROWS = {
  fail: { file: 'app/main.ts', at: positionOf('app/main.ts', 'ts-app-fail') },
  failInCjs: { file: 'app/node_modules/ts-cjs/index.ts', at: positionOf('app/node_modules/ts-cjs/index.ts', 'ts-cjs-fail') },
  failInPackage: { file: 'app/node_modules/ts-esm/index.ts', at: positionOf('app/node_modules/ts-esm/index.ts', 'ts-esm-fail') },
};

/** The first frame of the stack each failing export throws. */
const framesOf = namespace =>
  Object.fromEntries(
    Object.keys(THROWS).map(name => {
      try {
        namespace[name](1);
      } catch (error) {
        return [name, String(error.stack).split('\n')[1]?.trim() ?? ''];
      }
      return [name, 'no throw'];
    }),
  );

/** Checks results and frames; `where(file)` is the name a mode gives a fixture file in stacks. */
const check = (namespace, where, metaUrl) => {
  const { url: got, ...results } = plain(namespace.results);
  assert.deepEqual(results, RESULTS);
  if (metaUrl !== undefined) assert.equal(got, metaUrl);
  const frames = framesOf(namespace);
  for (const [name, { file, at }] of Object.entries(THROWS)) {
    const expected = where(file);
    if (expected === undefined) continue;
    assert.ok(frames[name].endsWith(`${expected}:${at})`), `${name}: ${frames[name]} should name ${expected}:${at}`);
  }
};

const onDisk = file => {
  const location = fixtureUrl('typescript', file);
  return file.includes('ts-cjs') ? url.fileURLToPath(location) : location; // CommonJS frames name paths, as in Node
};
const inArchive = (location, names) => file => {
  const [pkg, rest] = file.startsWith('app/node_modules/') ? file.slice('app/node_modules/'.length).split(/\/(.*)/) : ['ts-app', file.slice(4)];
  const where = `${location}/${names[pkg]}/${rest}`;
  return pkg === 'ts-cjs' ? url.fileURLToPath(where) : where;
};
const ARCHIVE_NAMES = { 'ts-app': 'ts-app-v1.0.0', 'ts-esm': 'ts-esm-v1.0.0', 'ts-cjs': 'ts-cjs-v1.0.0' };

test('importLocation: a .ts entry and .ts packages (ESM, CommonJS, typeless) run; stacks name each .ts file at its line and column', async () => {
  const { namespace } = await importLocation(nodePowers(), entry, {});
  check(namespace, onDisk, entry);
});

test('type-only imports and exports are elided without breaking live bindings', async () => {
  const { namespace } = await importLocation(nodePowers(), entry, {});
  // `import type` of a file that does not exist loads nothing; `export type`/`export { type X }` export nothing.
  assert.equal(namespace.results.missing, 'elided');
  assert.deepEqual(Object.keys(namespace).sort(), ['bump', 'fail', 'failInCjs', 'failInPackage', 'liveCount', 'results']);
  // `import { count, bump, type Count }` and `export { type Count, count as liveCount }` stay live.
  assert.equal(namespace.liveCount, 5);
  namespace.bump(2);
  assert.equal(namespace.liveCount, 7);
});

test('loadLocation: the same application, imported later', async () => {
  const application = await loadLocation(nodePowers(), entry, {});
  const { namespace } = await application.import({});
  check(namespace, onDisk, entry);
});

test('the compile cache: TypeScript keyed by its source, the stripped text kept; a second import is served whole', async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-ts-cache-'));
  const store = makeNodeCompileCache({ fs, crypto, directory });
  const counts = { hits: 0, misses: 0 };
  const cache = {
    fingerprint: store.fingerprint,
    get: key => {
      const bytes = store.get(key);
      counts[bytes === undefined ? 'misses' : 'hits'] += 1;
      return bytes;
    },
    set: (key, bytes) => store.set(key, bytes),
  };
  check((await importLocation(nodePowers(), entry, { compileCache: cache })).namespace, onDisk, entry);
  await store.flush(); // the store writes in the background
  const first = { ...counts };
  const entries = fs.readdirSync(directory, { recursive: true }).filter(name => name.endsWith('.json')).map(name => JSON.parse(fs.readFileSync(path.join(directory, name), 'utf8')));
  const typeScript = entries.filter(e => /:(mts|cts):/.test(e.key));
  assert.ok(typeScript.length >= 10, `TypeScript entries: ${typeScript.length}`);
  for (const e of typeScript) {
    assert.equal(typeof e.value.text, 'string');
    assert.doesNotMatch(e.value.text, /: (number|string|Shape|Count)\b/, 'the stripped text');
  }
  const mainEntry = typeScript.find(e => e.value.text.includes('ts-app-fail'));
  assert.equal(mainEntry.value.text.length, fs.readFileSync(path.join(root, 'app/main.ts'), 'utf8').length);
  counts.hits = counts.misses = 0;
  check((await importLocation(nodePowers(), entry, { compileCache: cache })).namespace, onDisk, entry);
  assert.equal(counts.misses, 0, 'every module from the cache');
  assert.equal(counts.hits, first.misses);
  // A TypeScript entry without its stripped text (or with another type) is a miss, compiled again.
  for (const name of fs.readdirSync(directory, { recursive: true }).filter(n => n.endsWith('.json'))) {
    const file = path.join(directory, name);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!/:(mts|cts):/.test(stored.key)) continue;
    delete stored.value.text;
    fs.writeFileSync(file, JSON.stringify(stored));
  }
  check((await importLocation(nodePowers(), entry, { compileCache: cache })).namespace, onDisk, entry);
  await store.flush();
  const rewritten = fs.readdirSync(directory, { recursive: true }).filter(n => n.endsWith('.json')).map(n => JSON.parse(fs.readFileSync(path.join(directory, n), 'utf8')));
  assert.equal(rewritten.filter(e => /:(mts|cts):/.test(e.key) && typeof e.value.text === 'string').length, typeScript.length, 'each entry compiled and written again');
});

test('archives hold the stripped JavaScript as pre-mjs-json and pre-cjs-json; Cordon\'s importArchive runs them with the .ts names in stacks', async () => {
  const bytes = await makeArchive(nodePowers(), entry, {});
  const files = unzipSync(bytes);
  const map = JSON.parse(decoder.decode(files['compartment-map.json']));
  const parsers = {};
  for (const [name, compartment] of Object.entries(map.compartments)) {
    for (const [specifier, module] of Object.entries(compartment.modules)) if (module.parser) parsers[`${name}/${specifier.slice(2)}`] = module.parser;
  }
  assert.equal(parsers['ts-app-v1.0.0/main.ts'], 'pre-mjs-json');
  assert.equal(parsers['ts-app-v1.0.0/helpers.mts'], 'pre-mjs-json');
  assert.equal(parsers['ts-app-v1.0.0/helper.cts'], 'pre-cjs-json');
  assert.equal(parsers['ts-cjs-v1.0.0/index.ts'], 'pre-cjs-json');
  assert.equal(parsers['ts-typeless-v1.0.0/detected-cjs.ts'], 'pre-cjs-json');
  assert.equal(parsers['ts-typeless-v1.0.0/index.ts'], 'pre-mjs-json');
  assert.equal(parsers['ts-app-v1.0.0/no-such-file.ts'], undefined);
  assert.doesNotMatch(decoder.decode(files['ts-app-v1.0.0/main.ts']), /: (number|string|Shape)\b/);
  const location = 'file:///srv/ts.zip';
  const { namespace } = await importArchive(async () => bytes, location, { computeSha512 });
  check(namespace, inArchive(location, ARCHIVE_NAMES), `${location}/ts-app-v1.0.0/main.ts`);
});

test('Endo\'s importArchive runs a Cordon archive of a TypeScript app (its ES module frames keep the lines and columns)', async () => {
  const { importArchive: endoImportArchive } = await import('@endo/compartment-mapper/import-archive.js');
  const bytes = await makeArchive(nodePowers(), entry, {});
  const { namespace } = await endoImportArchive(async () => bytes, 'file:///srv/ts.zip', {});
  // Endo names ES modules `.../<package>/<path>` and gives CommonJS no sourceURL.
  const endoNames = file => (file.includes('ts-cjs') ? undefined : `/${file.startsWith('app/node_modules/') ? file.slice('app/node_modules/'.length) : `ts-app/${file.slice(4)}`}`);
  check(namespace, endoNames, undefined);
});

test('scripts: makeScript runs the app; with useEvaluate each module keeps its lines and columns under its name', async () => {
  const evaluate = script => new Compartment({ __options__: true, globals: {} }).evaluate(script);
  const inline = evaluate(await makeScript(nodePowers(), entry, {}));
  check(inline, () => undefined, 'file:///bundled-source/ts-app-v1.0.0/main.ts');
  const evaluated = evaluate(await makeScript(nodePowers(), entry, { useEvaluate: true, sourceUrlPrefix: 'bundle:///ts/' }));
  const named = file => {
    const where = inArchive('bundle:///ts', ARCHIVE_NAMES);
    return file.includes('ts-cjs') ? `bundle:///ts/ts-cjs-v1.0.0/index.ts` : where(file);
  };
  check(evaluated, named, 'bundle:///ts/ts-app-v1.0.0/main.ts');
});

test('bundles: bundleSource of a .ts entry, in the zip and the nestedEvaluate formats, imports with importBundle', async () => {
  const file = path.join(root, 'app/main.ts');
  for (const format of ['endoZipBase64', 'nestedEvaluate']) {
    const bundle = await bundleSource(file, { format });
    const namespace = await importBundle(bundle, {}, { computeSha512 });
    check(namespace, () => undefined, undefined);
    const text = format === 'endoZipBase64' ? decoder.decode(unzipSync(new Uint8Array(Buffer.from(bundle.endoZipBase64, 'base64')))['ts-app-v1.0.0/main.ts']) : bundle.source;
    assert.doesNotMatch(text, /: Shape\b/, `${format}: the bundle holds JavaScript`);
  }
});

test('bundles: elideComments strips TypeScript too (its comments blanked, lines kept)', async () => {
  const bundle = await bundleSource(path.join(root, 'app/main.ts'), { format: 'endoZipBase64', elideComments: true });
  check(await importBundle(bundle, {}, { computeSha512 }), () => undefined, undefined);
  const files = unzipSync(new Uint8Array(Buffer.from(bundle.endoZipBase64, 'base64')));
  for (const name of ['ts-app-v1.0.0/main.ts', 'ts-app-v1.0.0/helper.cts']) {
    const program = JSON.parse(decoder.decode(files[name])).__syncModuleProgram__ ?? JSON.parse(decoder.decode(files[name])).source;
    assert.doesNotMatch(program, /The entry: TypeScript|although the package/, `${name}: comments elided`);
    assert.doesNotMatch(program, /: string\b/, `${name}: types stripped`);
  }
});

const KINDS = { mts: 'esm', cts: 'cjs', byType: 'cjs', moduleScope: 'esm', typeOnly: 'cjs', detected: 'esm' };

test('module kinds follow Node: .mts ESM, .cts CommonJS, .ts by the nearest package.json type, a typeless .ts detected once stripped', async () => {
  const lines = [];
  await importLocation(nodePowers(), fixtureUrl('typescript', 'kinds/main.mts'), { globals: { console: { log: line => lines.push(line) } } });
  const got = JSON.parse(lines[0]);
  assert.deepEqual(got.kinds, KINDS);
  assert.equal(got.where, `where.mts:${positionOf('kinds/where.mts', "'where'")}`);
  // Node itself, where it strips types (22.18+, 23.6+): the same answer, line and column.
  if (process.features.typescript) {
    const node = execFileSync(process.execPath, [path.join(root, 'kinds/main.mts')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    assert.deepEqual(JSON.parse(node), got);
  }
});

test('an enum is refused before anything runs: CORDON_TYPESCRIPT_UNSUPPORTED with its file, line and column, in every mode', async () => {
  const enumEntry = fixtureUrl('typescript', 'refused/enum-entry.ts');
  const refused = error => {
    const found = [error, ...(error.errors ?? [])].find(e => e.code === 'CORDON_TYPESCRIPT_UNSUPPORTED');
    assert.ok(found, `${error.code}: ${error.message}`);
    assert.equal(found.file, fixtureUrl('typescript', 'refused/colors.ts'));
    assert.equal(found.line, 4);
    assert.equal(found.column, 2);
    assert.match(found.message, /enum/);
    return true;
  };
  await assert.rejects(importLocation(nodePowers(), enumEntry, {}), refused);
  await assert.rejects(makeArchive(nodePowers(), enumEntry, {}), refused);
  await assert.rejects(makeScript(nodePowers(), enumEntry, {}), refused);
});

test('.tsx: without JSX it runs; JSX is refused with CORDON_TYPESCRIPT_JSX at its line and column', async () => {
  const { namespace } = await importLocation(nodePowers(), fixtureUrl('typescript', 'refused/tsx-entry.ts'), {});
  assert.equal(namespace.value, 'tsx without JSX');
  await assert.rejects(importLocation(nodePowers(), fixtureUrl('typescript', 'refused/jsx-entry.ts'), {}), error => {
    const found = error.errors?.find(e => e.code === 'CORDON_TYPESCRIPT_JSX');
    assert.ok(found, error.message);
    assert.equal(found.file, fixtureUrl('typescript', 'refused/view.tsx'));
    assert.equal(found.line, 3);
    assert.equal(found.column, 2);
    return true;
  });
});

test('CommonJS TypeScript re-exporting through module.exports = require(…) offers the required module\'s names to ES importers, as Node', async () => {
  const tree = writeTree({
    'package.json': '{"name":"reexport","version":"1.0.0","type":"module"}',
    'main.ts': "import { deep, other } from './index.cts';\nexport const got: string[] = [deep, other];\n",
    'index.cts': "import type { Deep } from './impl.cts';\nmodule.exports = require('./impl.cts');\n",
    'impl.cts': "export type Deep = string;\nexports.deep = 'deep' as Deep;\nexports.other = 'other' as string;\n",
  }, 'cordon-ts-reexport-');
  const { namespace } = await importLocation(nodePowers(), url.pathToFileURL(path.join(tree, 'main.ts')).href, {});
  assert.deepEqual([...namespace.got], ['deep', 'other']);
});
