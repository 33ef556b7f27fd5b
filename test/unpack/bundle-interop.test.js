// Bundles move both ways between Cordon and the incumbent (@endo/bundle-source, @endo/import-bundle):
//   - the real-world list (test/helpers/real-world-list.js), each package's `require` entry as an
//     endoZipBase64 bundle: Cordon's bundle imported by Endo's importBundle, Endo's by Cordon's, each
//     compared with Node's own `require()` in a clean process; the packages that differ must be exactly
//     those of KNOWN, each with its reason (all of them the incumbent's limits, listed in docs/bundles.md);
//   - the workflow fixtures, every format, both ways, under lockdown in this process.
// The real-world part runs test/helpers/bundle-interop-run.js in child processes (two at a time).
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire, isBuiltin } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import { REAL_WORLD } from '../helpers/real-world-list.js';
import { bundleSource } from 'cordon/bundle-source.js';
import { importBundle } from 'cordon/import-bundle.js';
import endoBundleSource from '@endo/bundle-source';
import { importBundle as endoImportBundle } from '@endo/import-bundle';
import { fixtureRoot } from '../helpers/fixtures.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const root = url.fileURLToPath(new URL('../../', import.meta.url));
const work = path.join(root, 'test/run/.entries/bundle-interop');

const WHY = {
  v8Stack: "Endo gives compartments no V8 stack API (Error.captureStackTrace, prepareStackTrace): depd (express, body-parser, koa) reads its caller's call site and fails",
  noGlobal: "Endo gives neither Node's `global` nor a sloppy `Function('return this')()`: the package finds no global object (lodash's root, ejs's Promise, bluebird's setImmediate, graceful-fs's queue, pino's FinalizationRegistry)",
  frozen: 'Endo freezes what it hands a package: its global object (zod, undici in cheerio) and require.extensions (handlebars)',
  cjsToStringTag: "Cordon's archive holds the `require` build Node picks; Endo's CommonJS executor refuses its `Object.defineProperty(exports, Symbol.toStringTag, …)` (helmet, hono, js-yaml, markdown-it)",
  unseen: "With computeSha512, Endo's reader loads only what the entry's static imports reach and calls every other file extraneous: the targets of literal import() (consola, node-fetch) and of a require of `name/` (readable-stream's `string_decoder/`), which Cordon archives",
  metaUrl: 'Endo gives ES modules no import.meta.url: createRequire(import.meta.url) fails (yargs, meow)',
  esmRequire: "Endo's require() of an ES-only package (p-limit) does not give Node's namespace",
  protoUndefined: "protobufjs's global lookup finds no global object under Endo and builds a prototype from undefined",
  importForRequire: "Endo resolves `require` with the `import` conditions, so its archive holds the ES build where Node requires the CommonJS one: require() of it gives the ES namespace (with __esModule), not Node's CommonJS exports",
  moduleField: 'Endo treats every .js of a package with a `module` field as an ES module (its quirk), so a CommonJS file there finds no `module` (qs, pug, and express and axios through their dependencies)',
  sqlite: "Endo does not record a URL-scheme exit in its archive; undici requires node:sqlite (inside a try), which is no builtin of Node 20, so no host module provides it and the archive marks no deferred error",
  koaPath: "Endo's archive names koa's ES wrapper by a path the file does not have (./dist/koa.mjs.js)",
  browserBuild: "Endo's conditions pick mocha's browser build, which reads navigator.userAgent",
  trailingSlash: "Endo resolves `require('string_decoder/')` (a trailing slash: the npm package, in Node) as a host module and archives nothing for it",
  yamlBundle: "Endo's bundleSource fails on yaml: it parses an ES module (yaml's browser build) as CommonJS",
  cjsNames: "Endo's CommonJS analysis misses names Node's lexer finds (property-expr's getter), so an importer's named import fails",
  stars: "Endo's records keep `export *` unresolved, and SES drops a name two stars give (date-fns's longFormatters); Cordon's own archives carry the stars resolved by binding",
  nunjucks: 'nunjucks assigns `valueOf` on an object made from the frozen String.prototype (fails under SES everywhere: docs/real-world.md)',
};

