// `cordon run`, spawned as a user would run it, on fixture apps.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const fixture = relative => fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));
const run = (args, env = {}) => spawnSync(process.execPath, [cli, 'run', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });

test('cordon run passes argv as node would, keeps require.main, grants Node globals, returns the exit code', () => {
  const entry = fixture('cli-app/app/main.js');
  const result = run(['--allow-env=CORDON_TEST_EXIT', entry, '--', 'a', '--b'], { CORDON_TEST_EXIT: '3' });
  assert.equal(result.status, 3, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), {
    argv: ['a', '--b'],
    argv1IsEntry: true,
    isMain: true,
    flavor: 'plain',
    now: 'number',
    random: 'number',
    global: 'function',
  });
});

test('--condition selects exports conditions; --dev grants the entry\'s devDependencies', () => {
  const entry = fixture('cli-app/app/main.js');
  const custom = run(['-C', 'custom', entry]);
  assert.equal(custom.status, 0, custom.stderr);
  assert.equal(JSON.parse(custom.stdout).flavor, 'custom');
  const withoutDev = run([entry, '--', '--use-dev']);
  assert.notEqual(withoutDev.status, 0);
  assert.match(withoutDev.stderr, /devtool/);
  const withDev = run(['--dev', entry, '--', '--use-dev']);
  assert.equal(withDev.status, 0, withDev.stderr);
  assert.equal(JSON.parse(withDev.stdout).dev, 'dev tool');
});

test('a Cordon error is printed with its code, package chain, specifier, file and hint; exit 1', () => {
  const result = run([fixture('undeclared/app/main.js')]);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /CORDON_LOAD_FAILED/);
  assert.match(result.stderr, /CORDON_UNDECLARED_DEPENDENCY/);
  assert.match(result.stderr, /package: sneaky/);
  assert.match(result.stderr, /specifier: secret/);
  assert.match(result.stderr, /file: file:\/\/.*sneaky\/index\.js/);
  assert.match(result.stderr, /hint: Add the imported package/);
});

test('the app runs confined: globals are per package, undeclared imports are refused, the rest works', () => {
  const result = spawnSync(process.execPath, [cli, 'run', fileURLToPath(new URL('../../examples/demo-app/main.js', import.meta.url))], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /snoop read globalThis.appConfig: +nothing \(undefined\)/);
  assert.match(result.stdout, /refused: CORDON_UNDECLARED_DEPENDENCY/);
  assert.match(result.stdout, /Hello, Ada!/);
});

test('usage: a missing entry is exit 2', () => {
  assert.equal(run([]).status, 2);
  assert.equal(run(['/no/such/file.js']).status, 2);
});
