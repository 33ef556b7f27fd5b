// analyzeModule: the globals, module member paths, computed loads and native use a module shows.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeModule, LANGUAGE_GLOBALS } from '../../dist/compile/analyze.js';
import { CordonError } from '../../dist/diagnostics/index.js';

/** Globals as a sorted object; specifiers as `'all'` or sorted arrays. */
const globals = (text, language = 'cjs') => Object.fromEntries([...analyzeModule(text, language).globals].sort());
const specifiers = (text, language = 'cjs') =>
  Object.fromEntries([...analyzeModule(text, language).specifiers].sort().map(([k, v]) => [k, v === 'all' ? 'all' : [...v].sort()]));

test('declared names are not globals: var, let, const, function, class, params, catch, imports', () => {
  const text = `
    import d, { n as m } from 'x'; import * as ns from 'y';
    var a = 1; let b = 2; const c = 3; function f(p, { q }, [r], ...s) { return p + q + r + s + arguments; }
    class K {} try { t() } catch (e) { e } catch2;
    a; b; c; f; K; d; m; ns; u;`;
  assert.deepEqual(globals(text, 'mjs'), { t: 'read', catch2: 'read', u: 'read' });
});

test('hoisting: var and function declarations used before they appear are local; block lets are not outside', () => {
  assert.deepEqual(globals(`early(); v; function early() {} var v; { let inner; } inner; later; { let later; }`), { inner: 'read', later: 'read' });
  assert.deepEqual(globals(`function g() { x; { let y; y; } y; var x; }`), { y: 'read' });
  // A function declared in a block is also hoisted to the function (sloppy mode, Annex B).
  assert.deepEqual(globals(`if (ok) { function inBlock() {} } inBlock();`), { ok: 'read' });
});

test('shadowing: an inner declaration hides a global of the same name only inside', () => {
  assert.deepEqual(globals(`function f(process) { process.env; } (() => { const Buffer = 1; Buffer.from; })(); process.exit;`), { 'process.exit': 'read' });
  assert.deepEqual(globals(`for (let i of list) i; i;`), { list: 'read', i: 'read' });
  assert.deepEqual(globals(`try {} catch ({ message }) { message } message;`), { message: 'read' });
});

test('named function and class expressions bind their name only inside', () => {
  assert.deepEqual(globals(`(function fn() { fn; }); fn; (class Cls { m() { return Cls; } }); Cls;`), { fn: 'read', Cls: 'read' });
  assert.deepEqual(globals(`(function fn() { fn(); }); (class Cls { m() { return Cls; } });`), {});
});

test('labels, object keys, non-computed members and class member names are not references', () => {
  assert.deepEqual(globals(`outer: for (;;) { break outer; } ({ key: 1, method() {} }); obj.prop; class A { field = 1; meth() {} }; ({ [computed]: 1 });`), {
    'obj.prop': 'read',
    computed: 'read',
  });
  // A shorthand property is a reference.
  assert.deepEqual(globals(`({ shorthand })`), { shorthand: 'read' });
});

test('typeof counts as a read', () => {
  assert.deepEqual(globals(`typeof maybe === 'undefined'; typeof process.versions`), { maybe: 'read', 'process.versions': 'read' });
});

test('writes: assignment, compound assignment, update, delete, destructuring and loop targets', () => {
  assert.deepEqual(globals(`a = 1; b += 1; c++; delete d.e; [f, { g }] = [1, {}]; for (h in {}) ; for (i.j of []) ;`), {
    a: 'write', b: 'write', c: 'write', 'd.e': 'write', f: 'write', g: 'write', h: 'write', 'i.j': 'write',
  });
  assert.deepEqual(globals(`process.env.X = '1'; process.env.X; process.env[name] = 2;`), { 'process.env.X': 'write', 'process.env': 'write', name: 'read' });
  // Write beats read whichever comes first.
  assert.deepEqual(globals(`w; w = 1; w;`), { w: 'write' });
  // Writes to a local are not global writes.
  assert.deepEqual(globals(`let local; local = 1; local.x = 2;`), {});
});

