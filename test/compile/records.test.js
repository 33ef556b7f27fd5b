// The archived record forms (pre-mjs-json, pre-cjs-json): shape, round trip, Endo's own output, and
// malformed records refused with a precise error.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { CordonError, defaultParserForLanguage, precompile } from 'cordon';
import { defaultParserForLanguage as fromSubpath } from 'cordon/import-parsers.js';
import { ModuleSource as EndoModuleSource } from '@endo/module-source';
import { importMemory } from '../helpers/memory-link.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const encode = text => new TextEncoder().encode(text);
const decode = bytes => new TextDecoder().decode(bytes);

test('cordon/import-parsers.js exports defaultParserForLanguage in Endo\'s shape', () => {
  assert.equal(fromSubpath, defaultParserForLanguage);
  for (const language of ['mjs', 'cjs', 'json', 'text', 'bytes', 'pre-mjs-json', 'pre-cjs-json']) {
    const parser = fromSubpath[language];
    assert.equal(typeof parser.parse, 'function', language);
    assert.equal(parser.synchronous, true, language);
    assert.equal(parser.heuristicImports, language === 'cjs' || language === 'pre-cjs-json', language);
  }
});

test('pre-mjs-json has Endo\'s key order and runs like the source it came from', async () => {
  const text = 'import { b } from "./b.js";\nexport let a = b + 1;\nexport function bump() { a += 1; }\n';
  const bytes = precompile('mjs', text);
  assert.deepEqual(Object.keys(JSON.parse(decode(bytes))), [
    'imports', 'exports', 'reexports', '__syncModuleProgram__', '__liveExportMap__', '__reexportMap__', '__fixedExportMap__', '__needsImport__', '__needsImportMeta__',
  ]);
  const ns2 = await importMemory({ './main.js': decode(bytes), './b.js': 'export const b = 1;' }, './main.js', {
    language: path => (path === './main.js' ? 'pre-mjs-json' : 'mjs'),
  });
  assert.equal(ns2.a, 2);
  ns2.bump();
  assert.equal(ns2.a, 3);
});

test('pre-cjs-json round trip', async () => {
  const bytes = precompile('cjs', 'exports.x = require("./y.cjs").y * 2;');
  const record = JSON.parse(decode(bytes));
  assert.deepEqual(Object.keys(record), ['imports', 'exports', 'reexports', 'source']);
  assert.deepEqual(record.imports, ['./y.cjs']);
  const ns = await importMemory({ './main.cjs': decode(bytes), './y.cjs': 'exports.y = 21;' }, './main.cjs', {
    language: path => (path === './main.cjs' ? 'pre-cjs-json' : 'cjs'),
  });
  assert.equal(ns.x, 42);
});

test('a pre-mjs-json record written by @endo/module-source runs under Cordon\'s parser', async () => {
  const endo = JSON.stringify(new EndoModuleSource('import { b } from "./b.js"; export const a = b * 3;'));
  const ns = await importMemory({ './main.js': endo, './b.js': 'export const b = 5;' }, './main.js', {
    language: path => (path === './main.js' ? 'pre-mjs-json' : 'mjs'),
  });
  assert.equal(ns.a, 15);
});

const bad = [
  ['not JSON', '{'],
  ['not an object', '[]'],
  ['program not a string', JSON.stringify({ imports: [], exports: [], reexports: [], __syncModuleProgram__: 1 })],
  ['imports not strings', JSON.stringify({ imports: [1], exports: [], __syncModuleProgram__: '' })],
  ['bad live map', JSON.stringify({ imports: [], exports: [], __syncModuleProgram__: '', __liveExportMap__: { a: 'a' } })],
  ['bad reexport map', JSON.stringify({ imports: [], exports: [], __syncModuleProgram__: '', __reexportMap__: { m: [['a']] } })],
  ['unknown field', JSON.stringify({ imports: [], exports: [], __syncModuleProgram__: '', extra: 1 })],
  ['bad flag', JSON.stringify({ imports: [], exports: [], __syncModuleProgram__: '', __needsImport__: 'yes' })],
];
for (const [name, text] of bad) {
  test(`a malformed pre-mjs-json record is refused: ${name}`, () => {
    assert.throws(
      () => defaultParserForLanguage['pre-mjs-json'].parse(encode(text), './m.js', 'file:///a/m.js', 'file:///a/'),
      error => error instanceof CordonError && error.code === 'CORDON_INVALID_MODULE_RECORD' && error.file === 'file:///a/m.js',
    );
  });
}

test('a malformed pre-cjs-json record is refused', () => {
  for (const text of ['null', JSON.stringify({ imports: [], exports: [], reexports: [] }), JSON.stringify({ imports: 'x', exports: [], source: '' })]) {
    assert.throws(
      () => defaultParserForLanguage['pre-cjs-json'].parse(encode(text), './m.js', 'file:///a/m.js', 'file:///a/'),
      error => error instanceof CordonError && error.code === 'CORDON_INVALID_MODULE_RECORD',
    );
  }
});
