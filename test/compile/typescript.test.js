// TypeScript by type stripping (compile/typescript.ts, the mts and cts languages): the stripper loads on
// first use; every line and column is kept (types become blanks); type-only imports and exports go;
// what cannot be blanked is refused with its code, line and column, as Node's --experimental-strip-types.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { CordonError, defaultParserForLanguage, loadTypeScriptStripper, stripTypeScript, typeScriptStripperReady } from 'cordon';
import { fixtureRoot } from '../helpers/fixtures.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const encode = text => new TextEncoder().encode(text);
const decode = bytes => new TextDecoder().decode(bytes);
const amaroLoaded = () => Object.keys(createRequire(import.meta.url).cache).some(file => file.includes('/amaro/'));

test('the stripper is loaded on first use: before, the languages say they are not synchronous and a parse answers with a promise', async () => {
  assert.equal(typeScriptStripperReady(), false);
  assert.equal(amaroLoaded(), false, 'importing cordon does not load amaro');
  const { mts, cts } = defaultParserForLanguage;
  assert.equal(mts.synchronous, false);
  assert.equal(cts.synchronous, false);
  assert.equal(mts.heuristicImports, false);
  assert.equal(cts.heuristicImports, true);
  assert.throws(() => stripTypeScript('let x: number = 1;', 'file:///x.ts'), { code: 'CORDON_TYPESCRIPT_UNAVAILABLE' });
  const pending = mts.parse(encode('export const x: number = 1;\n'), './x.ts', 'file:///app/x.ts', 'file:///app/');
  assert.ok(pending instanceof Promise);
  const result = await pending;
  assert.equal(result.parser, 'mjs');
  assert.equal(typeScriptStripperReady(), true);
  assert.equal(amaroLoaded(), true);
  assert.equal(mts.synchronous, true);
  assert.equal(cts.synchronous, true);
  const now = cts.parse(encode('const y: string = "y";\nmodule.exports = y;\n'), './y.cts', 'file:///app/y.cts', 'file:///app/');
  assert.ok(!(now instanceof Promise));
  assert.equal(now.parser, 'cjs');
  await loadTypeScriptStripper(); // settled once, the same promise after
  // On Node 20 each call runs with a DataView that tells detached buffers apart (SES's shim answers false for all); the global is restored.
  assert.equal(globalThis.DataView, DataView);
  assert.equal(Object.getPrototypeOf(new DataView(new ArrayBuffer(1))), DataView.prototype);
});

test('the parsers answer in JavaScript: the mjs and cjs language and the stripped bytes (what archives and scripts keep)', async () => {
  await loadTypeScriptStripper();
  const text = "import type { T } from './t.ts';\nimport { a, type B } from './a.ts';\nexport type { T };\nexport const v: B = a as B;\n";
  const { parser, bytes, record } = defaultParserForLanguage.mts.parse(encode(text), './m.ts', 'file:///app/m.ts', 'file:///app/');
  assert.equal(parser, 'mjs');
  const stripped = decode(bytes);
  assert.equal(stripped.length, text.length);
  assert.deepEqual(stripped.split('\n').map(line => line.length), text.split('\n').map(line => line.length));
  assert.doesNotMatch(stripped, /type|: B|as B/);
  assert.deepEqual([...record.imports], ['./a.ts'], 'the type-only import is gone, the value import stays');
  assert.deepEqual([...record.exports], ['v']);
  const cjs = defaultParserForLanguage.cts.parse(encode("import type { K } from './k.cts';\nconst k: K = require('./k.cts');\nexports.k = k;\n"), './c.cts', 'file:///app/c.cts', 'file:///app/');
  assert.equal(cjs.parser, 'cjs');
  assert.deepEqual([...cjs.record.imports], ['./k.cts']);
  assert.deepEqual([...cjs.record.exports].filter(name => name !== 'module.exports').sort(), ['default', 'k']); // Node ≥ 23 adds 'module.exports'
});

test('every line and column is kept on real files: zod\'s TypeScript sources and the fixtures', async () => {
  await loadTypeScriptStripper();
  const zod = createRequire(import.meta.url).resolve('zod/package.json').replace(/package\.json$/, '');
  const files = [`${zod}src/v4/core/schemas.ts`, `${zod}src/v4/classic/schemas.ts`, ...['app/main.ts', 'app/live.ts', 'app/node_modules/ts-cjs/index.ts', 'kinds/where.mts'].map(f => `${fixtureRoot('typescript')}${f}`)];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const stripped = stripTypeScript(text, file);
    assert.equal(stripped.length, text.length, file);
    const lines = text.split('\n');
    const out = stripped.split('\n');
    assert.equal(out.length, lines.length, file);
    // Whatever is not blanked stays where it was (amaro may add a `;` in a blank, where ASI needs one).
    for (let i = 0; i < lines.length; i += 1) {
      for (let c = 0; c < out[i].length; c += 1) {
        if (out[i][c] !== ' ' && out[i][c] !== ';') assert.equal(out[i][c], lines[i][c], `${file}:${i + 1}:${c + 1}`);
      }
    }
  }
});

