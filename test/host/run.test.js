// A package's own child_process (src/host/builtins/child-process.ts): real child processes, through
// makeHostBridge(...).builtinFor(pkg, 'child_process').
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { makePermissionEngine, parsePermissionFlags, makeHostBridge } from '../../dist/host.js';

const require = createRequire(import.meta.url);
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-run-')));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const which = name => {
  for (const entry of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(entry, name);
    if (entry !== '' && fs.existsSync(candidate)) return fs.realpathSync(candidate);
  }
  throw new Error(`${name} is not on PATH`);
};
const ECHO = which('echo');
const CAT = which('cat');
const SH = fs.realpathSync('/bin/sh');
const NODE = fs.realpathSync(process.execPath);

/** `pkg`'s child_process under `allow` (the CLI's --allow-* values) and a host environment `env`. */
const childProcessOf = (pkg, allow, env = process.env) => {
  const set = parsePermissionFlags({ allow }, { cwd: dir, pathVariable: process.env.PATH });
  const bridge = makeHostBridge({ engine: makePermissionEngine(set), hostBuiltin: name => require(`node:${name}`), env, cwd: () => dir });
  return bridge.builtinFor(pkg, 'child_process');
};

const denied = (pkg, resource) => error => {
  assert.equal(error.code, 'ERR_ACCESS_DENIED', error.stack);
  assert.equal(error.permission, 'ChildProcess');
  assert.equal(error.package, pkg);
  if (resource !== undefined) assert.equal(error.resource, resource);
  assert.match(error.message, new RegExp(pkg));
  return true;
};

const finished = child => new Promise((resolve, reject) => {
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', chunk => { stdout += chunk; });
  child.on('error', reject);
  child.on('close', (code, signal) => resolve({ code, signal, stdout }));
});

test('an allowed program runs through every form; its result is what node gives', async () => {
  const cp = childProcessOf('runner', { run: ['runner=echo'], env: ['PATH'] });
  assert.equal(cp.spawnSync('echo', ['one'], { encoding: 'utf8' }).stdout, 'one\n');
  assert.equal(cp.execFileSync('echo', ['two'], { encoding: 'utf8' }), 'two\n');
  assert.equal(cp.execFileSync(ECHO, ['abs'], { encoding: 'utf8' }), 'abs\n');
  const spawned = await finished(cp.spawn('echo', ['three']));
  assert.deepEqual(spawned, { code: 0, signal: null, stdout: 'three\n' });
  const viaCallback = await new Promise((resolve, reject) => cp.execFile('echo', ['four'], (error, stdout) => (error ? reject(error) : resolve(stdout))));
  assert.equal(viaCallback, 'four\n');
  const promised = await util.promisify(cp.execFile)('echo', ['five']);
  assert.equal(promised.stdout, 'five\n');
  // argv[0] stays the name the package gave (the spawned file is the resolved absolute path).
  const child = cp.spawn('echo', ['six']);
  assert.deepEqual(child.spawnargs, ['echo', 'six']);
  assert.equal(child.spawnfile, ECHO);
  await finished(child);
});

test('a program not granted is denied, synchronously, by every form; another package is denied the granted one', async () => {
  const cp = childProcessOf('runner', { run: ['runner=echo'], env: ['PATH'] });
  assert.throws(() => cp.spawnSync('cat', ['/etc/hostname']), denied('runner', CAT));
  assert.throws(() => cp.execFileSync('cat', ['/etc/hostname']), denied('runner', CAT));
  assert.throws(() => cp.spawn('cat', ['/etc/hostname']), denied('runner', CAT));
  let called = false;
  assert.throws(() => cp.execFile('cat', ['/etc/hostname'], () => { called = true; }), denied('runner', CAT));
  await assert.rejects(util.promisify(cp.execFile)('cat', ['/etc/hostname']), denied('runner', CAT));
  assert.throws(() => cp.spawnSync(CAT), denied('runner', CAT));
  await new Promise(resolve => setImmediate(resolve));
  assert.equal(called, false);
  const other = childProcessOf('other', { run: ['runner=echo'], env: ['PATH'] });
  assert.throws(() => other.spawnSync('echo', ['hi']), denied('other', ECHO));
});

