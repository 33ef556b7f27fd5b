// The ESM compiler's semantics, each checked by running the compiled module under real SES lockdown.
// Where the incumbent (@endo/module-source) gets a case wrong, the test says so.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { ModuleSource } from 'cordon/module-source.js';
import { CordonError } from 'cordon';
import { importMemory } from '../helpers/memory-link.js';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe', stackFiltering: 'verbose' });

test('imports are hoisted; default, named, renamed and namespace imports', async () => {
  const ns = await importMemory({
    './main.js': `
      export const seen = [d, a, b2, lib.b];
      import d, { a, b as b2 } from './lib.js';
      import * as lib from './lib.js';
    `,
    './lib.js': `export default 'D'; export const a = 'A'; export const b = 'B';`,
  });
  assert.deepEqual(ns.seen, ['D', 'A', 'B', 'B']);
});

test('live bindings: an exported let/var reassigned anywhere is seen by importers', async () => {
  const ns = await importMemory({
    './main.js': `
      import { count, total, inc, pair, first, second, last, reset } from './counter.js';
      const log = [count];
      inc(); inc();
      log.push(count, total);
      pair(5, 6);
      log.push(first, second);
      reset();
      log.push(count, first);
      log.push(last);
      export { log };
    `,
    './counter.js': `
      export let count = 0;
      export var total = 10;
      export let first, second;
      export let last;
      for (last of ['x', 'y', 'z']) {}
      export function inc() { count += 1; total++; }
      export function pair(a, b) { [first, { b: second }] = [a, { b }]; }
      export const reset = () => { ({ count, first } = { count: -1, first: 'f' }); };
    `,
  });
  assert.deepEqual(ns.log, [0, 2, 12, 5, 6, -1, 'f', 'z']);
});

test('exported function declarations are published before any code runs (cycles can call them)', async () => {
  // The incumbent throws "inc is not a function" here: it publishes functions after its imports run.
  const ns = await importMemory({
    './main.js': `import { fromB } from './b.js'; export function hello() { return 'hello'; } export { fromB };`,
    './b.js': `import { hello } from './main.js'; export const fromB = hello() + ' from b';`,
  });
  assert.equal(ns.fromB, 'hello from b');
});

test('an anonymous default function is made before any code runs, keeps its text, and is named "default"', async () => {
  const ns = await importMemory({
    './main.js': `import { fromB } from './b.js';\nexport default function () { return 'd'; }\nexport { fromB };`,
    './b.js': `import d from './main.js'; export const fromB = [d(), d.name, String(d)];`,
  });
  assert.deepEqual(ns.fromB, ['d', 'default', "function () { return 'd'; }"]);
});

test('the walk skips code that cannot hold a candidate, and still finds shadowing and writes deep inside', async () => {
  const ns = await importMemory({
    './main.js': `
      import { a } from './lib.js';
      export let n = 0;
      const table = { x: [1, 2, { y: () => ({ z: 3 }) }] };
      function deep() { return [() => { { const a = 'shadow'; return a; } }, () => { n += 1; return a; }]; }
      const [f, g] = deep();
      export const out = [f(), g(), table.x[2].y().z];
    `,
    './lib.js': `export const a = 'import';`,
  });
  assert.deepEqual(ns.out, ['shadow', 'import', 3]);
  assert.equal(ns.n, 1);
});

test('TDZ: reading an exported let of a module in a cycle before initialisation throws ReferenceError', async () => {
  // The incumbent gives `undefined` here.
  const ns = await importMemory({
    './main.js': `import { probe } from './b.js'; export let value = 1; export { probe };`,
    './b.js': `import { value } from './main.js'; let probe; try { probe = value; } catch (e) { probe = e.name; } export { probe };`,
  });
  assert.equal(ns.probe, 'ReferenceError');
});

test('assigning to an imported binding throws TypeError', async () => {
  // The incumbent overwrites the local copy silently.
  const ns = await importMemory({
    './main.js': `
      import { x, y } from './lib.js';
      const errors = [];
      const attempt = f => { try { f(); errors.push('no error'); } catch (e) { errors.push(e.name); } };
      attempt(() => { x = 2; });
      attempt(() => { x++; });
      attempt(() => { [x] = [3]; });
      attempt(() => { ({ y } = { y: 4 }); });
      attempt(() => { for (x of [1]) {} });
      export { errors };
      export const stillX = x;
    `,
    './lib.js': `export const x = 1; export const y = 1;`,
  });
  assert.deepEqual(ns.errors, ['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError']);
  assert.equal(ns.stillX, 1);
});

