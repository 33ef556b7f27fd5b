// cordon/lockdown-bundle.js: the shipped bundles, their hashes, evaluation in a fresh vm realm (the
// harness's way, `(source)()`, and the getExport way with a nestedEvaluate endowment) and in XS, the
// confined inspector (Node's util.inspect shapes; unaffected by later changes to the start
// compartment), the debug variant, and the build's stability check.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import {
  getDebugLockdownBundle,
  getDebugLockdownBundleSHA256,
  getLockdownBundle,
  getLockdownBundleLock,
  getLockdownBundleSHA256,
} from 'cordon/lockdown-bundle.js';

// The engine harnesses: a fresh vm realm and a real XS worker (`npm test` builds it first; without it
// the XS test fails, saying so).
import { runInVmRealm } from '../helpers/vm-realm.js';
import { runInXs } from '../helpers/xs.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundlesDir = path.join(root, 'bundles');
const sha256 = bytes => crypto.createHash('sha256').update(bytes).digest('hex');

test('the shipped files: sha256sum of bundles/lockdown.json is getLockdownBundleSHA256(); the objects are the files, frozen', () => {
  const bytes = fs.readFileSync(path.join(bundlesDir, 'lockdown.json'));
  assert.equal(sha256(bytes), getLockdownBundleSHA256());
  assert.match(getLockdownBundleSHA256(), /^[0-9a-f]{64}$/);
  assert.equal(sha256(JSON.stringify(getLockdownBundle())), getLockdownBundleSHA256());
  assert.notEqual(bytes.at(-1), 0x0a, 'no trailing newline');
  assert.deepEqual(getLockdownBundle(), JSON.parse(bytes.toString('utf8')));
  assert.deepEqual(Object.keys(getLockdownBundle()), ['moduleFormat', 'source', 'sourceMap']);
  assert.equal(getLockdownBundle().moduleFormat, 'nestedEvaluate');
  assert.ok(Object.isFrozen(getLockdownBundle()));
  const debugBytes = fs.readFileSync(path.join(bundlesDir, 'lockdown-debug.json'));
  assert.equal(sha256(debugBytes), getDebugLockdownBundleSHA256());
  assert.deepEqual(getDebugLockdownBundle(), JSON.parse(debugBytes.toString('utf8')));
  assert.ok(Object.isFrozen(getDebugLockdownBundle()));
  const lock = getLockdownBundleLock();
  assert.equal(lock.inputs.ses, JSON.parse(fs.readFileSync(path.join(root, 'node_modules/ses/package.json'), 'utf8')).version);
  assert.ok(Object.keys(lock.inputs.files).includes('ses/index.js'));
  assert.ok(Object.keys(lock.inputs.files).includes('cordon-lockdown/entry.js'));
});

test('the bundles carry no path of the machine that built them', () => {
  for (const bundle of [getLockdownBundle(), getDebugLockdownBundle()]) {
    assert.ok(!bundle.source.includes(root.replace(/\/$/, '')));
    assert.ok(!bundle.source.includes(path.dirname(root.replace(/\/$/, ''))));
  }
});

test('the debug bundle differs, only by its lockdown options', () => {
  assert.notEqual(getDebugLockdownBundleSHA256(), getLockdownBundleSHA256());
  assert.notEqual(getDebugLockdownBundle().source, getLockdownBundle().source);
  const boot = /\$cordon_g_boot\(\)\(([^)]*)\)/;
  assert.equal(getLockdownBundle().source.match(boot)?.[1], '');
  assert.equal(getDebugLockdownBundle().source.match(boot)?.[1], "{ errorTaming: 'unsafe', overrideTaming: 'min' }");
  // The same modules but the entry.
  const names = source => source.match(/^\/\/ \d+\. .*$/gm);
  const [plain, debug] = [getLockdownBundle(), getDebugLockdownBundle()].map(b => names(b.source));
  assert.deepEqual(plain.slice(0, -1), debug.slice(0, -1));
  assert.deepEqual([plain.at(-1), debug.at(-1)], [`// ${plain.length - 1}. cordon-lockdown-v1.0.0/entry.js`, `// ${plain.length - 1}. cordon-lockdown-v1.0.0/entry-debug.js`]);
});

