// `cordon inspect --lockdown [--debug] [--json]`, spawned: the shipped bundle's SHA-256 (the same as
// getLockdownBundleSHA256() and as sha256sum of the file), its size and ses version.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getDebugLockdownBundleSHA256, getLockdownBundleLock, getLockdownBundleSHA256 } from 'cordon/lockdown-bundle.js';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const bundleFile = name => fileURLToPath(new URL(`../../bundles/${name}`, import.meta.url));
const cordon = (...args) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

test('cordon inspect --lockdown prints the bundle\'s SHA-256, size and ses version', () => {
  const result = cordon('inspect', '--lockdown');
  assert.equal(result.status, 0, result.stderr);
  const hash = crypto.createHash('sha256').update(fs.readFileSync(bundleFile('lockdown.json'))).digest('hex');
  assert.equal(hash, getLockdownBundleSHA256());
  assert.match(result.stdout, new RegExp(`^sha256 +${hash}$`, 'm'));
  assert.match(result.stdout, new RegExp(`^size +${fs.statSync(bundleFile('lockdown.json')).size} bytes`, 'm'));
  assert.match(result.stdout, new RegExp(`^ses +${getLockdownBundleLock().inputs.ses.replace(/\./g, '\\.')}$`, 'm'));
  assert.equal(result.stderr, '');
});

test('cordon inspect --lockdown --debug --json describes the debug bundle', () => {
  const result = cordon('inspect', '--lockdown', '--debug', '--json');
  assert.equal(result.status, 0, result.stderr);
  const description = JSON.parse(result.stdout);
  assert.equal(description.sha256, getDebugLockdownBundleSHA256());
  assert.notEqual(description.sha256, getLockdownBundleSHA256());
  assert.equal(description.bytes, fs.statSync(bundleFile('lockdown-debug.json')).size);
  assert.equal(description.moduleFormat, 'nestedEvaluate');
  assert.equal(description.debug, true);
  assert.equal(JSON.parse(cordon('inspect', '--lockdown', '--json').stdout).sha256, getLockdownBundleSHA256());
});

test('cordon inspect without an archive or --lockdown is a usage error', () => {
  const result = cordon('inspect');
  assert.equal(result.status, 2);
  assert.match(result.stderr, /inspect needs one archive/);
});
