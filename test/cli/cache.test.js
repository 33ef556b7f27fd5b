// `cordon run`'s compile cache, as a user meets it (the CLI in a child process, a real app tree):
// node_modules/.cache/cordon of the app by default, written by the first run and read by the second
// (a miss always writes: the second run writes nothing), `--cache DIR`, `--no-cache` (nothing kept),
// a corrupt cache ignored and written again, the app's output the same every time.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/scripts/app/', import.meta.url));

const copyApp = () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-cli-cache-'));
  const app = path.join(root, 'app');
  fs.cpSync(fixture, app, { recursive: true, filter: source => !source.includes(`${path.sep}.cache`) });
  fs.writeFileSync(path.join(app, 'print.js'), "import * as ns from './main.js';\nconsole.log(JSON.stringify(ns));\n");
  return { root, app };
};
const run = (cwd, ...args) => spawnSync(process.execPath, [cli, 'run', ...args, 'print.js'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const entries = dir => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).filter(name => name.endsWith('.json')).sort() : []);
const stamps = dir => entries(dir).map(name => [name, fs.statSync(path.join(dir, name)).mtimeMs, fs.readFileSync(path.join(dir, name), 'utf8')]);

test('the first run fills node_modules/.cache/cordon, the second reads it and writes nothing; the output is the same', () => {
  const { app } = copyApp();
  const cache = path.join(app, 'node_modules', '.cache', 'cordon');
  const first = run(app);
  assert.equal(first.status, 0, first.stderr);
  const written = stamps(cache);
  assert.ok(written.length >= 10, `entries: ${written.length}`);
  const second = run(app);
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stdout, first.stdout);
  assert.deepEqual(stamps(cache), written, 'nothing rewritten: every module came from the cache');
  assert.match(first.stdout, /"live":2/);
});

test('--cache DIR puts it elsewhere; --no-cache keeps nothing; both at once is a usage error', () => {
  const { root, app } = copyApp();
  const elsewhere = path.join(root, 'elsewhere');
  assert.equal(run(app, '--cache', elsewhere).status, 0);
  assert.ok(entries(elsewhere).length >= 10);
  assert.deepEqual(entries(path.join(app, 'node_modules', '.cache', 'cordon')), []);
  const none = run(app, '--no-cache');
  assert.equal(none.status, 0, none.stderr);
  assert.deepEqual(entries(path.join(app, 'node_modules', '.cache', 'cordon')), [], '--no-cache wrote nothing');
  const both = run(app, '--no-cache', '--cache', elsewhere);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--cache <dir> or --no-cache/);
});

test('a corrupt cache (every entry truncated) is ignored and written again; the app runs right', () => {
  const { app } = copyApp();
  const cache = path.join(app, 'node_modules', '.cache', 'cordon');
  const first = run(app);
  const good = stamps(cache);
  for (const [name] of good) {
    const file = path.join(cache, name);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 40));
  }
  const again = run(app);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, first.stdout);
  assert.deepEqual(
    stamps(cache).map(([name, , text]) => [name, text]),
    good.map(([name, , text]) => [name, text]),
    'every entry written again as it was',
  );
});
