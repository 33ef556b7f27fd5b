// cordon/sandbox.js executions: lifecycle, argv / env / cwd, the exit code, stdin, an output flood,
// signals, permissions and fs forwarded to the guest's command line, a guest that cannot start; and the
// CLI hook's stdio and signal forwarding through a stand-in host. A watchdog fails any guest still
// running after 20 s.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSandbox, permissionArgs, GUEST_ENV } from '../../dist/sandbox.js';

const app = name => fileURLToPath(new URL(`../fixtures/sandbox/${name}/main.js`, import.meta.url));
const host = fileURLToPath(new URL('../fixtures/sandbox/host.mjs', import.meta.url));
const WATCHDOG_MS = 20000;

/** Starts a fixture app; collects (at most 64 KB of) stdout and stderr and the lifecycle; kills it at the watchdog. */
const start = (sandbox, name, options = {}, onStdout) => {
  const execution = sandbox.run(app(name), options);
  const seen = { stdout: '', stderr: '', lifecycle: [] };
  execution.on('lifecycle', event => seen.lifecycle.push(event));
  execution.stdout.on('data', chunk => { if (seen.stdout.length < 65536) seen.stdout += chunk; onStdout?.(seen.stdout, execution); });
  execution.stderr.on('data', chunk => { if (seen.stderr.length < 65536) seen.stderr += chunk; });
  let timedOut = false;
  const watchdog = setTimeout(() => { timedOut = true; execution.kill('kill'); }, WATCHDOG_MS);
  const done = execution.exited.then(exit => {
    clearTimeout(watchdog);
    assert.equal(timedOut, false, `${name} was still running after ${WATCHDOG_MS} ms`);
    return { exit, ...seen };
  });
  return { execution, done };
};

