// WASI preview 1 guests through the bridge (src/sandbox/wasi*.ts): the hand-written command
// test/fixtures/wasi/cat.wat (see its header for what it prints) run with runWasi, against real files
// in a temp dir and the permission engine from real flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runWasi, runWasiFile, preopensFromPermissions, WASI_ERRNO } from '../../dist/sandbox/wasi.js';
import { makePermissionEngine, parsePermissionFlags } from '../../dist/host.js';
import { makeDeterministicHost } from '../../dist/host/deterministic.js';
import { assemble } from '../fixtures/wasi/build.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '../fixtures/wasi');
const catWasm = fs.readFileSync(path.join(fixtures, 'cat.wasm'));
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-wasi-')));
const data = path.join(dir, 'data');
fs.mkdirSync(data);
fs.writeFileSync(path.join(data, 'in.txt'), 'file contents\n');
fs.writeFileSync(path.join(dir, 'secret.txt'), 'SECRET\n');
fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(data, 'link-out'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const engineFor = allow => makePermissionEngine(parsePermissionFlags({ allow }, { cwd: dir, pathVariable: process.env.PATH }));

const sink = () => {
  const chunks = [];
  return { write: chunk => { chunks.push(Buffer.from(chunk)); return true; }, text: () => Buffer.concat(chunks).toString() };
};

/** Runs cat.wasm with `args` under the grants `allow`; its stdout lines and exit code. */
const runCat = async (args, { allow = { read: ['./data'] }, env = {}, stdin = '', ...rest } = {}) => {
  const engine = engineFor(allow);
  const stdout = sink();
  const stderr = sink();
  const code = await runWasi(catWasm, {
    argv: ['cat.wasm', ...args], env, stdin, stdout, stderr,
    access: engine.forPackage('$root$'),
    preopens: preopensFromPermissions(engine.permissions),
    ...rest,
  });
  return { code, lines: stdout.text().split('\n'), stdout: stdout.text() };
};

test('a granted directory: the program prints its args, the preopen, the file, the listing and stdin; proc_exit gives the exit code', async () => {
  const { code, lines } = await runCat(['in.txt'], { stdin: 'typed input' });
  assert.equal(code, 42, lines.join('\n'));
  assert.deepEqual(lines.slice(0, 7), ['arg: cat.wasm', 'arg: in.txt', `preopen: ${data}`, 'file contents', 'entry: in.txt', 'entry: link-out', 'stdin: typed input']);
  assert.match(lines[7], /^time \d+$/);
});

test('a file outside the grant: ENOTCAPABLE for a path climbing out, EACCES for a link out of the grant; the host fs untouched', async () => {
  const { code, lines, stdout } = await runCat(['../secret.txt', '../written.txt', 'link-out']);
  assert.equal(code, 44);
  assert.deepEqual(lines.slice(5, 8), [`errno ${WASI_ERRNO.NOTCAPABLE}`, `errno ${WASI_ERRNO.NOTCAPABLE}`, `errno ${WASI_ERRNO.ACCES}`]);
  assert.equal(WASI_ERRNO.NOTCAPABLE, 76);
  assert.doesNotMatch(stdout, /SECRET/);
  assert.equal(fs.existsSync(path.join(dir, 'written.txt')), false);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['data', 'secret.txt']);
});

test('writing needs --allow-write: denied (EACCES, nothing created) under a read grant; created under a write grant', async () => {
  const denied = await runCat(['in.txt', 'new.txt']);
  assert.equal(denied.lines[5], `errno ${WASI_ERRNO.ACCES}`);
  assert.equal(fs.existsSync(path.join(data, 'new.txt')), false);
  const allowed = await runCat(['in.txt', 'new.txt'], { allow: { read: ['./data'], write: ['./data'] } });
  assert.equal(allowed.lines[5], 'created');
  assert.equal(fs.readFileSync(path.join(data, 'new.txt'), 'utf8'), 'hello from wasm\n');
  fs.rmSync(path.join(data, 'new.txt'));
});

test('the environment holds only the keys the package may read', async () => {
  const { lines } = await runCat([], { allow: { read: ['./data'], env: ['VISIBLE'] }, env: { VISIBLE: 'yes', HIDDEN: 'no' } });
  assert.deepEqual(lines.slice(0, 3), ['arg: cat.wasm', 'env: VISIBLE=yes', `preopen: ${data}`]);
});

test('args and exit code: proc_exit(40 + argc)', async () => {
  assert.equal((await runCat([])).code, 41);
  const { code, lines } = await runCat(['in.txt', 'in.txt', 'in.txt', 'four', 'fünf']);
  assert.equal(code, 46);
  assert.deepEqual(lines.slice(0, 6), ['arg: cat.wasm', 'arg: in.txt', 'arg: in.txt', 'arg: in.txt', 'arg: four', 'arg: fünf']);
});

test('no preopen: the program sees EBADF for descriptor 3 and exits 1', async () => {
  const engine = engineFor({ read: ['./data'] });
  const stdout = sink();
  const code = await runWasi(catWasm, { argv: ['cat.wasm'], stdout, access: engine.forPackage('$root$') });
  assert.equal(code, 1);
  assert.equal(stdout.text(), `arg: cat.wasm\nerrno ${WASI_ERRNO.BADF}\n`);
});

