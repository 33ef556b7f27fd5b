// policyFromAnalyses: module analyses grouped into a LavaMoat policy.json; dynamicRequiresOf.
import test from 'node:test';
import assert from 'node:assert/strict';
import { analyzeModule } from '../../dist/compile/analyze.js';
import { compareCodePoints, dynamicRequiresOf, policyFromAnalyses, reduceToTopmost } from '../../dist/policy/generate.js';

const builtin = name => ({ type: 'builtin', name });
const pkg = canonicalName => ({ type: 'package', canonicalName });

/** A module of `canonicalName` with `text` analysed; `resolutions` as an object. */
const mod = (canonicalName, text, resolutions = {}, language = 'cjs', file = `/app/node_modules/${canonicalName}/index.js`) => ({
  canonicalName,
  file,
  analysis: analyzeModule(text, language, file),
  resolutions: new Map(Object.entries(resolutions)),
});

test('globals are grouped by package and reduced to the topmost paths (a parent covers its members, written or read)', () => {
  const policy = policyFromAnalyses([
    mod('a', `process.env.NODE_ENV; process.env.HOME; console.log(1);`),
    mod('a', `process.env; setTimeout(f, 1);`),
    mod('b', `process.env.DEBUG = '1'; process.env.DEBUG; process.version;`),
    mod('c', `location = 'x'; location.href; fetch.x; fetch;`),
    mod('d', `x.y.z; x.y = 1;`),
    mod('e', `w = 1;`),
    mod('e', `w;`),
  ]);
  assert.deepEqual(policy.resources.a, { globals: { 'console.log': true, f: true, 'process.env': true, setTimeout: true } });
  assert.deepEqual(policy.resources.b, { globals: { 'process.env.DEBUG': 'write', 'process.version': true } });
  // A grant of a parent covers reads and writes below it (the parent is the real object).
  assert.deepEqual(policy.resources.c, { globals: { fetch: true, location: 'write' } });
  assert.deepEqual(policy.resources.d, { globals: { 'x.y': 'write' } });
  // Across modules of one package too.
  assert.deepEqual(policy.resources.e, { globals: { w: 'write' } });
  assert.deepEqual(Object.fromEntries(reduceToTopmost(new Map([['p', 'read'], ['p.q', 'write'], ['p.r', 'read'], ['pq', 'read']]))), { p: 'read', pq: 'read' });
});

test('builtins: member paths, all of it, node: and plain merged, subpath builtins keep their name', () => {
  const policy = policyFromAnalyses([
    mod('a', `const fs = require('fs'); fs.readFileSync('x'); fs.promises.readFile('x');`, { fs: builtin('fs') }),
    mod('a', `const { stat } = require('node:fs'); const fsp = require('fs/promises'); fsp.readFile();`, { 'node:fs': builtin('fs'), 'fs/promises': builtin('fs/promises') }),
    mod('b', `const os = require('os'); module.exports = os; require('path').join();`, { os: builtin('os'), path: builtin('path') }),
    mod('b', `require('os').cpus();`, { os: builtin('os') }),
    mod('c', `const p = require('fs').promises; p.stat(); require('fs').promises.readFile();`, { fs: builtin('node:fs') }),
    mod('d', `require('os');`, { os: builtin('os') }),
  ]);
  assert.deepEqual(policy.resources.a, { builtin: { 'fs.promises.readFile': true, 'fs.readFileSync': true, 'fs.stat': true, 'fs/promises.readFile': true } });
  assert.deepEqual(policy.resources.b, { builtin: { os: true, 'path.join': true } });
  // Member paths of builtins are reduced as globals are; a resolution with node: is the same module.
  assert.deepEqual(policy.resources.c, { builtin: { 'fs.promises.readFile': true, 'fs.promises.stat': true } });
  assert.deepEqual(policyFromAnalyses([mod('c', `const fs = require('fs'); fs.promises; fs.promises.stat();`, { fs: builtin('fs') })]).resources.c, { builtin: { 'fs.promises': true } });
  // Loaded for its side effects only: the module is needed, so all of it.
  assert.deepEqual(policy.resources.d, { builtin: { os: true } });
});

