// End to end through `cordon run`: package runner of test/fixtures/host-run/ runs programs through its own
// child_process under --allow-run=runner=… (fixture: node_modules/runner/index.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const entry = fileURLToPath(new URL('../fixtures/host-run/app/main.js', import.meta.url));
const which = name => {
  for (const entryDir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(entryDir, name);
    if (entryDir !== '' && fs.existsSync(candidate)) return fs.realpathSync(candidate);
  }
  throw new Error(`${name} is not on PATH`);
};

/** `cordon run <flags> host-run/app/main.js -- <scenario>`; the app's JSON report. */
const runApp = (flags, scenario, env = {}) => {
  const result = spawnSync(process.execPath, [cli, 'run', ...flags, entry, '--', scenario], {
    encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
};

const isDenied = (attempt, pkg, resource) => {
  assert.equal(attempt.code, 'ERR_ACCESS_DENIED', JSON.stringify(attempt));
  assert.equal(attempt.package, pkg);
  if (resource !== undefined) assert.equal(attempt.resource, resource);
};

test('cordon run --allow-run=runner=echo: runner runs echo; cat, the shell, node, fork and workers are denied; so is the app', () => {
  const report = runApp(['--allow-run=runner=echo,runner=env', '--allow-env=PATH'], 'run', { CORDON_E2E_SECRET: 's3cr3t-value' });
  const { runner } = report;
  assert.deepEqual(runner.echo, { ok: 'hello from echo\n' });
  isDenied(runner.cat, 'runner', which('cat'));
  isDenied(runner.shell, 'runner', fs.realpathSync('/bin/sh'));
  isDenied(runner.shellTrue, 'runner', fs.realpathSync('/bin/sh'));
  isDenied(runner.node, 'runner', fs.realpathSync(process.execPath));
  isDenied(runner.fork, 'runner', fs.realpathSync(process.execPath));
  isDenied(runner.worker, 'runner', '*');
  assert.deepEqual(runner.probe, { ok: true });
  isDenied(report.root, '$root$', which('echo'));
  // The child's environment: PATH (granted), never the host's secret, inherited or passed.
  assert.match(runner.childEnv.ok, /^PATH=/m);
  assert.doesNotMatch(runner.childEnv.ok, /s3cr3t-value|CORDON_E2E_SECRET/);
  assert.doesNotMatch(runner.childEnvGiven.ok, /CORDON_E2E_SECRET/);
});

test('cordon run: the shell and node run once granted to runner, and only to runner', () => {
  const report = runApp([`--allow-run=runner=sh,runner=${process.execPath}`, '--allow-env=PATH'], 'run');
  assert.deepEqual(report.runner.shell, { ok: 'hi\nthere\n' });
  assert.deepEqual(report.runner.node, { ok: '1\n' });
  assert.deepEqual(report.runner.fork, { ok: 'object' });
  isDenied(report.runner.echo, 'runner', which('echo'));
  isDenied(report.root, '$root$', which('echo'));
});
