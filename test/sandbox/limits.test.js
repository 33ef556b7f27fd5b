// Guests stopped at their limits: memory bombs (a growing array, filled Buffers, a doubling string) at
// --max-memory, a synchronous loop and a microtask loop at --max-cpu; each through createSandbox and
// through the CLI hook. Every bomb gives up on its own (≈ 1 GB, or 10 s) and says "survived", so with a
// limit switched off its test fails instead of eating the machine; a watchdog fails any guest still
// running after 20 s.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSandbox, extractLimitFlags, checkLimits, EXIT_CPU, EXIT_MEMORY, readProcSample, hasProcFs } from '../../dist/sandbox.js';

const app = name => fileURLToPath(new URL(`../fixtures/sandbox/${name}/main.js`, import.meta.url));
const host = fileURLToPath(new URL('../fixtures/sandbox/host.mjs', import.meta.url));
const WATCHDOG_MS = 20000;

/** Runs a fixture app in `sandbox`; collects (at most 64 KB of) stdout and stderr; kills it at the watchdog. */
const runGuest = async (sandbox, name, options = {}) => {
  const execution = sandbox.run(app(name), options);
  let stdout = '';
  let stderr = '';
  execution.stdout.on('data', chunk => { if (stdout.length < 65536) stdout += chunk; });
  execution.stderr.on('data', chunk => { if (stderr.length < 65536) stderr += chunk; });
  let timedOut = false;
  const watchdog = setTimeout(() => { timedOut = true; execution.kill('kill'); }, WATCHDOG_MS);
  const exit = await execution.exited;
  clearTimeout(watchdog);
  assert.equal(timedOut, false, `${name} was still running after ${WATCHDOG_MS} ms`);
  return { exit, stdout, stderr };
};