test('deterministic: clock_time_get on the virtual clock, random_get seeded (same seed, same bytes)', async () => {
  const one = await runCat(['in.txt'], { deterministic: makeDeterministicHost({ seed: 7 }) });
  const two = await runCat(['in.txt'], { deterministic: makeDeterministicHost({ seed: 7 }) });
  const other = await runCat(['in.txt'], { deterministic: makeDeterministicHost({ seed: 8 }) });
  assert.equal(one.stdout, two.stdout);
  assert.ok(one.lines.includes('time 1577836800'), one.stdout);
  assert.notEqual(one.lines.find(line => line.startsWith('random')), other.lines.find(line => line.startsWith('random')));
});

test('files go through the fs driver passed in', async () => {
  const opened = [];
  const driver = { ...fs, openSync: (file, flags, mode) => { opened.push(file); return fs.openSync(file, flags, mode); } };
  const { lines } = await runCat(['in.txt'], { fs: driver });
  assert.equal(lines[3], 'file contents');
  assert.deepEqual(opened, [path.join(data, 'in.txt')]);
});

test('stdin from a host descriptor and from a stream', async () => {
  const input = path.join(dir, 'stdin.txt');
  fs.writeFileSync(input, 'from a descriptor');
  const fd = fs.openSync(input, 'r');
  try {
    assert.equal((await runCat([], { stdin: fd })).lines[4], 'stdin: from a descriptor');
  } finally {
    fs.closeSync(fd);
  }
  assert.equal((await runCat([], { stdin: fs.createReadStream(input) })).lines[4], 'stdin: from a descriptor');
});

test('an import Cordon does not implement answers ENOSYS (52)', async () => {
  const code = await runWasi(fs.readFileSync(path.join(fixtures, 'nosys.wasm')), { access: engineFor({}).forPackage('$root$') });
  assert.equal(code, WASI_ERRNO.NOSYS);
  assert.equal(code, 52);
});

test('runWasiFile (what cordon run prog.wasm calls), in a process of its own: preopens from the engine, args after the file name, the host env filtered, stdin from descriptor 0, the exit code', () => {
  const script = `
import { runWasiFile } from ${JSON.stringify(new URL('../../dist/sandbox/wasi.js', import.meta.url).href)};
import { makePermissionEngine, parsePermissionFlags } from ${JSON.stringify(new URL('../../dist/host.js', import.meta.url).href)};
const engine = makePermissionEngine(parsePermissionFlags({ allow: { read: ['./data'], env: ['SHOWN'] } }, { cwd: process.cwd(), pathVariable: process.env.PATH }));
process.exitCode = await runWasiFile(${JSON.stringify(path.join(fixtures, 'cat.wasm'))}, { engine, args: ['in.txt'] });
`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, input: 'piped', encoding: 'utf8', env: { PATH: process.env.PATH, SHOWN: '1', OTHER: '2' } });
  assert.equal(result.status, 42, result.stderr);
  assert.deepEqual(result.stdout.split('\n').slice(0, 8), ['arg: cat.wasm', 'arg: in.txt', 'env: SHOWN=1', `preopen: ${data}`, 'file contents', 'entry: in.txt', 'entry: link-out', 'stdin: piped']);
});

test('runWasi needs the access the guest runs as', async () => {
  await assert.rejects(runWasi(catWasm, {}), TypeError);
});

test('the same program under node:wasi (the reference) prints the same args, preopen, file and listing', () => {
  const out = path.join(dir, 'oracle-out.txt');
  const script = `
import { WASI } from 'node:wasi'; import fs from 'node:fs';
const wasi = new WASI({ version: 'preview1', args: ['cat.wasm', 'in.txt'], env: {}, preopens: { ${JSON.stringify(data)}: ${JSON.stringify(data)} }, stdout: fs.openSync(${JSON.stringify(out)}, 'w'), returnOnExit: true });
const instance = await WebAssembly.instantiate(new WebAssembly.Module(fs.readFileSync(${JSON.stringify(path.join(fixtures, 'cat.wasm'))})), wasi.getImportObject());
process.exitCode = wasi.start(instance);
`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(result.status, 42, result.stderr);
  const reference = fs.readFileSync(out, 'utf8').split('\n');
  return runCat(['in.txt']).then(({ lines }) => {
    const entries = list => list.filter(line => line.startsWith('entry: ')).sort();
    assert.deepEqual(lines.slice(0, 4), reference.slice(0, 4));
    assert.deepEqual(entries(lines), entries(reference));
  });
});

test('the checked-in .wasm files are assembled from their .wat', async () => {
  for (const name of ['cat', 'nosys']) {
    const built = await assemble(path.join(fixtures, `${name}.wat`));
    assert.ok(built.equals(fs.readFileSync(path.join(fixtures, `${name}.wasm`))), `${name}.wasm is stale: node test/fixtures/wasi/build.js`);
  }
});
