// `cordon run` of TypeScript, spawned as a user runs it: a .ts entry and .ts packages, an uncaught error's
// stack, module kinds against Node's own (where Node strips types), a refused enum, an archive of a
// TypeScript app, the compile cache (a warm run of a typed app never loads the stripper), dynamic requires.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeTree } from '../helpers/fixtures.js';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const fixture = relative => fileURLToPath(new URL(`../fixtures/typescript/${relative}`, import.meta.url));
const cordon = (args, env = {}) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
const run = args => cordon(['run', '--no-cache', ...args]);

/** `line:column` of `new Error` on the line holding `marker`. */
const positionOf = (relative, marker) => {
  const lines = fs.readFileSync(fixture(relative), 'utf8').split('\n');
  const index = lines.findIndex(line => line.includes(marker));
  return `${index + 1}:${lines[index].indexOf('new Error') + 1}`;
};
const APP = positionOf('app/main.ts', 'ts-app-fail');
const CJS = positionOf('app/node_modules/ts-cjs/index.ts', 'ts-cjs-fail');
const ESM = positionOf('app/node_modules/ts-esm/index.ts', 'ts-esm-fail');

test('cordon run of a .ts entry: the app and its TypeScript packages run; frames and an uncaught error name each .ts file at its line and column', () => {
  const result = run([fixture('app/run.ts')]);
  assert.equal(result.status, 0, result.stderr);
  const { results, frames } = JSON.parse(result.stdout);
  assert.equal(results.area, '6 cm');
  assert.deepEqual(results.live, [0, 5]);
  assert.deepEqual(results.typeless, ['cjs', 'esm']);
  assert.equal(results.url, pathToFileURL(fixture('app/main.ts')).href);
  assert.ok(frames[0].endsWith(`${pathToFileURL(fixture('app/main.ts')).href}:${APP})`), frames[0]);
  assert.ok(frames[1].endsWith(`${fixture('app/node_modules/ts-cjs/index.ts')}:${CJS})`), frames[1]);
  assert.ok(frames[2].endsWith(`${pathToFileURL(fixture('app/node_modules/ts-esm/index.ts')).href}:${ESM})`), frames[2]);
  const uncaught = run([fixture('app/run.ts'), '--', '--uncaught']);
  assert.equal(uncaught.status, 1);
  assert.match(uncaught.stderr, /Error: ts-app-fail 2 uncaught/);
  assert.ok(uncaught.stderr.includes(`main.ts:${APP})`), uncaught.stderr);
});

test('module kinds as Node gives them (.mts, .cts, .ts by type, nested type, typeless detected on the stripped text), compared with Node where it strips types', () => {
  const result = run([fixture('kinds/main.mts')]);
  assert.equal(result.status, 0, result.stderr);
  const got = JSON.parse(result.stdout);
  assert.deepEqual(got.kinds, { mts: 'esm', cts: 'cjs', byType: 'cjs', moduleScope: 'esm', typeOnly: 'cjs', detected: 'esm' });
  assert.equal(got.where, `where.mts:${positionOf('kinds/where.mts', "'where'")}`);
  if (process.features.typescript) {
    const node = spawnSync(process.execPath, [fixture('kinds/main.mts')], { encoding: 'utf8' });
    assert.equal(node.status, 0, node.stderr);
    assert.deepEqual(JSON.parse(node.stdout), got);
  }
});

test('an enum is refused: exit 1, CORDON_TYPESCRIPT_UNSUPPORTED naming the file, line and column', () => {
  const result = run([fixture('refused/enum-entry.ts')]);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /CORDON_TYPESCRIPT_UNSUPPORTED/);
  assert.ok(result.stderr.includes(`${pathToFileURL(fixture('refused/colors.ts')).href}:4:3`), result.stderr);
  assert.equal(result.stdout, '');
});

test('cordon pack of a .ts entry, then cordon run of the archive: the same results, frames naming the archived .ts files', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-ts-pack-')), 'app.zip');
  const packed = cordon(['pack', fixture('app/run.ts'), '-o', out]);
  assert.equal(packed.status, 0, packed.stderr);
  const result = run([out]);
  assert.equal(result.status, 0, result.stderr);
  const { results, frames } = JSON.parse(result.stdout);
  assert.deepEqual(results.live, [0, 5]);
  assert.equal(results.url, `${pathToFileURL(out).href}/ts-app-v1.0.0/main.ts`);
  assert.ok(frames[0].endsWith(`/ts-app-v1.0.0/main.ts:${APP})`), frames[0]);
  assert.ok(frames[1].endsWith(`/ts-cjs-v1.0.0/index.ts:${CJS})`), frames[1]);
  assert.ok(frames[2].endsWith(`/ts-esm-v1.0.0/index.ts:${ESM})`), frames[2]);
});

test('the compile cache serves TypeScript whole: a warm run of a typed app does not even load the stripper', () => {
  const root = writeTree({ 'package.json': '{"name":"typed","version":"1.0.0","type":"module"}', 'main.ts': "import { n } from './n.mts';\nconst twice: number = n * 2;\nconsole.log(twice);\n", 'n.mts': 'export const n: number = 21;\n' }, 'cordon-ts-typed-');
  const cache = path.join(root, 'cache');
  const traced = () => cordon(['run', '--cache', cache, path.join(root, 'main.ts')], { NODE_DEBUG: 'module' });
  const cold = traced();
  assert.equal(cold.status, 0, cold.stderr);
  assert.equal(cold.stdout, '42\n');
  assert.match(cold.stderr, /amaro/, 'the cold run loads the stripper');
  const warm = traced();
  assert.equal(warm.status, 0, warm.stderr);
  assert.equal(warm.stdout, '42\n');
  assert.doesNotMatch(warm.stderr, /amaro/, 'the warm run does not');
});

test('a computed require of TypeScript: refused (and said why) before any TypeScript was loaded, works after', () => {
  const first = run([fixture('dynamic/first.cjs')]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(JSON.parse(first.stdout).refused, /cannot wait for the TypeScript stripper/);
  const after = run([fixture('dynamic/after.cjs')]);
  assert.equal(after.status, 0, after.stderr);
  assert.deepEqual(JSON.parse(after.stdout), { early: 'early', late: 'late' });
});
