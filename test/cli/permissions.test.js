// `cordon run`'s host permissions as a user meets them: a real file tree copied to a temp folder, the
// CLI in a child process, a real terminal for prompts (util-linux `script`), the policy file's grants.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const copyApp = () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-host-cli-')));
  fs.cpSync(fileURLToPath(new URL('../fixtures/host-cli/app/', import.meta.url)), dir, { recursive: true });
  return dir;
};
const cordon = (args, cwd, options = {}) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' }, ...options });
// The app's one JSON line (a terminal's output may carry more lines after it).
const report = result => JSON.parse(result.stdout.slice(result.stdout.indexOf('{')).split(/\r?\n/)[0]);

test('without a flag the read is denied with the package, the file and the flag; the flag allows it to that package', () => {
  const dir = copyApp();
  const note = path.join(dir, 'data', 'note.txt');
  const denied = cordon(['run', 'main.js'], dir);
  assert.equal(denied.status, 0, denied.stderr);
  const { first } = report(denied);
  assert.equal(first.code, 'ERR_ACCESS_DENIED');
  assert.equal(first.package, 'reader');
  assert.equal(first.resource, note);
  assert.match(first.message, new RegExp(`Package reader may not read ${note.replace(/[.]/g, '\\.')} \\(fs\\.readFileSync\\): access denied; run with --allow-read=reader=${note.replace(/[.]/g, '\\.')} to allow it`));
  assert.deepEqual(report(cordon(['run', '--allow-read=reader=./data', 'main.js'], dir)).first, { ok: 'a note' });
  assert.deepEqual(report(cordon(['run', '--allow-read=data', 'main.js'], dir)).first, { ok: 'a note' }, 'a bare path is for every package');
  assert.equal(report(cordon(['run', '--allow-read=host-cli-app=./data', 'main.js'], dir)).first.code, 'ERR_ACCESS_DENIED', "the app's own grant is not reader's");
  assert.equal(report(cordon(['run', '--allow-read', '--deny-read=reader=./data', 'main.js'], dir)).first.code, 'ERR_ACCESS_DENIED', 'deny wins');
});

test('an unknown package or a malformed flag is refused before anything runs, exit 2', () => {
  const dir = copyApp();
  const unknown = cordon(['run', '--allow-read=raeder=./data', 'main.js'], dir);
  assert.equal(unknown.status, 1, unknown.stderr);
  assert.match(unknown.stderr, /CORDON_UNKNOWN_PACKAGE.*"raeder".*its packages are: host-cli-app, reader/s);
  assert.equal(unknown.stdout, '');
  const port = cordon(['run', '--allow-net=127.0.0.1:99999', 'main.js'], dir);
  assert.equal(port.status, 2);
  assert.match(port.stderr, /CORDON_INVALID_PERMISSION_FLAG.*invalid port/);
  const empty = cordon(['run', '--allow-read=', 'main.js'], dir);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /--allow-read= needs a value/);
  const snapshot = cordon(['run', '--snapshot=s.bin', 'main.js'], dir);
  assert.equal(snapshot.status, 2);
  assert.match(snapshot.stderr, /--snapshot needs --fs=memory/);
});

test('the policy file grants per package (resources[pkg].permissions), relative to the app', () => {
  const dir = copyApp();
  fs.mkdirSync(path.join(dir, 'lavamoat', 'node'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'lavamoat', 'node', 'policy.json'), JSON.stringify({ resources: { reader: { builtin: { 'fs.readFileSync': true }, globals: { URL: true }, permissions: { read: ['./data'] } } } }));
  const other = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-elsewhere-'));
  const result = cordon(['run', path.join(dir, 'main.js')], other);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(report(result).first, { ok: 'a note' });
});

test('on a terminal, a prompt asks: y once, n denies, a always (written into policy-override.json); none without one', () => {
  const dir = copyApp();
  const run = answers => spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} run main.js`, '/dev/null'], { cwd: dir, input: answers, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  const once = run('y\nn\n');
  assert.equal(once.status, 0, once.stdout);
  assert.match(once.stdout, /cordon: Package reader asks to read .*note\.txt \(fs\.readFileSync\)\. Allow\? \[y\]es once \/ \[n\]o \/ \[a\]lways:/);
  const first = report({ stdout: once.stdout.slice(once.stdout.lastIndexOf('{"first"')) });
  assert.deepEqual(first.first, { ok: 'a note' });
  assert.equal(first.second.code, 'ERR_ACCESS_DENIED');
  const override = path.join(dir, 'lavamoat', 'node', 'policy-override.json');
  assert.equal(fs.existsSync(override), false);
  const always = run('a\n');
  const both = report({ stdout: always.stdout.slice(always.stdout.lastIndexOf('{"first"')) });
  assert.deepEqual(both, { first: { ok: 'a note' }, second: { ok: 'a note' } }, 'asked once');
  assert.deepEqual(JSON.parse(fs.readFileSync(override, 'utf8')).resources.reader.permissions.read, [path.join(dir, 'data', 'note.txt')]);
  // The next run has the grant without asking, and without a terminal nothing is asked.
  const next = cordon(['run', 'main.js'], dir);
  assert.deepEqual(report(next).first, { ok: 'a note' });
  fs.rmSync(override);
  const piped = cordon(['run', '--prompt', 'main.js'], dir, { input: 'y\n' });
  assert.deepEqual(report(piped).first, { ok: 'a note' }, '--prompt reads the answer from stdin when there is no terminal');
  assert.equal(report(cordon(['run', 'main.js'], dir, { input: 'y\n' })).first.code, 'ERR_ACCESS_DENIED', 'no terminal: no prompt');
});