const CHECKS = [
  `[typeof lockdown, typeof harden, typeof Compartment]`,
  `[Object.prototype, Array.prototype, Function.prototype, Object, Array.prototype.push].every(Object.isFrozen)`,
  `new Compartment({ x: 2 }).evaluate('x * 21')`,
  `Object.isFrozen(harden({ a: { b: 1 } }).a)`,
  `(() => { try { lockdown(); return 'again'; } catch (e) { return /SES_ALREADY_LOCKED_DOWN/.test(e.message); } })()`,
  `console.log('x', { a: 1 }); 'logged'`,
];
const EXPECTED = [['function', 'function', 'function'], true, 42, true, true, 'logged'];

test('in a fresh vm realm (the harness: `(source)()`): lockdown done, harden and Compartment work, intrinsics frozen, console.log inspects', async () => {
  const { results, prints, lockdown } = await runInVmRealm(CHECKS, { lockdown: getLockdownBundle() });
  assert.equal(lockdown, 'by-bundle');
  assert.deepEqual(results, EXPECTED);
  assert.deepEqual(prints, ['x { a: 1 }']);
});

test('in a fresh vm realm, the getExport way: (0, eval)(source) with a nestedEvaluate endowment, called with a prefix', () => {
  const lines = [];
  const context = vm.createContext({});
  vm.runInContext('globalThis.nestedEvaluate = src => (0, eval)(src);', context);
  context.print = text => lines.push(text);
  context.bundleSource = getLockdownBundle().source;
  vm.runInContext(`const getExport = (0, eval)(bundleSource); delete globalThis.bundleSource; getExport('/bundled-source/.../');`, context);
  const results = CHECKS.map(source => JSON.parse(vm.runInContext(`JSON.stringify((0, eval)(${JSON.stringify(source)}))`, context)));
  assert.deepEqual(results, EXPECTED);
  assert.deepEqual(lines, ['x { a: 1 }']);
});

test('the inspector lives in a compartment of its own: replacing the start compartment\'s globals or console changes nothing it prints', async () => {
  const { results, prints } = await runInVmRealm(
    [
      `globalThis.savedLog = console.log; 1`,
      `const saved = { JSON, Object, Map, Array, String, Symbol, Reflect, console };
       globalThis.JSON = { stringify: () => 'evil' };
       globalThis.Object = { keys: () => ['evil'], getOwnPropertyDescriptor: () => ({ value: 'evil' }) };
       globalThis.Map = function Map() {};
       globalThis.Array = { isArray: () => false };
       globalThis.Symbol = { toStringTag: 'evil', iterator: 'evil' };
       globalThis.Reflect = { apply: () => 'evil' };
       globalThis.console = { log: () => { throw Error('evil'); } };
       try {
         savedLog('x', { a: 1 }, [1, 'two'], new saved.Map([['k', { deep: { deeper: { deepest: 1 } } }]]));
       } finally {
         globalThis.JSON = saved.JSON; globalThis.Object = saved.Object; globalThis.Map = saved.Map; globalThis.Array = saved.Array;
         globalThis.Symbol = saved.Symbol; globalThis.Reflect = saved.Reflect; globalThis.console = saved.console;
       }
       2`,
      `Object.isFrozen(console) && Object.isFrozen(console.log)`,
    ],
    { lockdown: getLockdownBundle() },
  );
  assert.deepEqual(results, [1, 2, true]);
  assert.deepEqual(prints, ["x { a: 1 } [ 1, 'two' ] Map(1) { 'k' => { deep: { deeper: [Object] } } }"]);
});

test('console output in the realm: nested values, cycles, depth, errors, format specifiers', async () => {
  const { prints } = await runInVmRealm(
    [
      `const o = { name: 'c', list: [1, 'two', { three: 3 }], set: new Set([1]), n: null, u: undefined };
       o.self = o;
       console.log(o);
       console.info({ a: { b: { c: { d: 1 } } } });
       console.warn('%s is %d', 'n', 42, ['extra']);
       console.error({ e: new TypeError('bad') });
       console.log([new Date(0), /re/g, 10n, -0, Symbol('s'), function named() {}, class K {}]);
       1`,
    ],
    { lockdown: getLockdownBundle() },
  );
  assert.deepEqual(prints, [
    "<ref *1> {\n  name: 'c',\n  list: [ 1, 'two', { three: 3 } ],\n  set: Set(1) { 1 },\n  n: null,\n  u: undefined,\n  self: [Circular *1]\n}",
    '{ a: { b: { c: [Object] } } }',
    "n is 42 [ 'extra' ]",
    '{ e: [TypeError: bad] }',
    "[\n  1970-01-01T00:00:00.000Z,\n  /re/g,\n  10n,\n  -0,\n  Symbol(s),\n  [Function: named],\n  [class K]\n]",
  ]);
});