test('globalThis, global, window and self are stripped; a computed access on them records nothing', () => {
  assert.deepEqual(globals(`globalThis.fetch; global.process.env; window.document.title; self.postMessage; globalThis.global.URL;`), {
    fetch: 'read', 'process.env': 'read', 'document.title': 'read', postMessage: 'read', URL: 'read',
  });
  assert.deepEqual(globals(`globalThis[key]; global[other].x; typeof window; const g = globalThis;`), { key: 'read', other: 'read' });
  assert.deepEqual(globals(`globalThis['fetch']; globalThis.setTimeout(f); globalThis.leak = 1;`), { fetch: 'read', setTimeout: 'read', f: 'read', leak: 'write' });
  // A local `self` is not the global object.
  assert.deepEqual(globals(`var self = this; self.postMessage;`), {});
});

test('member chains: deepest static path; a global\'s method is its member, a deeper call stops at its callee\'s object; literal keys count; optional chains too', () => {
  assert.deepEqual(globals(`process.env.FOO.toString(); console.log('x'); process.env['A']; process.env[k].z; process?.versions?.node; a.b?.(); new Foo.Bar(); tag.fn\`x\`;`), {
    'process.env.FOO': 'read', 'console.log': 'read', 'process.env.A': 'read', 'process.env': 'read', k: 'read',
    'process.versions.node': 'read', 'a.b': 'read', 'Foo.Bar': 'read', 'tag.fn': 'read',
  });
  assert.deepEqual(globals(`const f = Buffer.from; setTimeout(f);`), { 'Buffer.from': 'read', setTimeout: 'read' });
  // A call through a computed member: the path stops at the computed member's object.
  assert.deepEqual(globals(`process.env[k]();`), { 'process.env': 'read', k: 'read' });
  // A numeric key is not a static name.
  assert.deepEqual(globals(`process.argv[2];`), { 'process.argv': 'read' });
});

test('destructuring a global reads its members', () => {
  assert.deepEqual(globals(`const { env: { NODE_ENV }, argv } = process; const [first] = list;`), { 'process.env.NODE_ENV': 'read', 'process.argv': 'read', list: 'read' });
  assert.deepEqual(globals(`const { ...rest } = process;`), { process: 'read' });
  assert.deepEqual(globals(`const { [k]: v } = process.env;`), { k: 'read', 'process.env': 'read' });
});

test('CommonJS wrapper names are not globals in cjs, and are in mjs', () => {
  const text = `require('x'); module.exports = exports; __filename + __dirname; arguments;`;
  assert.deepEqual(globals(text, 'cjs'), {});
  assert.deepEqual(globals(text, 'mjs'), { require: 'read', 'module.exports': 'write', exports: 'read', __filename: 'read', __dirname: 'read', arguments: 'read' });
});

test('language intrinsics and their members are ignored, in reads and writes', () => {
  assert.deepEqual(globals(`Math.random(); Date.now(); JSON.parse(s); new Map(); Object.prototype.x = 1; Promise.resolve(); undefined; NaN; harden(o); new Compartment(); Reflect.ownKeys(o); Array.prototype.slice.call(o); parseInt(s);`), { s: 'read', o: 'read' });
  assert.ok(LANGUAGE_GLOBALS.has('Math') && LANGUAGE_GLOBALS.has('Uint8Array') && LANGUAGE_GLOBALS.has('lockdown') && LANGUAGE_GLOBALS.has('globalThis'));
  assert.ok(!LANGUAGE_GLOBALS.has('process') && !LANGUAGE_GLOBALS.has('console') && !LANGUAGE_GLOBALS.has('setTimeout') && !LANGUAGE_GLOBALS.has('Buffer'));
  assert.ok(Object.isFrozen(LANGUAGE_GLOBALS));
  assert.throws(() => LANGUAGE_GLOBALS.add('process'), TypeError);
  assert.ok(!LANGUAGE_GLOBALS.has('process'));
});

