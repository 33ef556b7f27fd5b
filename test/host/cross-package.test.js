// End to end through `cordon run` (fixture host-run): package a is granted the read of its own
// config.json; package b (granted nothing) imports a and tries to reach a's grant. a's own read works;
// each of b's attempts fails with ERR_ACCESS_DENIED naming b, or does not reach the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const entry = fileURLToPath(new URL('../fixtures/host-run/app/main.js', import.meta.url));
const configFile = fileURLToPath(new URL('../fixtures/host-run/app/node_modules/a/config.json', import.meta.url));
const CONFIG = fs.readFileSync(configFile, 'utf8');

const runCross = (flags = [`--allow-read=a=${configFile}`]) => {
  const result = spawnSync(process.execPath, [cli, 'run', ...flags, entry, '--', 'cross'], {
    encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
};

const deniedToB = attempt => {
  assert.equal(attempt.code, 'ERR_ACCESS_DENIED', JSON.stringify(attempt));
  assert.equal(attempt.package, 'b');
  assert.match(attempt.message, /Package b /);
};

const notTheFile = attempt => assert.ok(attempt.ok !== CONFIG && !JSON.stringify(attempt.ok ?? null).includes('its own configuration'), JSON.stringify(attempt));

test('a reads its own config; its helper reads that file and no other, whatever b passes', () => {
  const report = runCross();
  assert.deepEqual(report.a, { ok: CONFIG });
  assert.deepEqual(report.b.helper, { ok: CONFIG });
  assert.deepEqual(report.b.helperWidened, { ok: CONFIG });
});

test('b\'s own fs, node:fs, process.getBuiltinModule(\'fs\') and createRequire(…)(\'fs\') are b\'s, and denied', () => {
  const { b } = runCross();
  deniedToB(b.ownFs);
  deniedToB(b.nodeFs);
  deniedToB(b.getBuiltinModule);
  deniedToB(b.createRequire);
  // Loading a's module file outside the compartments (to get a's fs) needs all of run.
  deniedToB(b.createRequireOfA);
});

test('b cannot reach a\'s fs through require.cache or a\'s Function constructor', () => {
  const { b } = runCross();
  notTheFile(b.requireCache);
  notTheFile(b.functionConstructor);
});

test('b replacing functions on its own fs or path does not change what a reads', () => {
  const report = runCross();
  assert.deepEqual(report.b.replaceOwnFs.ok?.config, CONFIG, JSON.stringify(report.b.replaceOwnFs));
  assert.deepEqual(report.b.replaceOwnFs.ok.seen.filter(file => file.includes('config.json')), []);
  // a works its path out at each call with path.join: b's replacement must not redirect it.
  assert.ok(report.b.replacePathJoin.ok === CONFIG || /could not replace/.test(report.b.replacePathJoin.ok ?? ''), JSON.stringify(report.b.replacePathJoin));
  assert.deepEqual(report.aAfter, { ok: CONFIG });
});

test('b cannot load the host\'s fs through the module builtin (_load, Module._load, Module.prototype.require)', () => {
  const { b } = runCross();
  deniedToB(b.moduleLoad);
  deniedToB(b.moduleModuleLoad);
  // The package's `module` is a fresh object: it has no `prototype` at all (the host's Module.prototype is not reachable).
  notTheFile(b.modulePrototypeRequire);
  assert.match(b.modulePrototypeRequire.message, /Cannot read properties of undefined \(reading 'require'\)/);
});