test('the debug bundle: the same checks pass; an error inside an object shows its stack', async () => {
  const { results } = await runInVmRealm(CHECKS, { lockdown: getDebugLockdownBundle() });
  assert.deepEqual(results, EXPECTED);
  const source = `function thrower() { return new Error('boom'); } console.log({ e: thrower() }); 1`;
  const debug = await runInVmRealm([source], { lockdown: getDebugLockdownBundle() });
  assert.match(debug.prints[0], /^\{\n {2}e: Error: boom\n {4}at thrower /);
  const plain = await runInVmRealm([source], { lockdown: getLockdownBundle() });
  assert.deepEqual(plain.prints, ['{ e: [Error: boom] }']);
});

test('the inspector gives util.inspect\'s answer (evaluated here, without lockdown)', () => {
  const { inspect, format } = (0, eval)(fs.readFileSync(path.join(root, 'lockdown/object-inspect.script'), 'utf8'));
  class Foo {
    constructor() {
      this.a = 1;
    }
  }
  class Bar extends Foo {}
  const cycle = { name: 'c' };
  cycle.self = cycle;
  cycle.list = [cycle, { cycle }];
  const sparse = [1, , 3];
  sparse[10] = 4;
  const samples = [
    { a: 1 },
    { a: 'x', 'b-c': [1, 2, 3], d: undefined, e: -0, f: 10n },
    { a: { b: { c: { d: 1 } } } },
    [1, 'two', [3, [4, [5, [6]]]]],
    [{}, [], new Map(), new Set()],
    new Map([['a', 1], [{ k: 1 }, [2]]]),
    new Set([1, 'a', { b: 2 }]),
    new Foo(),
    new Bar(),
    Object.create(null),
    Object.assign(Object.create(null), { x: 1 }),
    [function named() {}, () => {}, Foo, Bar, async function af() {}, function* g() {}, Object.assign(function f() {}, { p: 1 })],
    cycle,
    sparse,
    Array.from({ length: 120 }, (_, i) => i),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho'.split(' '),
    ["it's", 'say "hi"', `it's "x"`, 'a\nb\tc\\', '\u0001\u007f'],
    [new Date(0), /a+b/gi, new Number(3), new String('ab'), new Boolean(false)],
    [new Uint8Array([1, 2, 3]), new WeakMap(), new WeakSet()],
    { get g() { return 1; }, set s(_) {}, get gs() { return 1; }, set gs(_) {} },
    { long: `${'x'.repeat(30)}\n${'y'.repeat(60)}` },
    { aaaaaaaaaa: 'aaaaaaaaaaaaaaa', bbbbbbbbbbbb: 'bbbbbbbbbbbbbbbbbb', ccccccccc: 'ccccccccccccccccc', d: 1 },
    Array.from({ length: 7 }, (_, i) => ({ a: i, b: i * 2 })),
    Object.assign([1, 2], { extra: 'x' }),
  ];
  for (const value of samples) assert.equal(inspect(value), util.inspect(value));
  // Symbol keys: Node 24's shape (Node 20 wrote [Symbol(s)]: null).
  assert.equal(inspect({ a: 1, [Symbol('s')]: null }), '{ a: 1, Symbol(s): null }');
  assert.equal(inspect({ [Symbol.toStringTag]: 'T', x: 1 }), "{ x: 1, Symbol(Symbol.toStringTag): 'T' }");
  assert.equal(inspect(new Uint8Array([1, 2]).buffer), 'ArrayBuffer { [Uint8Contents]: <01 02>, [byteLength]: 2 }');
  for (const args of [['x', { a: 1 }], ['%s is %d', 'n', 42, 'extra'], ['%j', { a: [1] }], ['100%%', 1], ['%c', 'css', 'y'], [1, 'a', null], ['%s', { a: { b: 1 } }], ['%i %f', '42.5', '1.5']]) {
    assert.equal(format(...args), util.format(...args));
  }
  const error = new Error('boom');
  assert.equal(inspect({ error }), util.inspect({ error }));
  assert.match(inspect(new TypeError('outer', { cause: error })), /^TypeError: outer\n {4}at .*\n[^]* \{\n {2}\[cause\]: Error: boom\n {6}at [^]*\n\}$/);
  const withCode = { e: Object.assign(new RangeError('r'), { code: 'E' }) };
  assert.equal(inspect(withCode), util.inspect(withCode));
});

const buildScript = path.join(root, 'scripts/build-lockdown.mjs');
const copyBundles = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-lockdown-'));
  for (const file of fs.readdirSync(bundlesDir)) fs.copyFileSync(path.join(bundlesDir, file), path.join(dir, file));
  return dir;
};
const build = (...args) => spawnSync(process.execPath, [buildScript, ...args], { encoding: 'utf8', cwd: root });