const runHost = (args, { onStdout, countOnly = false, stdin = '' } = {}) => new Promise((resolve, reject) => {
  const child = spawn(process.execPath, [host, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => {});
  child.stdin.end(stdin);
  let stdout = '';
  let bytes = 0;
  let stderr = '';
  child.stdout.on('data', chunk => {
    bytes += chunk.length;
    if (!countOnly && stdout.length < 65536) stdout += chunk;
    onStdout?.(stdout, child);
  });
  child.stderr.on('data', chunk => { if (stderr.length < 65536) stderr += chunk; });
  const watchdog = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the host was still running after ${WATCHDOG_MS} ms: ${stderr}`)); }, WATCHDOG_MS);
  child.on('error', reject);
  child.on('close', (code, signal) => { clearTimeout(watchdog); resolve({ code, signal, stdout, stderr, bytes, child }); });
});

test('lifecycle starting → ready (pid) → terminated; argv, env and cwd reach the guest; the exit code is the guest\'s', async () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-sandbox-'));
  const sandbox = createSandbox({ permissions: { allow: { env: ['SANDBOX_VALUE'] } } });
  const { execution, done } = start(sandbox, 'info', { argv: ['one', 'two words'], env: { ...process.env, SANDBOX_VALUE: 'from the host' }, cwd });
  const { exit, stdout, lifecycle } = await done;
  assert.equal(exit.code, 0, JSON.stringify(exit));
  assert.deepEqual(JSON.parse(stdout), { argv: ['one', 'two words'], cwd: fs.realpathSync(cwd), sandboxValue: 'from the host' });
  assert.deepEqual(lifecycle.map(event => event.type), ['starting', 'ready', 'terminated']);
  assert.equal(lifecycle[1].pid, execution.pid);
  assert.equal(lifecycle[2].code, 0);
  for (const code of [0, 3, 77]) {
    const { exit: coded } = await start(createSandbox(), 'exit-code', { argv: [String(code)] }).done;
    assert.deepEqual([coded.code, coded.signal], [code, null]);
  }
});

test('stdin: writeStdin / closeStdin reach the guest, and so does a whole stdin given to run', async () => {
  const sandbox = createSandbox();
  const { execution, done } = start(sandbox, 'echo');
  execution.writeStdin('hello ');
  execution.writeStdin(Buffer.from('sandbox\n'));
  execution.closeStdin();
  const { exit, stdout } = await done;
  assert.equal(exit.code, 0);
  assert.equal(stdout, 'echo: hello sandbox\n');
  assert.equal(execution.writeStdin('late'), false);
  const whole = await start(sandbox, 'echo', { stdin: 'all at once\n' }).done;
  assert.equal(whole.stdout, 'echo: all at once\n');
});

test('an output flood (256 MB) streams through the host, read and dropped: all of it arrives and the host\'s memory stays bounded', async () => {
  const execution = createSandbox({ limits: { memoryMb: 100 } }).run(app('flood'), { argv: ['256'] });
  execution.stderr.resume();
  const before = process.memoryUsage().rss;
  let peak = before;
  let bytes = 0;
  execution.stdout.on('data', chunk => {
    bytes += chunk.length;
    peak = Math.max(peak, process.memoryUsage().rss);
  });
  const watchdog = setTimeout(() => execution.kill('kill'), WATCHDOG_MS);
  const exit = await execution.exited;
  clearTimeout(watchdog);
  assert.equal(exit.code, 0, JSON.stringify(exit));
  assert.equal(bytes, 256 * 1024 * 1024);
  assert.ok(peak - before < 100 * 1024 * 1024, `the host grew by ${Math.round((peak - before) / 1048576)} MB`);
});

test('kill: interrupt runs the guest\'s SIGINT handler; without one the guest dies of SIGINT (130); kill is SIGKILL (137); after the exit kill is false', async () => {
  const sandbox = createSandbox();
  const onReady = (text, execution) => { if (text.includes('ready')) execution.kill('interrupt'); };
  const handled = await start(sandbox, 'signal', {}, onReady).done;
  assert.match(handled.stdout, /got SIGINT/);
  assert.deepEqual([handled.exit.code, handled.exit.signal, handled.exit.reason], [42, null, undefined]);
  const unhandled = await start(sandbox, 'signal', { argv: ['nohandler'] }, onReady).done;
  assert.deepEqual([unhandled.exit.code, unhandled.exit.signal], [130, 'SIGINT']);
  const killed = start(sandbox, 'signal', { argv: ['nohandler'] }, (text, execution) => { if (text.includes('ready')) execution.kill('kill'); });
  const { exit } = await killed.done;
  assert.deepEqual([exit.code, exit.signal, exit.reason], [137, 'SIGKILL', undefined]);
  assert.equal(killed.execution.kill(), false);
});

test('permissions become cordon run flags, and the guest runs under them (deny by default)', async () => {
  assert.deepEqual(permissionArgs({ allow: { read: ['./a', 'reader=./b'], net: [true] }, deny: { read: ['./a/secret'] }, allowAll: true }), [
    '--allow-read=./a', '--allow-read=reader=./b', '--allow-net', '--deny-read=./a/secret', '--allow-all',
  ]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-sandbox-'));
  fs.writeFileSync(path.join(dir, 'data.txt'), 'granted text');
  const file = path.join(dir, 'data.txt');
  const granted = await start(createSandbox({ permissions: { allow: { read: [dir] } } }), 'info', { argv: ['read', file] }).done;
  assert.equal(granted.exit.code, 0, granted.stderr);
  assert.equal(JSON.parse(granted.stdout).file, 'granted text');
  const denied = await start(createSandbox(), 'info', { argv: ['read', file] }).done;
  assert.equal(denied.exit.code, 1);
  assert.match(denied.stderr, /ERR_ACCESS_DENIED|--allow-read/);
  assert.throws(() => createSandbox({ permissions: { allow: { read: [''] } } }).run(app('info')), { code: 'CORDON_INVALID_PERMISSION_FLAG' });
});

test('the guest\'s command line: node, the heap cap, Cordon\'s CLI, run, the flags, --fs=memory, the absolute entry, --, argv; the guest is marked', async () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-sandbox-'));
  const { execution, done } = start(createSandbox({ permissions: { allow: { env: [GUEST_ENV] } }, limits: { memoryMb: 80 }, fs: 'memory' }), 'exit-code', { argv: ['0', '--x'], cwd });
  const args = execution.spawnArgs;
  assert.equal(args[0], process.execPath);
  assert.ok(args.includes('--max-old-space-size=80'));
  const run = args.indexOf('run');
  assert.match(args[run - 1], /dist[/\\]cli[/\\]main\.js$/);
  assert.deepEqual(args.slice(run + 1), [`--allow-env=${GUEST_ENV}`, '--fs=memory', app('exit-code'), '--', '0', '--x']);
  assert.equal((await done).exit.code, 0);
  // The entry is resolved from the run's cwd.
  const relative = createSandbox().run(path.relative(cwd, app('exit-code')), { cwd, argv: ['4'] });
  relative.stdout.resume();
  relative.stderr.resume();
  assert.equal((await relative.exited).code, 4);
});

test('fs memory: the guest runs with --fs=memory, so what it writes is not on the host\'s disk (real: it is)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-sandbox-'));
  const permissions = { allow: { read: [dir], write: [dir] } };
  const inMemory = path.join(dir, 'memory.txt');
  // The in-memory file system holds the run's cwd (empty), where the guest writes.
  const memory = await start(createSandbox({ permissions, fs: 'memory' }), 'info', { argv: ['write', inMemory], cwd: dir }).done;
  assert.equal(memory.exit.code, 0, memory.stderr);
  assert.equal(JSON.parse(memory.stdout).file, 'written by the guest');
  assert.equal(fs.existsSync(inMemory), false);
  const onDisk = path.join(dir, 'disk.txt');
  const real = await start(createSandbox({ permissions }), 'info', { argv: ['write', onDisk] }).done;
  assert.equal(real.exit.code, 0, real.stderr);
  assert.equal(fs.readFileSync(onDisk, 'utf8'), 'written by the guest');
});

test('a guest that cannot start (no such cwd) ends with code 1 and the error; lifecycle starting → terminated', async () => {
  const { done } = start(createSandbox(), 'exit-code', { cwd: path.join(os.tmpdir(), 'cordon-no-such-dir-4242') });
  const { exit, lifecycle } = await done;
  assert.equal(exit.code, 1);
  assert.ok(exit.error instanceof Error);
  assert.match(exit.message, /could not be started/);
  assert.deepEqual(lifecycle.map(event => event.type), ['starting', 'terminated']);
});

test('the CLI hook: stdout and stdin are the host\'s own, a 256 MB flood passes, the exit code is the guest\'s', async () => {
  const flood = await runHost(['--max-memory=64', app('flood'), '--', '256'], { countOnly: true });
  assert.equal(flood.code, 0, flood.stderr);
  assert.equal(flood.bytes, 256 * 1024 * 1024);
  const coded = await runHost(['--max-cpu=20', app('exit-code'), '--', '9']);
  assert.equal(coded.code, 9, coded.stderr);
  assert.match(coded.stdout, /exiting with 9/);
  const echo = await runHost(['--max-cpu=20', '--max-memory=64', app('echo')], { stdin: 'through the host\n' });
  assert.equal(echo.code, 0, echo.stderr);
  assert.equal(echo.stdout, 'echo: through the host\n');
  const none = await runHost([app('exit-code'), '--', '0']);
  assert.equal(none.code, 99, 'without a limit flag the hook runs nothing');
});

test('the CLI hook forwards SIGINT and SIGTERM received by the host to the guest, once', async () => {
  const signalAt = signal => (text, child) => { if (text.includes('ready') && !child.sent) { child.sent = true; child.kill(signal); } };
  const handled = await runHost(['--max-cpu=20', app('signal')], { onStdout: signalAt('SIGINT') });
  assert.equal(handled.code, 42, handled.stderr);
  assert.equal(handled.stdout.match(/got SIGINT/g)?.length, 1);
  assert.match(handled.stderr, /host: alive, guest exit 42/);
  const interrupted = await runHost(['--max-cpu=20', app('signal'), '--', 'nohandler'], { onStdout: signalAt('SIGINT') });
  assert.equal(interrupted.code, 130, interrupted.stderr);
  const terminated = await runHost(['--max-memory=64', app('signal'), '--', 'nohandler'], { onStdout: signalAt('SIGTERM') });
  assert.equal(terminated.code, 143, terminated.stderr);
});

test('a guest does not outlive a host that exits (process.exit) while it runs', async () => {
  const exitingHost = fileURLToPath(new URL('../fixtures/sandbox/exiting-host.mjs', import.meta.url));
  const result = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [exitingHost], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', chunk => { stdout += chunk; });
    const watchdog = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the host did not exit')); }, WATCHDOG_MS);
    child.on('close', code => { clearTimeout(watchdog); resolve({ code, stdout }); });
  });
  assert.equal(result.code, 0);
  const pid = Number(/guest (\d+)/.exec(result.stdout)?.[1]);
  assert.ok(pid > 0, result.stdout);
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  // Killed as the host exits; reaped by init soon after (polled, at most 10 s).
  for (let tries = 0; tries < 200 && alive(); tries += 1) await new Promise(resolve => setTimeout(resolve, 50));
  const outlived = alive();
  if (outlived) process.kill(pid, 'SIGKILL');
  assert.equal(outlived, false, `guest ${pid} outlived its host`);
});
