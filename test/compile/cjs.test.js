// CommonJS, JSON, text and bytes modules under real SES lockdown.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { compileCommonJs, CordonError, defaultParserForLanguage, makeCommonJsModuleSource } from 'cordon';
import { importMemory } from '../helpers/memory-link.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

test('named exports are what cjs-module-lexer finds (as Node), plus default = module.exports', async () => {
  const ns = await importMemory({
    './main.mjs': `import lib, { a, b } from './lib.cjs'; import * as all from './lib.cjs'; export const got = [lib.a, a, b, Object.keys(all)];`,
    './lib.cjs': `exports.a = 1; module.exports.b = 2; Object.defineProperty(exports, 'c', { enumerable: true, get() { return 3; } }); const hidden = 'x'; exports[hidden] = 4;`,
  }, './main.mjs');
  // `c` (an unsafe getter) and the computed `x` are not detected by the lexer, so Node offers neither.
  // Node ≥ 23 adds the export 'module.exports' (module.exports itself) to a CommonJS namespace.
  const moduleExportsKey = Number(process.versions.node.split('.')[0]) >= 23 ? ['module.exports'] : [];
  assert.deepEqual(ns.got, [1, 1, 2, ['a', 'b', 'default', ...moduleExportsKey]]);
});

test('module.exports = require("./x") re-exports still give named imports, as in Node', async () => {
  const ns = await importMemory({
    './main.mjs': `import { deep, other } from './index.cjs'; export const got = [deep, other];`,
    './index.cjs': `module.exports = require('./impl.cjs');`,
    './impl.cjs': `exports.deep = 'deep'; exports.other = 'other';`,
  }, './main.mjs');
  assert.deepEqual(ns.got, ['deep', 'other']);
});

test('the wrapper: require, exports, module, __filename, __dirname; this is module.exports', async () => {
  const ns = await importMemory({
    './main.mjs': `import info from './where.cjs'; export { info };`,
    './where.cjs': `module.exports = { same: this === module.exports || this === exports, filename: __filename, dirname: __dirname, loaded: module.loaded, json: require('./data.json').k };`,
    './data.json': `{ "k": "v" }`,
  }, './main.mjs');
  assert.deepEqual({ ...ns.info }, { same: true, filename: '/memory/where.cjs', dirname: '/memory', loaded: false, json: 'v' });
});

test('require cycles give partial exports, and a replaced module.exports is seen at once (protobufjs case)', async () => {
  // The incumbent hands the partner the old exports object here.
  const ns = await importMemory({
    './main.cjs': `module.exports = { name: 'main' }; const b = require('./b.cjs'); module.exports.fromB = b.sawMain;`,
    './b.cjs': `const main = require('./main.cjs'); exports.sawMain = main.name;`,
    './entry.mjs': `import main from './main.cjs'; export const fromB = main.fromB;`,
  }, './entry.mjs');
  assert.equal(ns.fromB, 'main');
});

test("require() of an ES module gives Node's shape (__esModule with a default export, the namespace without); of JSON, the value", async () => {
  const ns = await importMemory({
    './main.cjs': `const esm = require('./esm.mjs'); const plain = require('./plain.mjs'); module.exports = { keys: Object.keys(esm), def: esm.default, tag: esm[Symbol.toStringTag], same: require('./esm.mjs') === esm, plainKeys: Object.keys(plain), descriptor: Object.getOwnPropertyDescriptor(esm, '__esModule'), proto: Object.getPrototypeOf(esm), extensible: Object.isExtensible(esm), json: require('./v.json') };`,
    './esm.mjs': `export default 'd'; export const n = 1;`,
    './plain.mjs': `export const only = 1;`,
    './v.json': `[1, 2]`,
    './entry.mjs': `import m from './main.cjs'; export { m };`,
  }, './entry.mjs');
  assert.deepEqual(ns.m.keys, ['__esModule', 'default', 'n']);
  assert.deepEqual(ns.m.plainKeys, ['only']);
  assert.deepEqual(ns.m.descriptor, { value: true, writable: true, enumerable: true, configurable: false });
  assert.equal(ns.m.proto, null);
  assert.equal(ns.m.extensible, false);
  assert.equal(ns.m.same, true);
  assert.equal(ns.m.def, 'd');
  assert.equal(ns.m.tag, 'Module');
  assert.deepEqual(ns.m.json, [1, 2]);
});