test('import member paths: default, namespace, named, renamed, default-as, unused', () => {
  assert.deepEqual(specifiers(`import fs from 'fs'; fs.readFileSync(p); fs.promises.readFile(p);`, 'mjs'), { fs: ['promises.readFile', 'readFileSync'] });
  assert.deepEqual(specifiers(`import * as path from 'node:path'; path.join(a); path.posix.sep;`, 'mjs'), { 'node:path': ['join', 'posix.sep'] });
  assert.deepEqual(specifiers(`import { readFile, promises as p } from 'fs'; import { default as os } from 'os'; p.stat(); os.cpus(); import 'side';`, 'mjs'), {
    fs: ['promises.stat', 'readFile'], os: ['cpus'], side: [],
  });
  assert.deepEqual(specifiers(`import unused from 'u';`, 'mjs'), { u: [] });
});

test('require member paths: direct member, binding, destructuring (nested), member binding', () => {
  assert.deepEqual(specifiers(`require('fs').readFile(p);`), { fs: ['readFile'] });
  assert.deepEqual(specifiers(`const fs = require('fs'); fs.existsSync(p); fs.constants.F_OK;`), { fs: ['constants.F_OK', 'existsSync'] });
  assert.deepEqual(specifiers(`const { readFile, promises: { stat }, 'watch': w } = require('fs');`), { fs: ['promises.stat', 'readFile', 'watch'] });
  assert.deepEqual(specifiers(`const p = require('fs').promises; p.readFile(); const { exec } = require('child_process'); exec.foo;`), { fs: ['promises.readFile'], child_process: ['exec.foo'] });
  assert.deepEqual(specifiers(`require('side-effect');`), { 'side-effect': [] });
  assert.deepEqual(specifiers(`const { a } = await import('m');`, 'mjs'), { m: ['a'] });
});

test('a module value that escapes is used entirely', () => {
  const all = (text, language = 'cjs') => assert.deepEqual(specifiers(text, language), { fs: 'all' }, text);
  all(`const fs = require('fs'); use(fs);`);
  all(`const fs = require('fs'); const copy = { ...fs };`);
  all(`const fs = require('fs'); fs[method]();`);
  all(`let fs = require('fs'); fs = other;`);
  all(`var fs = require('fs'); var fs = other; fs.x;`);
  all(`module.exports = require('fs');`);
  all(`const { ...rest } = require('fs');`);
  all(`const [x] = require('fs');`);
  all(`import fs from 'fs'; export { fs };`, 'mjs');
  all(`export * from 'fs';`, 'mjs');
  all(`import('fs').then(f);`, 'mjs');
  // A member that escapes is used entirely, not the module.
  assert.deepEqual(specifiers(`const { promises } = require('fs'); use(promises);`), { fs: ['promises'] });
  assert.deepEqual(specifiers(`export { readFile } from 'fs';`, 'mjs'), { fs: ['readFile'] });
});

test('a shadowed require is not a module load; a local fs is not the module', () => {
  assert.deepEqual(specifiers(`function f(require) { require('nope').x; } (function () { var require = g; require(dyn); })();`), {});
  assert.deepEqual(analyzeModule(`function f(require) { require(dyn); }`, 'cjs').dynamic, []);
  assert.deepEqual(specifiers(`const fs = require('fs'); function g(fs) { fs.anything; use(fs); } fs.stat();`), { fs: ['stat'] });
});

test('computed requires and imports are reported with line and column', () => {
  const { dynamic, specifiers: found } = analyzeModule(`const a = require('lit');\n  require(name);\nrequire(\`t\`); require(\`x\${y}\`);\n    import(spec);`, 'cjs');
  assert.deepEqual(dynamic, [
    { kind: 'require', line: 2, column: 2 },
    { kind: 'require', line: 3, column: 14 },
    { kind: 'import', line: 4, column: 4 },
  ]);
  assert.deepEqual([...found.keys()].sort(), ['lit', 't']);
});