test('export default of an anonymous function, class or arrow is named "default"', async () => {
  const ns = await importMemory({
    './main.js': `
      import f from './f.js'; import C from './c.js'; import a from './a.js'; import named from './named.js';
      import g from './g.js';
      export const names = [f.name, C.name, a.name, named.name, g.name];
    `,
    './f.js': `export default function () {}`,
    './c.js': `export default class {}`,
    './a.js': `export default () => 1`,
    './named.js': `export default function keep() {}`,
    './g.js': `export default (function* () {});`,
  });
  assert.deepEqual(ns.names, ['default', 'default', 'default', 'keep', 'default']);
});

test('export * (ambiguity dropped, default never), export * as, export {a as b} from, re-exported imports stay live', async () => {
  const ns = await importMemory({
    './main.js': `
      export * from './one.js';
      export * from './two.js';
      export * as two from './two.js';
      export { only as renamed } from './one.js';
      import { counter, bump } from './one.js';
      export { counter as liveCounter, bump };
    `,
    './one.js': `export const shared = 1; export const only = 'o'; export let counter = 0; export function bump() { counter += 1; } export default 'one';`,
    './two.js': `export const shared = 2; export const other = 't'; export default 'two';`,
  });
  assert.deepEqual(Object.keys(ns), ['bump', 'counter', 'liveCounter', 'only', 'other', 'renamed', 'two']);
  assert.equal(ns.renamed, 'o');
  assert.equal(ns.two.shared, 2);
  assert.equal(ns.liveCounter, 0);
  ns.bump();
  assert.equal(ns.liveCounter, 1);
  assert.equal(ns.counter, 1);
});

test('namespace objects: sorted keys, Symbol.toStringTag "Module", not extensible', async () => {
  const ns = await importMemory({ './main.js': `export const zeta = 1, alpha = 2; export function mid() {}` });
  assert.deepEqual(Object.keys(ns), ['alpha', 'mid', 'zeta']);
  assert.equal(ns[Symbol.toStringTag], 'Module');
  assert.equal(Object.isExtensible(ns), false);
});

test('dynamic import() of any expression goes to the compartment; import.meta works', async () => {
  const ns = await importMemory({
    './main.js': `
      const which = ['./dyn', 'js'].join('.');
      export const loaded = import(which).then(m => m.value);
      export const literal = import('./dyn.js').then(m => m.value);
      export const meta = typeof import.meta;
    `,
    './dyn.js': `export const value = 'dynamic';`,
  });
  assert.equal(await ns.loaded, 'dynamic');
  assert.equal(await ns.literal, 'dynamic');
  assert.equal(ns.meta, 'object');
});

test('shebang, strict mode, top-level this is undefined, imported functions are called with this undefined', async () => {
  const ns = await importMemory({
    './main.js': `#!/usr/bin/env node
      import { whoAmI } from './lib.js';
      export const topThis = this;
      export const calledThis = whoAmI();
      export let strict; try { undeclared = 1; strict = false; } catch (e) { strict = e.name; }
    `,
    './lib.js': `export function whoAmI() { return this; }`,
  });
  assert.equal(ns.topThis, undefined);
  assert.equal(ns.calledThis, undefined);
  assert.equal(ns.strict, 'ReferenceError');
});

test('an error thrown on line N of the source reports line N', async () => {
  const source = ['// line 1', '// line 2', 'import { x } from "./x.js";', '', 'export function boom() {', '  throw new Error("boom " + x);', '}'].join('\n');
  const ns = await importMemory({ './main.js': source, './x.js': 'export const x = 1;' });
  assert.throws(ns.boom, error => {
    assert.match(error.stack, /file:\/\/\/memory\/main\.js:6:/);
    return true;
  });
});

test('a source map is produced when asked, and maps lines back', () => {
  let map;
  const text = 'import { a } from "./a.js";\nexport const b = a + 1;\nexport default b;\n';
  const record = new ModuleSource(text, { sourceUrl: 'file:///m.js', sourceMapUrl: 'm.js', sourceMapHook: m => (map = m) });
  assert.equal(map.version, 3);
  assert.deepEqual(map.sources, ['m.js']);
  assert.equal(map.sourcesContent[0], text);
  const lines = record.__syncModuleProgram__.split('\n');
  const traced = new TraceMap(map);
  // `b` on line 2 and the `b` exported on line 3 map back to where they are in the source.
  const at = (line, needle) => originalPositionFor(traced, { line, column: lines[line - 1].indexOf(needle) });
  assert.deepEqual([at(2, 'b =').line, at(2, 'b =').column], [2, 13]);
  assert.deepEqual([at(3, ' b)').line], [3]);
});

