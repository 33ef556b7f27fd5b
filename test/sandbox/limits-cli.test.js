// `cordon run --max-memory / --max-cpu` end to end, through the real CLI (src/cli/main.ts calls the
// sandbox's runIfLimited): bombs and loops stopped with the message and exit code, the exit code and
// stdin passed through, SIGINT to cordon forwarded to the application once, grants reaching the guest,
// and the guest mark not visible to the application. A watchdog fails any run still going after 20 s.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const app = name => fileURLToPath(new URL(`../fixtures/sandbox/${name}/main.js`, import.meta.url));
const WATCHDOG_MS = 20000;

const cordonRun = (args, { stdin = '', onStdout, env = {} } = {}) => new Promise((resolve, reject) => {
  const child = spawn(process.execPath, [cli, 'run', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  child.stdin.on('error', () => {});
  child.stdin.end(stdin);
  let stdout = '';
  let bytes = 0;
  let stderr = '';
  child.stdout.on('data', chunk => {
    bytes += chunk.length;
    if (stdout.length < 65536) stdout += chunk;
    onStdout?.(stdout, child);
  });
  child.stderr.on('data', chunk => { if (stderr.length < 65536) stderr += chunk; });
  const watchdog = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`cordon run was still running after ${WATCHDOG_MS} ms: ${stderr}`)); }, WATCHDOG_MS);
  child.on('error', reject);
  child.on('close', (code, signal) => { clearTimeout(watchdog); resolve({ code, signal, stdout, stderr, bytes }); });
});

for (const bomb of ['array-bomb', 'buffer-bomb', 'string-bomb']) {
  test(`cordon run --max-memory=64 ${bomb}: one message naming the limit, exit 137`, async () => {
    const result = await cordonRun(['--max-memory=64', app(bomb)]);
    assert.equal(result.code, 137, result.stderr);
    assert.equal(result.stderr.match(/cordon: the application exceeded --max-memory=64 \(MB\): /g)?.length, 1, result.stderr);
    assert.doesNotMatch(result.stdout, /survived/);
  });
}

for (const loop of ['cpu-loop', 'microtask-loop']) {
  test(`cordon run --max-cpu=1 ${loop}: a message naming the limit, exit 124`, async () => {
    const result = await cordonRun(['--max-cpu=1', app(loop)]);
    assert.equal(result.code, 124, result.stderr);
    assert.match(result.stderr, /cordon: the application exceeded --max-cpu=1 \(seconds of CPU time\)/);
    assert.match(result.stdout, /spinning/);
    assert.doesNotMatch(result.stdout, /survived/);
  });
}

test('cordon run --max-cpu=0.5 --max-memory=100: decimals; a guest within its limits keeps its exit code, argv and stdin', async () => {
  const coded = await cordonRun(['--max-cpu=20', '--max-memory=100', app('exit-code'), '--', '6']);
  assert.equal(coded.code, 6, coded.stderr);
  assert.match(coded.stdout, /exiting with 6/);
  const echo = await cordonRun(['--max-memory=64', app('echo')], { stdin: 'typed in\n' });
  assert.equal(echo.code, 0, echo.stderr);
  assert.equal(echo.stdout, 'echo: typed in\n');
  const tight = await cordonRun(['--max-cpu=0.5', app('cpu-loop')]);
  assert.equal(tight.code, 124, tight.stderr);
  assert.match(tight.stderr, /--max-cpu=0\.5/);
});

test('cordon run --max-memory with a flood of 128 MB on stdout: all of it passes, exit 0', async () => {
  const result = await cordonRun(['--max-memory=64', app('flood'), '--', '128']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.bytes, 128 * 1024 * 1024);
});

test('SIGINT to cordon run --max-cpu reaches the application once (its handler runs); without a handler, exit 130', async () => {
  const interrupt = (text, child) => { if (text.includes('ready') && !child.sent) { child.sent = true; child.kill('SIGINT'); } };
  const handled = await cordonRun(['--max-cpu=20', app('signal')], { onStdout: interrupt });
  assert.equal(handled.code, 42, handled.stderr);
  assert.equal(handled.stdout.match(/got SIGINT/g)?.length, 1);
  const unhandled = await cordonRun(['--max-cpu=20', app('signal'), '--', 'nohandler'], { onStdout: interrupt });
  assert.equal(unhandled.code, 130, unhandled.stderr);
});

test('grants reach the guest; the guest mark is not in the application\'s environment even when env is granted', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-limits-'));
  const file = path.join(dir, 'data.txt');
  fs.writeFileSync(file, 'sandboxed read');
  const granted = await cordonRun([`--allow-read=${dir}`, '--max-memory=64', app('info'), '--', 'read', file]);
  assert.equal(granted.code, 0, granted.stderr);
  assert.equal(JSON.parse(granted.stdout).file, 'sandboxed read');
  const denied = await cordonRun(['--max-memory=64', app('info'), '--', 'read', file]);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /--allow-read/);
  const mark = await cordonRun(['--allow-env', '--max-cpu=20', app('info'), '--', 'env', 'CORDON_SANDBOX_GUEST']);
  assert.equal(mark.code, 0, mark.stderr);
  assert.equal(JSON.parse(mark.stdout).value, null);
});

test('bad limit values are refused before anything runs', async () => {
  for (const flag of ['--max-memory=8', '--max-memory=abc', '--max-cpu=0']) {
    const result = await cordonRun([flag, app('exit-code'), '--', '0']);
    assert.notEqual(result.code, 0, flag);
    assert.doesNotMatch(result.stdout, /exiting/, flag);
  }
});