const refused = [
  ['an enum', 'const a: number = 1;\n  enum Color { Red, Green }\n', 2, 2],
  ['a const enum', '\nconst enum Flag { On }\n', 2, 0],
  ['a namespace with values', 'let x = 1;\nnamespace N { export const y = 1; }\n', 2, 0],
  ['a parameter property', 'class A {\n  constructor(private readonly x: number) {}\n}\n', 2, 31], // at its name, as Node reports it
  ['import x = require()', '\n\nimport fs = require("fs");\n', 3, 0],
  ['export =', 'const v = 1;\nexport = v;\n', 2, 0],
  ['an angle-bracket assertion', 'let y: unknown = 1;\nlet z = <number>y;\n', 2, 8],
];

for (const [what, text, line, column] of refused) {
  test(`${what} is refused: CORDON_TYPESCRIPT_UNSUPPORTED at its file, line and column`, async () => {
    await loadTypeScriptStripper();
    assert.throws(
      () => defaultParserForLanguage.mts.parse(encode(text), './bad.ts', 'file:///app/bad.ts', 'file:///app/'),
      error => {
        assert.ok(error instanceof CordonError);
        assert.equal(error.code, 'CORDON_TYPESCRIPT_UNSUPPORTED');
        assert.equal(error.file, 'file:///app/bad.ts');
        assert.equal(error.line, line);
        assert.equal(error.column, column);
        assert.match(error.message, new RegExp(`at file:///app/bad\\.ts:${line}:${column + 1}\\)$`));
        return true;
      },
    );
  });
}

test('what is only a type is stripped: declare enum, declare namespace, type-only namespaces, declare fields, this parameters', async () => {
  await loadTypeScriptStripper();
  const text = 'declare enum E { A }\ndeclare namespace D { const x: 1 }\nnamespace T { export type U = 1 }\nclass C { declare f: number; m(this: C, a?: number): void {} }\nexport { C };\n';
  const { record } = defaultParserForLanguage.mts.parse(encode(text), './ok.ts', 'file:///app/ok.ts', 'file:///app/');
  assert.deepEqual([...record.exports], ['C']);
});

test('invalid TypeScript is CORDON_SYNTAX_ERROR with its line and column', async () => {
  await loadTypeScriptStripper();
  assert.throws(() => defaultParserForLanguage.cts.parse(encode('const ok = 1;\nlet x: = 2;\n'), './s.cts', 'file:///app/s.cts', 'file:///app/'), {
    code: 'CORDON_SYNTAX_ERROR',
    file: 'file:///app/s.cts',
    line: 2,
    column: 7,
  });
});

test('.tsx: stripped as TypeScript; JSX is refused with CORDON_TYPESCRIPT_JSX at its <', async () => {
  await loadTypeScriptStripper();
  const plain = defaultParserForLanguage.mts.parse(encode('export const id = <T,>(v: T): T => v;\n'), './p.tsx', 'file:///app/p.tsx', 'file:///app/');
  assert.deepEqual([...plain.record.exports], ['id']);
  assert.throws(() => defaultParserForLanguage.mts.parse(encode('const n: string = "a";\nexport const v = (n: string) =>\n    <div title={n}>hi</div>;\n'), './v.tsx', 'file:///app/v.tsx', 'file:///app/'), {
    code: 'CORDON_TYPESCRIPT_JSX',
    file: 'file:///app/v.tsx',
    line: 3,
    column: 4,
  });
  // The same text in a .ts file is a syntax error, not a JSX refusal.
  assert.throws(() => defaultParserForLanguage.mts.parse(encode('export const v = <div title="x">hi</div>;\n'), './v.ts', 'file:///app/v.ts', 'file:///app/'), error => error.code !== 'CORDON_TYPESCRIPT_JSX');
});

test('a stripped module is stripped once for the language check and the compile (kept by its bytes)', async () => {
  await loadTypeScriptStripper();
  const bytes = encode('export const once: number = 1;\n');
  const first = stripTypeScript(decode(bytes), 'file:///app/o.ts', bytes);
  assert.equal(stripTypeScript('something else entirely', 'file:///app/o.ts', bytes), first);
});

test("the compile cache's fingerprint names amaro's version: another stripper never reads this one's entries", async () => {
  const crypto = await import('node:crypto');
  const os = await import('node:os');
  const path = await import('node:path');
  const dist = new URL('../../dist/', import.meta.url);
  // A copy of the store beside a compile stage and parser packages whose versions the test sets.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-ts-fingerprint-'));
  fs.cpSync(new URL('compile/', dist), path.join(root, 'dist/compile'), { recursive: true });
  fs.cpSync(new URL('powers/node-cache.js', dist), path.join(root, 'dist/powers/node-cache.js'));
  const fingerprintWith = async amaro => {
    for (const [name, version] of Object.entries({ meriyah: '1.0.0', 'cjs-module-lexer': '1.0.0', 'magic-string': '1.0.0', amaro })) {
      fs.mkdirSync(path.join(root, 'node_modules', name), { recursive: true });
      fs.writeFileSync(path.join(root, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
    }
    const { makeNodeCompileCache } = await import(`${new URL(`file://${root}/dist/powers/node-cache.js`).href}?amaro=${amaro}`);
    return makeNodeCompileCache({ fs, crypto, directory: path.join(root, 'cache') }).fingerprint;
  };
  const one = await fingerprintWith('1.2.1');
  assert.equal(await fingerprintWith('1.2.1'), one);
  assert.notEqual(await fingerprintWith('1.3.0'), one);
});