test('exec, execSync and shell: true run the shell: denied unless the shell is granted, whatever the command line', async () => {
  const cp = childProcessOf('runner', { run: ['runner=echo'], env: ['PATH'] });
  assert.throws(() => cp.execSync('echo hi; cat /etc/passwd'), denied('runner', SH));
  assert.throws(() => cp.exec('echo hi; cat /etc/passwd', () => {}), denied('runner', SH));
  assert.throws(() => cp.exec('echo hi'), denied('runner', SH));
  await assert.rejects(util.promisify(cp.exec)('echo hi'), denied('runner', SH));
  assert.throws(() => cp.spawnSync('echo', ['hi;', 'cat', '/etc/passwd'], { shell: true }), denied('runner', SH));
  assert.throws(() => cp.spawn('echo', ['hi'], { shell: true }), denied('runner', SH));
  assert.throws(() => cp.execFileSync('echo', ['hi'], { shell: true }), denied('runner', SH));
  assert.throws(() => cp.execFile('echo', ['hi'], { shell: '/bin/sh' }, () => {}), denied('runner', SH));
  // exec ignores shell: false (it always runs a shell), and so does its check.
  assert.throws(() => cp.execSync('echo hi', { shell: false }), denied('runner', SH));

  const withShell = childProcessOf('runner', { run: ['runner=sh'], env: ['PATH'] });
  assert.equal(withShell.execSync('echo hi; echo there', { encoding: 'utf8' }), 'hi\nthere\n');
  const viaExec = await util.promisify(withShell.exec)('echo a && echo b');
  assert.equal(viaExec.stdout, 'a\nb\n');
  assert.equal(withShell.spawnSync('echo', ['x;', 'echo', 'y'], { shell: true, encoding: 'utf8' }).stdout, 'x\ny\n');
});

test('options are read once: a getter cannot answer the check one way and the spawn another', () => {
  const cp = childProcessOf('runner', { run: ['runner=echo'], env: ['PATH'] });
  let reads = 0;
  const options = { encoding: 'utf8', get shell() { reads += 1; return reads > 1; } };
  const result = cp.spawnSync('echo', ['hi;cat', '/etc/hostname'], options);
  assert.equal(result.stdout, 'hi;cat /etc/hostname\n');
  assert.equal(reads, 1);
});

test('PATH tricks: a fake echo first on the child\'s PATH, or a relative ./echo, is not the granted echo', () => {
  const fake = path.join(dir, 'fakebin');
  fs.mkdirSync(fake, { recursive: true });
  const marker = path.join(dir, 'fake-echo-ran');
  fs.writeFileSync(path.join(fake, 'echo'), `#!/bin/sh\necho pwned > ${JSON.stringify(marker)}\n`, { mode: 0o755 });
  const evilPath = `${fake}${path.delimiter}${process.env.PATH}`;
  // The package may set PATH: its PATH is the one searched, and it finds the fake, which is not granted.
  const cp = childProcessOf('runner', { run: ['runner=echo'], env: ['PATH'] });
  assert.throws(() => cp.spawnSync('echo', ['hi'], { env: { PATH: evilPath } }), denied('runner', path.join(fake, 'echo')));
  assert.throws(() => cp.execFileSync('echo', ['hi'], { env: { ...process.env, PATH: evilPath } }), denied('runner', path.join(fake, 'echo')));
  assert.throws(() => cp.spawn('./echo', ['hi'], { cwd: fake }), denied('runner', path.join(fake, 'echo')));
  // A symlink named like the granted program, to another one, is the program it points to.
  fs.symlinkSync(CAT, path.join(fake, 'echo-link'));
  assert.throws(() => cp.spawnSync(path.join(fake, 'echo-link'), ['/etc/hostname']), denied('runner', CAT));
  // A package that may not read PATH cannot set it either: its child gets no PATH and the system default is searched.
  const noPath = childProcessOf('runner', { run: ['runner=echo'] });
  const result = noPath.spawnSync('echo', ['safe'], { env: { PATH: evilPath }, encoding: 'utf8' });
  assert.equal(result.stdout, 'safe\n');
  assert.equal(fs.existsSync(marker), false);
});