/** Runs the CLI-hook host (test/fixtures/sandbox/host.mjs) with `args`; stdout is counted and dropped. */
const runHost = (args, { onStdout } = {}) => new Promise((resolve, reject) => {
  const child = spawn(process.execPath, [host, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', chunk => { if (stdout.length < 65536) stdout += chunk; onStdout?.(chunk, child); });
  child.stderr.on('data', chunk => { if (stderr.length < 65536) stderr += chunk; });
  const watchdog = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the host was still running after ${WATCHDOG_MS} ms: ${stderr}`)); }, WATCHDOG_MS);
  child.on('error', reject);
  child.on('close', (code, signal) => { clearTimeout(watchdog); resolve({ code, signal, stdout, stderr }); });
});

const memoryMessage = limit => new RegExp(`the application exceeded --max-memory=${limit} \\(MB\\)`);

for (const bomb of ['array-bomb', 'buffer-bomb', 'string-bomb']) {
  test(`${bomb} is stopped by memoryMb 64: reason memory, exit ${EXIT_MEMORY}, a message naming the limit; the host goes on`, async () => {
    const { exit, stdout } = await runGuest(createSandbox({ limits: { memoryMb: 64 } }), bomb);
    assert.doesNotMatch(stdout, /survived/);
    assert.equal(exit.reason, 'memory', JSON.stringify(exit));
    assert.equal(exit.code, EXIT_MEMORY);
    assert.match(exit.message, memoryMessage(64));
    assert.ok(exit.usage.peakRssMb > 0);
  });
}

test('V8 running out of the heap that memoryMb sets (the resident-memory watch out of the way) is reported as the memory limit', async () => {
  // runtimeMb: 4000 puts the resident ceiling far above the heap cap, so V8's own abort comes first.
  for (const bomb of ['array-bomb', 'string-bomb']) {
    const { exit, stdout, stderr } = await runGuest(createSandbox({ limits: { memoryMb: 64, runtimeMb: 4000 } }), bomb);
    assert.doesNotMatch(stdout, /survived/);
    assert.match(stderr, /heap out of memory/);
    assert.equal(exit.reason, 'memory', JSON.stringify(exit));
    assert.equal(exit.code, EXIT_MEMORY);
    assert.match(exit.message, /V8: heap out of memory/);
  }
});

for (const loop of ['cpu-loop', 'microtask-loop']) {
  test(`${loop} is stopped by cpuSeconds 1: reason cpu, exit ${EXIT_CPU}, a message naming the limit`, async () => {
    const { exit, stdout } = await runGuest(createSandbox({ limits: { cpuSeconds: 1 } }), loop);
    assert.match(stdout, /spinning/);
    assert.doesNotMatch(stdout, /survived/);
    assert.equal(exit.reason, 'cpu', JSON.stringify(exit));
    assert.equal(exit.code, EXIT_CPU);
    assert.equal(exit.code, 124);
    assert.match(exit.message, /the application exceeded --max-cpu=1 \(seconds of CPU time\)/);
    assert.ok(exit.usage.cpuSeconds > 1);
  });
}

test('with the guest reporting its own usage (the monitor used where there is no /proc) the limits hold too', async () => {
  const sandbox = createSandbox({ limits: { memoryMb: 64, cpuSeconds: 1 }, monitor: 'report' });
  const memory = await runGuest(sandbox, 'buffer-bomb');
  assert.equal(memory.exit.reason, 'memory', JSON.stringify(memory.exit));
  assert.equal(memory.exit.code, EXIT_MEMORY);
  const cpu = await runGuest(sandbox, 'cpu-loop');
  assert.equal(cpu.exit.reason, 'cpu', JSON.stringify(cpu.exit));
  assert.equal(cpu.exit.code, EXIT_CPU);
});

test('a guest within its limits runs to the end with its own exit code and no reason', async () => {
  const { exit, stdout } = await runGuest(createSandbox({ limits: { memoryMb: 64, cpuSeconds: 20 } }), 'exit-code', { argv: ['5'] });
  assert.match(stdout, /exiting with 5/);
  assert.deepEqual([exit.code, exit.signal, exit.reason, exit.message], [5, null, undefined, undefined]);
});

test('the CLI hook: --max-memory=64 stops a bomb with one message on stderr and exit 137; --max-cpu=1 stops a loop with exit 124; the host survives both', async () => {
  const memory = await runHost(['--max-memory=64', app('buffer-bomb')]);
  assert.equal(memory.code, EXIT_MEMORY, memory.stderr);
  assert.equal(memory.stderr.match(/cordon: the application exceeded --max-memory=64 \(MB\)/g)?.length, 1, memory.stderr);
  assert.match(memory.stderr, /host: alive, guest exit 137/);
  assert.doesNotMatch(memory.stdout, /survived/);
  const array = await runHost(['--max-memory=64', app('array-bomb')]);
  assert.equal(array.code, EXIT_MEMORY, array.stderr);
  assert.match(array.stderr, memoryMessage(64));
  const cpu = await runHost(['--max-cpu=1', app('microtask-loop')]);
  assert.equal(cpu.code, EXIT_CPU, cpu.stderr);
  assert.match(cpu.stderr, /cordon: the application exceeded --max-cpu=1 \(seconds of CPU time\)/);
  assert.match(cpu.stderr, /host: alive, guest exit 124/);
});

test('limit flags: parsed before -- only, values after =, checked', () => {
  assert.deepEqual(extractLimitFlags(['--max-memory=128', '-C', 'x', '--max-cpu=1.5', 'app.js', '--', '--max-cpu=9']), {
    limits: { memoryMb: 128, cpuSeconds: 1.5, runtimeMb: undefined },
    runArgs: ['-C', 'x', 'app.js', '--', '--max-cpu=9'],
  });
  assert.deepEqual(extractLimitFlags(['app.js']), { limits: undefined, runArgs: ['app.js'] });
  for (const bad of [['--max-memory'], ['--max-memory=abc'], ['--max-memory=8'], ['--max-memory=64.5'], ['--max-cpu=0'], ['--max-cpu=-1'], ['--max-cpu=']]) {
    assert.throws(() => extractLimitFlags(bad), { code: 'CORDON_INVALID_ARGUMENT' }, bad.join(' '));
  }
  assert.throws(() => checkLimits({ cpuSeconds: Number.POSITIVE_INFINITY }), { code: 'CORDON_INVALID_ARGUMENT' });
  assert.throws(() => createSandbox({ limits: { memoryMb: '64' } }), { code: 'CORDON_INVALID_ARGUMENT' });
});

test('/proc samples of this process: CPU seconds and resident bytes (none where there is no /proc)', () => {
  if (!hasProcFs()) return assert.equal(readProcSample(process.pid), undefined);
  const sample = readProcSample(process.pid);
  assert.ok(sample.cpuSeconds > 0);
  assert.ok(sample.rssBytes > 10 * 1024 * 1024);
  assert.equal(readProcSample(2 ** 22 + 12345), undefined);
});