/** Per direction: package → why it differs from Node. */
const KNOWN = {
  'cordon→endo': {
    express: WHY.v8Stack, 'body-parser': WHY.v8Stack, koa: WHY.v8Stack,
    lodash: WHY.noGlobal, 'lodash-es': WHY.noGlobal, ejs: WHY.noGlobal, bluebird: WHY.noGlobal, 'fs-extra': WHY.noGlobal, pino: WHY.noGlobal, mocha: WHY.noGlobal,
    zod: WHY.frozen, cheerio: WHY.frozen, handlebars: WHY.frozen,
    helmet: WHY.cjsToStringTag, hono: WHY.cjsToStringTag, 'js-yaml': WHY.cjsToStringTag, 'markdown-it': WHY.cjsToStringTag,
    consola: WHY.unseen, 'node-fetch': WHY.unseen, 'readable-stream': WHY.unseen, through2: WHY.unseen, winston: WHY.unseen,
    yargs: WHY.metaUrl, meow: WHY.metaUrl,
    'p-limit': WHY.esmRequire,
    protobufjs: WHY.protoUndefined,
    nunjucks: WHY.nunjucks,
  },
  'endo→cordon': {
    async: WHY.importForRequire, bcryptjs: WHY.importForRequire, consola: WHY.importForRequire, eventemitter3: WHY.importForRequire, helmet: WHY.importForRequire,
    kleur: WHY.importForRequire, 'markdown-it': WHY.importForRequire, mustache: WHY.importForRequire, tslib: WHY.importForRequire, underscore: WHY.importForRequire,
    ws: WHY.importForRequire, yargs: WHY.importForRequire, zod: WHY.importForRequire, ejs: WHY.importForRequire,
    axios: WHY.moduleField, 'body-parser': WHY.moduleField, express: WHY.moduleField, pug: WHY.moduleField, qs: WHY.moduleField,
    // node:sqlite is a builtin from Node 22.5: on Node 24 the host module exists.
    ...(isBuiltin('node:sqlite') ? {} : { cheerio: WHY.sqlite }),
    koa: WHY.koaPath,
    mocha: WHY.browserBuild,
    'readable-stream': WHY.trailingSlash, through2: WHY.trailingSlash, winston: WHY.trailingSlash,
    yaml: WHY.yamlBundle,
    yup: WHY.cjsNames, 'date-fns': WHY.stars,
    nunjucks: WHY.nunjucks,
  },
};

// Not run in this direction at all: the incumbent's bundleSource runs out of a 4 GB heap on ramda.
const NOT_RUN = { 'endo→cordon': { ramda: "Endo's bundleSource exhausts a 4 GB heap on ramda (its zip's base64 string building)" } };

const run = (args, options = {}) =>
  new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout: 300_000, ...options }, (error, stdout, stderr) =>
      error ? reject(new Error(`${args.join(' ')}: ${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });

test('real-world bundles move both ways: what differs from Node is exactly KNOWN, each with its reason', { timeout: 900_000 }, async t => {
  fs.mkdirSync(work, { recursive: true });
  const nodeFile = path.join(work, 'node.json');
  await run(['test/helpers/real-world-list.js', nodeFile]);
  const node = JSON.parse(fs.readFileSync(nodeFile, 'utf8'));
  const skipped = new Set(Object.keys(NOT_RUN['endo→cordon']));
  const names = REAL_WORLD.filter(name => !skipped.has(name));
  const chunks = [0, 1, 2, 3, 4, 5].map(i => names.filter((_, j) => j % 6 === i));
  const results = {};
  for (let i = 0; i < chunks.length; i += 2) {
    await Promise.all(
      chunks.slice(i, i + 2).map(async (chunk, k) => {
        const out = path.join(work, `chunk-${i + k}.json`);
        await run(['test/helpers/bundle-interop-run.js', path.join(work, 'entries'), out, chunk.join(',')]);
        Object.assign(results, JSON.parse(fs.readFileSync(out, 'utf8')).results);
      }),
    );
  }
  for (const name of skipped) {
    // ramda still goes Cordon → Endo.
    const out = path.join(work, 'chunk-ramda.json');
    await run(['test/helpers/bundle-interop-run.js', path.join(work, 'entries'), out, name], { env: { ...process.env, CORDON_ONLY_DIRECTION: 'cordon→endo' } });
    Object.assign(results, JSON.parse(fs.readFileSync(out, 'utf8')).results);
  }
  for (const direction of Object.keys(KNOWN)) {
    const differing = {};
    let same = 0;
    for (const name of REAL_WORLD) {
      const ours = results[name]?.[direction];
      if (ours === undefined) {
        assert.ok(NOT_RUN[direction]?.[name], `${name} ${direction} did not run`);
        continue;
      }
      if (ours.error === undefined && JSON.stringify(ours.keys) === JSON.stringify(node[name].require.keys)) same++;
      else differing[name] = ours.error ?? `keys ${JSON.stringify(ours.keys).slice(0, 200)}`;
    }
    const unexpected = Object.keys(differing).filter(name => !(name in KNOWN[direction]));
    const fixed = Object.keys(KNOWN[direction]).filter(name => !(name in differing));
    t.diagnostic(`${direction}: ${same}/${REAL_WORLD.length} give Node's answer`);
    assert.deepEqual(unexpected.map(name => `${name}: ${differing[name]}`), [], `${direction}: new differences`);
    assert.deepEqual(fixed, [], `${direction}: KNOWN entries that now give Node's answer (remove them)`);
  }
});