test('fork(), spawn(process.execPath) and spawn("node") run Node itself: denied without a grant for node', async () => {
  const script = path.join(dir, 'child.cjs');
  fs.writeFileSync(script, "process.send ? process.send('forked') : console.log('plain');\n");
  const cp = childProcessOf('runner', { run: ['runner=echo'], env: ['PATH'] });
  assert.throws(() => cp.fork(script), denied('runner', NODE));
  assert.throws(() => cp.fork(script, [], { execArgv: ['--eval', 'process.exit(7)'] }), denied('runner', NODE));
  assert.throws(() => cp.spawn(process.execPath, ['-e', 'console.log(1)']), denied('runner', NODE));
  assert.throws(() => cp.spawnSync(process.execPath, ['-e', 'console.log(1)'], { env: { NODE_OPTIONS: '--require /tmp/x' } }), denied('runner', NODE));
  assert.throws(() => cp.execFileSync(process.execPath, ['-e', '1']), denied('runner', NODE));
  // fork's execPath names the program: an allowed echo may stand in for node, and runs as echo.
  const echoed = await finished(cp.fork(script, ['x'], { execPath: 'echo', execArgv: [], stdio: ['ignore', 'pipe', 'ignore', 'ipc'] }));
  assert.equal(echoed.stdout, `${script} x\n`);

  const withNode = childProcessOf('runner', { run: [`runner=${process.execPath}`] });
  const child = withNode.fork(script);
  const message = await new Promise((resolve, reject) => { child.on('message', resolve); child.on('error', reject); });
  assert.equal(message, 'forked');
  assert.equal(typeof child.send, 'function');
  await new Promise(resolve => child.on('exit', resolve));
});

test('the child\'s environment holds only the keys the package may read, given or inherited', () => {
  const hostEnv = { PATH: process.env.PATH, CORDON_SECRET_TOKEN: 's3cr3t', CORDON_VISIBLE: 'yes' };
  const cp = childProcessOf('runner', { run: ['runner=env'], env: ['runner=CORDON_VISIBLE'] }, hostEnv);
  const inherited = cp.execFileSync('env', { encoding: 'utf8' });
  assert.match(inherited, /^CORDON_VISIBLE=yes$/m);
  assert.doesNotMatch(inherited, /s3cr3t|CORDON_SECRET_TOKEN|^PATH=/m);
  const given = cp.spawnSync('env', [], { env: { CORDON_SECRET_TOKEN: 'given', CORDON_VISIBLE: 'given-too' }, encoding: 'utf8' }).stdout;
  assert.match(given, /^CORDON_VISIBLE=given-too$/m);
  assert.doesNotMatch(given, /CORDON_SECRET_TOKEN/);
  const other = childProcessOf('other', { run: ['env'], env: ['runner=CORDON_VISIBLE'] }, hostEnv);
  assert.doesNotMatch(other.execFileSync('env', { encoding: 'utf8' }), /CORDON_/);
});

test('a returned child hides the host\'s ChildProcess, its spawn and its _handle; the low-level spawn is checked', async () => {
  const cp = childProcessOf('runner', { run: ['runner=echo'], env: ['PATH'] });
  const child = cp.spawn('echo', ['hi']);
  const output = finished(child);
  assert.ok(child instanceof cp.ChildProcess);
  assert.equal(child.constructor, cp.ChildProcess);
  assert.equal(child._handle, undefined);
  assert.notEqual(child.constructor, require('node:child_process').ChildProcess);
  const lowLevel = { file: CAT, args: ['cat', '/etc/hostname'], envPairs: [], stdio: ['ignore', 'ignore', 'ignore'] };
  assert.throws(() => new child.constructor().spawn(lowLevel), denied('runner', CAT));
  assert.throws(() => Object.getPrototypeOf(child).spawn.call(new cp.ChildProcess(), lowLevel), denied('runner', CAT));
  assert.throws(() => child.spawn(lowLevel), /already been spawned/);
  const low = new cp.ChildProcess();
  const exited = new Promise(resolve => low.on('exit', resolve));
  low.spawn({ file: 'echo', args: ['echo', 'low'], envPairs: [`PATH=${process.env.PATH}`], stdio: ['ignore', 'ignore', 'ignore'] });
  assert.equal(await exited, 0);
  assert.equal((await output).stdout, 'hi\n');
  assert.equal(child.exitCode, 0);
  assert.equal(child.kill(), false);
});

test('a spawn error is the host\'s: an error event (with a listener) after the check passed', async () => {
  const cp = childProcessOf('runner', { run: ['runner=cordon-no-such-program'], env: ['PATH'] });
  const child = cp.spawn('cordon-no-such-program');
  const error = await new Promise(resolve => child.on('error', resolve));
  assert.equal(error.code, 'ENOENT');
});