test('a CommonJS file ending in a sourceMappingURL comment without newline (ajv case) loads', async () => {
  const ns = await importMemory({
    './main.mjs': `import x from './lib.cjs'; export { x };`,
    './lib.cjs': `module.exports = 42;\n//# sourceMappingURL=lib.js.map`,
  }, './main.mjs');
  assert.equal(ns.x, 42);
});

test('dynamic import() inside CommonJS goes to the compartment', async () => {
  const ns = await importMemory({
    './main.mjs': `import lib from './lib.cjs'; export const value = lib.load();`,
    './lib.cjs': `exports.load = () => import('./dyn.mjs').then(m => m.v);`,
    './dyn.mjs': `export const v = 'dyn';`,
  }, './main.mjs');
  assert.equal(await ns.value, 'dyn');
});

test('a dynamic require with no resolver is a CordonError naming the specifier and file', () => {
  const record = makeCommonJsModuleSource(compileCommonJs(`const name = 'nope'; require(name);`), { location: 'file:///lib.cjs' });
  const compartment = new Compartment({ __options__: true });
  const target = Object.create(null);
  for (const name of record.exports) {
    let value;
    Object.defineProperty(target, name, { get: () => value, set: v => (value = v), enumerable: true });
  }
  assert.throws(
    () => record.execute(target, compartment, {}),
    error => error instanceof CordonError && error.code === 'CORDON_REQUIRE_NOT_FOUND' && error.specifier === 'nope' && error.file === 'file:///lib.cjs',
  );
});

test('static requires are the imports; lexer exports and reexports are reported', () => {
  const compiled = compileCommonJs(`
    const a = require('a');
    const b = require("./b.js");
    foo.require('not-this');
    module.exports = require('./c');
    Object.assign(exports, { ...require('./spread') });
    exports.x = 1;
  `);
  assert.deepEqual(compiled.imports, ['a', './b.js', './c', './spread']);
  assert.deepEqual(compiled.reexports, ['./c']);
  assert.deepEqual(compiled.exports, ['x', 'default']);
  assert.match(compiled.source, /^\(function \(require, exports, module, __filename, __dirname\) \{ /);
});

test('JSON (default is the value), text (a string), bytes (a Uint8Array)', async () => {
  const ns = await importMemory({
    './main.mjs': `import j from './d.json'; import t from './t.txt'; import b from './b.bin'; export const got = [j, t, b];`,
    './d.json': `{"a":[1,2]}`,
    './t.txt': `hello`,
    './b.bin': `AB`,
  }, './main.mjs');
  assert.deepEqual(ns.got[0], { a: [1, 2] });
  assert.equal(ns.got[1], 'hello');
  assert.ok(ns.got[2] instanceof Uint8Array);
  assert.deepEqual([...ns.got[2]], [65, 66]);
});

test('bad JSON is a CordonError naming the file and position', async () => {
  const bytes = new TextEncoder().encode('{\n  "a": 1,\n}');
  assert.throws(
    () => defaultParserForLanguage.json.parse(bytes, './d.json', 'file:///d.json', 'file:///'),
    error => error instanceof CordonError && error.code === 'CORDON_INVALID_JSON' && error.file === 'file:///d.json' && error.line === 3,
  );
  // Through a compartment the load fails with the same message.
  await assert.rejects(importMemory({ './main.mjs': `import j from './d.json';`, './d.json': '{\n  "a": 1,\n}' }, './main.mjs'), /d\.json:3/);
});
