// Top-level await in confined ES modules, with Node's ordering: each case of test/helpers/tla-cases.js
// is a real file tree; `node main.mjs` on the Node that runs this test prints the reference lines, and
// Cordon must print the same lines in the same order — through `cordon run` (a child process), through
// importLocation with builtins given as `modules`, through `importHook`, `importNowHook`, both hooks and
// with only `globals` granted, from archives at three kinds of location, as each bundle format, and as
// scripts and functors (Cordon's own linker).
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import { TLA_CASES, caseFiles } from '../helpers/tla-cases.js';
import { writeTree } from '../helpers/fixtures.js';

const cli = url.fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const runner = url.fileURLToPath(new URL('../helpers/tla-run.js', import.meta.url));
const names = Object.keys(TLA_CASES);
const roots = Object.fromEntries(names.map(name => [name, writeTree(caseFiles(name), `cordon-tla-${name}-`)]));
const linesOf = text => text.split('\n').filter(line => line !== '');

const reference = Object.fromEntries(
  names.map(name => {
    const result = spawnSync(process.execPath, [path.join(roots[name], 'main.mjs')], { encoding: 'utf8', timeout: 20_000 });
    return [name, linesOf(result.stdout)];
  }),
);

test("Node's own answers are what the cases are about (so a wrong order cannot pass unseen)", () => {
  assert.deepEqual(reference.sibling, ['a start', 'b', 'a end', 'c 1', 'main y1']);
  assert.deepEqual(reference['shared-wait'].slice(0, 3), ['slow start', 'q (no wait)', 'slow end']);
  assert.deepEqual(reference.rejection, ['bad start', 'q runs', 'x failed: boom', 'y true', 'bad again: boom']);
  assert.equal(reference.cycle.at(-1), 'main A AB');
  assert.deepEqual(reference['require-async'], ['lib ERR_REQUIRE_ASYNC_MODULE', 'main plain ERR_REQUIRE_ASYNC_MODULE']);
  for (const name of names) assert.ok(reference[name].length > 1, name);
});

test('cordon run prints what node prints, for every case', () => {
  for (const name of names) {
    const result = spawnSync(process.execPath, [cli, 'run', path.join(roots[name], 'main.mjs')], { encoding: 'utf8', timeout: 30_000 });
    assert.deepEqual(linesOf(result.stdout), reference[name], `${name}: ${result.stderr}`);
    assert.equal(result.status, 0, `${name}: ${result.stderr}`);
  }
});

const rootsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-tla-run-')), 'roots.json');
fs.writeFileSync(rootsFile, JSON.stringify(roots));

const MODES = ['modules', 'importHook', 'importNowHook', 'hooks', 'globals-only', 'archive:memory', 'archive:bare', 'archive:file', 'bundle'];
MODES.push('bundle:endoScript', 'bundle:nestedEvaluate', 'bundle:getExport', 'script', 'script:evaluate', 'functor');
for (const mode of MODES) {
  test(`${mode}: every case prints what node prints`, () => {
    const out = path.join(path.dirname(rootsFile), `${mode.replace(':', '-')}.json`);
    execFileSync(process.execPath, [runner, mode, rootsFile, out], { stdio: 'inherit', timeout: 120_000 });
    const results = JSON.parse(fs.readFileSync(out, 'utf8'));
    for (const name of names) assert.deepEqual(results[name], reference[name], `${mode}, ${name}`);
  });
}
