// End to end through `cordon run`: process.env of each package of test/fixtures/host-run/ under
// --allow-env=a=KEY: package a sees KEY; the app (its process global) and package b do not.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const entry = fileURLToPath(new URL('../fixtures/host-run/app/main.js', import.meta.url));
const runApp = (flags, scenario, env = {}) => {
  const result = spawnSync(process.execPath, [cli, 'run', ...flags, entry, '--', scenario], {
    encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
};

test('--allow-env=a=CORDON_E2E_KEY: only package a sees the key', () => {
  const report = runApp(['--allow-env=a=CORDON_E2E_KEY'], 'env', { CORDON_E2E_KEY: 'for-a-only' });
  assert.deepEqual(report, { a: 'for-a-only', keys: false }); // root: undefined (dropped by JSON)
  const cross = runApp(['--allow-env=a=CORDON_E2E_KEY'], 'cross', { CORDON_E2E_KEY: 'for-a-only' });
  // b reads it itself (undefined), and through a's helper (a's authority, handed over by a on purpose).
  assert.deepEqual(cross.b.envKey, { ok: [null, 'for-a-only'] });
});

test('a bare --allow-env shows the key to every package; --deny-env wins', () => {
  assert.deepEqual(runApp(['--allow-env'], 'env', { CORDON_E2E_KEY: 'all' }), { root: 'all', a: 'all', keys: true });
  assert.deepEqual(runApp(['--allow-env', '--deny-env=a=CORDON_E2E_KEY'], 'env', { CORDON_E2E_KEY: 'all' }), { root: 'all', keys: true });
});