test('native: process.dlopen or a .node file', () => {
  assert.equal(analyzeModule(`process.dlopen(module, file);`, 'cjs').native, true);
  assert.equal(analyzeModule(`const addon = require('./build/Release/addon.node');`, 'cjs').native, true);
  assert.equal(analyzeModule(`process.env; require('./x.js'); function f(process) { process.dlopen(); }`, 'cjs').native, false);
});

test('parse goals: cjs takes top-level return and HTML comments, mjs takes import/export; failures are CORDON_SYNTAX_ERROR', () => {
  assert.deepEqual(globals(`#!/usr/bin/env node\nif (done) return;\n<!-- old\nx;`, 'cjs'), { done: 'read', x: 'read' });
  assert.throws(
    () => analyzeModule(`export const x = ;`, 'mjs', 'file:///bad.mjs'),
    error => error instanceof CordonError && error.code === 'CORDON_SYNTAX_ERROR' && error.file === 'file:///bad.mjs' && error.line === 1,
  );
  assert.throws(() => analyzeModule(`import x from 'y';`, 'cjs'), error => error instanceof CordonError && error.code === 'CORDON_SYNTAX_ERROR');
});

// ─── Real packages ──────────────────────────────────────────────────────────────────────────────

const nodeModules = new URL('../../node_modules/', import.meta.url);
const jsFiles = dir => readdirSync(dir, { recursive: true, withFileTypes: true })
  .filter(entry => entry.isFile() && /\.(c?js|mjs)$/.test(entry.name))
  .map(entry => join(entry.parentPath ?? entry.path, entry.name));

const analyzePackage = name => {
  const dir = new URL(`${name}/`, nodeModules).pathname;
  const type = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type;
  const result = new Map();
  for (const file of jsFiles(dir)) {
    const language = file.endsWith('.mjs') || (type === 'module' && !file.endsWith('.cjs')) ? 'mjs' : 'cjs';
    result.set(file.slice(dir.length), analyzeModule(readFileSync(file, 'utf8'), language, file));
  }
  return result;
};

test('express: every file analyses; the globals and builtin members it uses', () => {
  const files = analyzePackage('express');
  assert.ok(files.size >= 7);
  const application = files.get('lib/application.js');
  assert.equal(application.globals.get('process.env.NODE_ENV'), 'read');
  assert.equal(files.get('lib/response.js').globals.get('setImmediate'), 'read');
  // `process.nextTick(…)`: a method of a global is the member it needs.
  assert.equal(files.get('lib/view.js').globals.get('process.nextTick'), 'read');
  // `const { Buffer } = require('node:buffer')`: Buffer is the module's member, not the global.
  const response = files.get('lib/response.js');
  assert.equal(response.globals.has('Buffer'), false);
  assert.deepEqual([...response.specifiers.get('node:buffer')].sort(), ['Buffer.byteLength', 'Buffer.from', 'Buffer.isBuffer']);
  assert.deepEqual([...files.get('lib/view.js').specifiers.keys()].sort(), ['debug', 'node:fs', 'node:path']);
});

test('debug: every file analyses; node.js writes process.env.DEBUG, browser.js reads through window', () => {
  const files = analyzePackage('debug');
  const node = files.get('src/node.js');
  assert.equal(node.globals.get('process.env.DEBUG'), 'write');
  assert.equal(node.globals.get('process.stderr'), 'read');
  assert.equal(node.specifiers.get('tty').has('isatty'), true);
  const browser = files.get('src/browser.js');
  assert.equal(browser.globals.get('process.type'), 'read');
  assert.equal(browser.globals.has('window'), false);
  assert.equal(browser.globals.get('localStorage'), 'read');
});
