// `cordon compile`, spawned as a user would run it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const cli = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const run = (...args) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-cli-'));
const file = (name, text) => {
  const full = path.join(tmp, name);
  fs.writeFileSync(full, text);
  return full;
};

test('cordon compile prints the SES program of an ES module', () => {
  const result = run('compile', file('a.mjs', 'import x from "./x.js";\nexport const y = x;\n'));
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^\(function\(\{imports:\$cordon_imports/);
  assert.match(result.stdout, /\$cordon_once\.y\(y\)/);
});

test('cordon compile --record prints the pre-cjs-json record of a CommonJS module', () => {
  const result = run('compile', '--record', file('b.cjs', 'exports.k = require("./k");'));
  assert.equal(result.status, 0, result.stderr);
  const record = JSON.parse(result.stdout);
  assert.deepEqual(record.imports, ['./k']);
  assert.deepEqual(record.exports, ['k', 'default']);
});

test('a Cordon error prints its code and hint and exits 1', () => {
  const result = run('compile', file('c.mjs', 'const a = 1;\nconst = 2;\n'));
  assert.equal(result.status, 1);
  assert.match(result.stderr, /CORDON_SYNTAX_ERROR/);
  assert.match(result.stderr, /c\.mjs:2:7/);
  assert.match(result.stderr, /hint: /);
});

test('usage errors exit 2; --version and --help exit 0', () => {
  assert.equal(run('compile').status, 2);
  assert.equal(run('frobnicate').status, 2);
  assert.equal(run('--help').status, 0);
  const version = run('--version');
  assert.equal(version.status, 0);
  assert.equal(version.stdout.trim(), JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url))).version);
});