// The fixtures, both ways (interop and isolation cannot run under Endo's importer: require.resolve and
// a global write, WHY.frozen): endoZipBase64 for exits and the scripts tree, getExport for the scripts tree
// (whose host module, node:path, a `require` gives). The reference is Cordon's importBundle of Cordon's
// bundle; Endo's importer must give the same, and Cordon's importer must give what Endo's own gives of
// Endo's bundle.
const require = createRequire(import.meta.url);
const fsLike = { readFileSync() {} };
const HOST_NAMESPACES = {
  fs: { default: fsLike, ...fsLike },
  'node:fs': { default: fsLike, ...fsLike },
  'node:path': { default: require('node:path'), ...require('node:path') },
  'host:thing': { default: 'host thing' },
  'host:lib': { default: 'from the host' },
};
const importHook = async specifier => (specifier in HOST_NAMESPACES ? { namespace: HOST_NAMESPACES[specifier] } : undefined);

const project = async namespace => {
  const out = {};
  for (const key of Object.keys(namespace).sort()) {
    // Locations differ by design (Endo gives no import.meta.url or __filename in archives).
    if (/EndsWith|resolved|Url/.test(key)) continue;
    out[key] = JSON.parse(JSON.stringify(await namespace[key]) ?? 'null');
  }
  return out;
};

const CASES = [
  ['exits', 'app/main.js', 'endoZipBase64'],
  ['scripts', 'app/main.js', 'endoZipBase64'],
  ['scripts', 'app/main.js', 'getExport'],
  ['scripts', 'app/cycle-a.js', 'getExport'],
];

for (const [scenario, file, format] of CASES) {
  test(`fixture ${scenario}/${file} as ${format}: Cordon's bundle through Endo's importBundle, Endo's through Cordon's`, async () => {
    const expectedFile = new URL(`../fixtures/${scenario}/expected.json`, import.meta.url);
    const expected = fs.existsSync(expectedFile) ? JSON.parse(fs.readFileSync(expectedFile, 'utf8')) : {};
    const entry = `${fixtureRoot(scenario)}${file}`;
    const conditions = expected.conditions ?? [];
    const bundleOptions = format === 'endoZipBase64' ? { importHook } : {};
    const importOptions = format === 'endoZipBase64' ? { importHook } : { endowments: { require: specifier => require(specifier) } };
    const ours = await bundleSource(entry, { format, conditions, ...bundleOptions });
    const reference = await project(await importBundle(ours, importOptions));
    assert.ok(Object.keys(reference).length > 0);
    assert.deepEqual(await project(await endoImportBundle(ours, importOptions)), reference, "Cordon's bundle through Endo's importBundle");
    const theirs = await endoBundleSource(entry, { format, conditions, ...bundleOptions }).catch(error => {
      // The incumbent's script formats cannot bundle an ES import of a host module (its getExport
      // looks node:path up as a file); Cordon's can (above).
      assert.ok(format === 'getExport' && /Unable to locate module .*node:path/.test(error.message), error.message);
      return undefined;
    });
    if (theirs === undefined) return;
    assert.deepEqual(await project(await importBundle(theirs, importOptions)), await project(await endoImportBundle(theirs, importOptions)), "Endo's bundle through Cordon's importBundle");
  });
}