test('hidden names cannot collide with user identifiers', async () => {
  const ns = await importMemory({
    './main.js': `
      import { $cordon_imports } from './lib.js';
      const $cordon_live = 'mine', $cordon_g_$cordon_imports = 2;
      export const got = [$cordon_imports, $cordon_live, $cordon_g_$cordon_imports];
    `,
    './lib.js': `export const $cordon_imports = 'imp';`,
  });
  assert.deepEqual(ns.got, ['imp', 'mine', 2]);
});

test('shadowed imported names stay local (params, blocks, catch, classes, functions)', async () => {
  const ns = await importMemory({
    './main.js': `
      import { a } from './lib.js';
      function f(a) { return a; }
      const g = (x = a) => { var a = 'body-var'; return [x, a]; };
      let blocks; { const a = 'block'; blocks = a; }
      let caught; try { throw 'thrown'; } catch (a) { caught = a; }
      class K { a() { return a; } static get a() { return 'static'; } }
      const obj = { a, b: { a: 1 }.a };
      export const out = [f('param'), g(), blocks, caught, new K().a(), K.a, obj.a, obj.b, a];
    `,
    './lib.js': `export const a = 'import';`,
  });
  assert.deepEqual(ns.out, ['param', ['import', 'body-var'], 'block', 'thrown', 'import', 'static', 'import', 1, 'import']);
});

test('a module with top-level await compiles to an async program, flagged in its record; await inside functions does not count', () => {
  const tla = new ModuleSource('import { a } from "./a.js";\nexport const b = await Promise.resolve(a);\n', 'file:///tla.js');
  assert.equal(tla.__cordonTopLevelAwait__, true);
  assert.match(tla.__syncModuleProgram__, /return\(async function\(\)\{'use strict';/);
  // Line 2 of the module is line 2 of the program.
  assert.match(tla.__syncModuleProgram__.split('\n')[1], /^const b = await Promise\.resolve\(/);
  for (const text of ['export async function f() { await 1; }', 'const f = async () => { for await (const x of []) ; };', 'class C { async m() { await 0; } }']) {
    const record = new ModuleSource(text);
    assert.equal(record.__cordonTopLevelAwait__, undefined, text);
  }
  for (const text of ['for await (const x of []) ;', 'if (true) { await 0; }', 'try { await 0; } catch {}', 'export default await 1;']) {
    assert.equal(new ModuleSource(text).__cordonTopLevelAwait__, true, text);
  }
  // Under SES alone (no Cordon evaluator) the program still runs, straight through.
  new ModuleSource('export async function f() { await 1; }');
});

test('a syntax error is a CordonError naming file, line and column', () => {
  assert.throws(
    () => new ModuleSource('const ok = 1;\nconst = 2;\n', 'file:///bad.js'),
    error => error instanceof CordonError && error.code === 'CORDON_SYNTAX_ERROR' && error.file === 'file:///bad.js' && error.line === 2 && typeof error.column === 'number',
  );
});

test('the record is frozen and has the precompiled module source shape', () => {
  const record = new ModuleSource('import x from "./x.js"; export * from "./y.js"; export let z = x; z = 2; export const w = 1; export { v as u } from "./v.js";');
  assert.ok(Object.isFrozen(record));
  assert.deepEqual(record.imports, ['./x.js', './y.js', './v.js']);
  assert.deepEqual(record.exports, ['u', 'w', 'z']);
  assert.deepEqual(record.reexports, ['./y.js']);
  assert.deepEqual(record.__liveExportMap__, { z: ['z', false] });
  assert.deepEqual(record.__fixedExportMap__, { w: ['w'] });
  assert.deepEqual(record.__reexportMap__, { './v.js': [['v', 'u']] });
  assert.equal(record.__needsImport__, false);
  assert.equal(record.__needsImportMeta__, false);
});

test('the functor takes only the parameters the module uses', async () => {
  const params = source => new ModuleSource(source).__syncModuleProgram__.match(/^\(function\(\{([^}]*)\}\)\{/)[1].split(',').map(p => p.split(':')[0]);
  assert.deepEqual(params('export const x = 1;'), ['imports', 'onceVar']);
  assert.deepEqual(params('export let x = 1; x += 1;'), ['imports', 'liveVar']);
  assert.deepEqual(params('const u = import.meta.url; export default () => import("./x.js");'), ['imports', 'onceVar', 'import', 'importMeta']);
  assert.deepEqual(params('console.log(1);'), ['imports']);
  // A module that names what looks like a hidden parameter still runs with its own binding.
  const namespace = await importMemory({ './main.js': 'const $cordon_import = 7; export const v = $cordon_import + typeof import.meta;' });
  assert.equal(namespace.v, '7object');
});