test('the build: the same inputs and bytes are a no-op; the same inputs with other bytes fail; changed inputs rewrite and say so', () => {
  const same = copyBundles();
  const before = fs.readFileSync(path.join(same, 'lockdown.lock.json'));
  const ok = build('--bundles', same);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /up to date/);
  assert.deepEqual(fs.readFileSync(path.join(same, 'lockdown.lock.json')), before);

  // A tampered output, the lock's inputs unchanged.
  const tampered = copyBundles();
  const file = path.join(tampered, 'lockdown.json');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('use strict', 'use sloppy'));
  const failed = build('--bundles', tampered);
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /bytes changed for the same inputs/);
  assert.match(failed.stderr, /lockdown\.json: the file's sha256 is [0-9a-f]{64}, the lock \(and this build\) say [0-9a-f]{64}: the file was altered/);

  // The lock's outputs say other bytes than the build makes (as after a change of Cordon's bundler).
  const drifted = copyBundles();
  const lock = JSON.parse(fs.readFileSync(path.join(drifted, 'lockdown.lock.json'), 'utf8'));
  lock.outputs['lockdown-debug.json'].sha256 = '0'.repeat(64);
  lock.bundler.sources = 'f'.repeat(64);
  fs.writeFileSync(path.join(drifted, 'lockdown.lock.json'), JSON.stringify(lock));
  const drift = build('--bundles', drifted);
  assert.equal(drift.status, 1);
  assert.match(drift.stderr, /lockdown-debug\.json: built [0-9a-f]{64}, the lock says 0{64} \(Cordon's bundler sources differ/);
  assert.match(drift.stderr, /--update/);
  const update = build('--bundles', drifted, '--update');
  assert.equal(update.status, 0, update.stderr);
  assert.equal(JSON.parse(fs.readFileSync(path.join(drifted, 'lockdown.lock.json'), 'utf8')).outputs['lockdown-debug.json'].sha256, getDebugLockdownBundleSHA256());

  // Changed inputs (here: the lock's record of one file): new bundles and lock, said so.
  const changed = copyBundles();
  const old = JSON.parse(fs.readFileSync(path.join(changed, 'lockdown.lock.json'), 'utf8'));
  old.inputs.files['ses/index.js'] = '1'.repeat(64);
  fs.writeFileSync(path.join(changed, 'lockdown.lock.json'), JSON.stringify(old));
  fs.rmSync(path.join(changed, 'lockdown.json'));
  assert.equal(build('--bundles', changed, '--check').status, 1);
  const rebuilt = build('--bundles', changed);
  assert.equal(rebuilt.status, 0, rebuilt.stderr);
  assert.match(rebuilt.stdout, /inputs changed: 1 file changed: ses\/index\.js/);
  assert.equal(sha256(fs.readFileSync(path.join(changed, 'lockdown.json'))), getLockdownBundleSHA256());
  // The same lock, but for the bundler's recorded source hash (any change to Cordon's sources moves it; it is no input).
  const withoutBundler = file => {
    const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete lock.bundler.sources;
    return lock;
  };
  assert.deepEqual(withoutBundler(path.join(changed, 'lockdown.lock.json')), withoutBundler(path.join(bundlesDir, 'lockdown.lock.json')));
  for (const dir of [same, tampered, drifted, changed]) fs.rmSync(dir, { recursive: true, force: true });
});

test('in XS: the bundle evaluates, lockdown/harden/Compartment work, console.log prints an object', async () => {
  for (const bundle of [getLockdownBundle(), getDebugLockdownBundle()]) {
    const { results, prints, lockdown } = await runInXs(
      [...CHECKS, `console.log({ m: new Map([[1, [1, 'two']]]), s: 'str' }); const saved = Map; globalThis.Map = function Map() {}; try { console.log(new saved([[2, 3]])); } finally { globalThis.Map = saved; } 1`],
      { lockdown: bundle },
    );
    assert.equal(lockdown, 'by-bundle');
    assert.deepEqual(results, [...EXPECTED, 1]);
    assert.deepEqual(prints, ['x { a: 1 }', "{ m: Map(1) { 1 => [ 1, 'two' ] }, s: 'str' }", 'Map(1) { 2 => 3 }']);
  }
});