test('packages: the canonical names reached; local, unresolved and self references are not packages', () => {
  const policy = policyFromAnalyses([
    mod('a', `require('b'); require('./x'); require('missing'); require('a/sub');`, { b: pkg('a>b'), './x': { type: 'local' }, missing: { type: 'unresolved' }, 'a/sub': pkg('a') }),
    mod('a>b', `module.exports = require('c');`, { c: pkg('c') }),
    mod('c', `exports.x = 1;`),
  ]);
  assert.deepEqual(policy.resources.a, { packages: { 'a>b': true } });
  assert.deepEqual(policy.resources['a>b'], { packages: { c: true } });
  // c has nothing but is named by a>b's packages, so it is listed (as LavaMoat does).
  assert.deepEqual(policy.resources.c, {});
  assert.deepEqual(Object.keys(policy.resources), ['a', 'a>b', 'c']);
});

test('empty resources are omitted unless named; a specifier without a resolution is ignored', () => {
  const policy = policyFromAnalyses([mod('lonely', `exports.x = 1;`), mod('quiet', `require('fs');`)]);
  assert.deepEqual(policy, { resources: {} });
});

test('native: any native module makes the package native', () => {
  const policy = policyFromAnalyses([
    mod('addon', `module.exports = 1;`),
    mod('addon', `require('./build/addon.node');`, { './build/addon.node': { type: 'local' } }),
    mod('loader', `process.dlopen(module, file);`),
  ]);
  assert.deepEqual(policy.resources.addon, { native: true });
  assert.deepEqual(policy.resources.loader, { globals: { file: true, 'process.dlopen': true }, native: true });
});

test('the root is left out unless includeRoot; its packages then name their targets', () => {
  const modules = [mod('$root$', `require('a'); process.argv;`, { a: pkg('a') }), mod('a', `exports.x = 1;`)];
  assert.deepEqual(policyFromAnalyses(modules), { resources: {} });
  assert.deepEqual(policyFromAnalyses(modules, { includeRoot: true }), {
    resources: { $root$: { globals: { 'process.argv': true }, packages: { a: true } }, a: {} },
  });
  // A package that names the untrusted-out root does not bring it back.
  assert.deepEqual(Object.keys(policyFromAnalyses([mod('a', `require('root');`, { root: pkg('$root$') })]).resources), ['a']);
});

test('keys are sorted by code point, fields in order globals, builtin, packages, native; JSON is stable', () => {
  const forward = [
    mod('z', `zeta; Alpha; _u; require('fs').write(); require('b');`, { fs: builtin('fs'), b: pkg('b') }),
    mod('z', `require('./n.node'); require('a');`, { a: pkg('a'), './n.node': { type: 'local' } }),
    { ...mod('m', ``), analysis: { globals: new Map([['beta', 'read'], ['\u{1F600}x', 'read'], ['\uFF21', 'read']]), specifiers: new Map(), dynamic: [], native: false } },
  ];
  const policy = policyFromAnalyses(forward);
  assert.deepEqual(Object.keys(policy.resources), ['a', 'b', 'm', 'z']);
  assert.deepEqual(Object.keys(policy.resources.z), ['globals', 'builtin', 'packages', 'native']);
  assert.deepEqual(Object.keys(policy.resources.z.globals), ['Alpha', '_u', 'zeta']);
  assert.deepEqual(Object.keys(policy.resources.z.packages), ['a', 'b']);
  // U+FF21 sorts before U+1F600 by code point (UTF-16 code units would put the surrogate pair first).
  assert.deepEqual(Object.keys(policy.resources.m.globals), ['beta', '\uFF21', '\u{1F600}x']);
  assert.ok(compareCodePoints('\uFF21', '\u{1F600}') < 0 && compareCodePoints('a', 'ab') < 0 && compareCodePoints('b', 'a') > 0 && compareCodePoints('x', 'x') === 0);
  assert.equal(JSON.stringify(policyFromAnalyses([...forward].reverse())), JSON.stringify(policy));
});

test('dynamicRequiresOf: every computed require/import with its package, file and position', () => {
  const modules = [
    mod('a', `require('ok');\nrequire(name);`, {}, 'cjs', '/app/node_modules/a/index.js'),
    mod('$root$', `  import(spec);`, {}, 'mjs', '/app/main.mjs'),
    mod('b', `require('fine');`),
  ];
  assert.deepEqual(dynamicRequiresOf(modules), [
    { canonicalName: 'a', file: '/app/node_modules/a/index.js', line: 2, column: 0, kind: 'require' },
    { canonicalName: '$root$', file: '/app/main.mjs', line: 1, column: 2, kind: 'import' },
  ]);
});
