// How `cordon` starts (src/cli/main.ts, src/cli/launch.ts, scripts/build-cli-bundle.mjs): from the
// bundle while it is current, with a V8 code cache in the user's cache folder (written by the first
// run, used by the next, rewritten when V8 refuses it, none with --no-cache), from the modules when the
// bundle is stale or CORDON_CLI_BUNDLE=0; the output is the same every way. And examples/express-app
// prints under `cordon run` what it prints under node.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = path.join(root, 'dist', 'cli', 'main.js');
const manifestFile = path.join(root, 'dist', 'cli', 'cordon-cli.json');
const hasBundle = fs.existsSync(manifestFile);

const helloApp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-startup-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'hello', version: '1.0.0', type: 'module' }));
  // Which code runs: the bundle names its own file in a stack trace.
  fs.writeFileSync(path.join(dir, 'main.js'), "console.log('hello', typeof lockdown, new Error('where').stack.includes('cordon-cli.cjs'));\n");
  return dir;
};
const run = (cacheHome, args, env = {}) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome, NO_COLOR: '1', ...env } });
const codeCaches = cacheHome => {
  const dir = path.join(cacheHome, 'cordon', 'v8');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter(name => name.endsWith('.bin')) : [];
};

test('the bundle writes its code cache on the first run, uses it on the second, rewrites a refused one', { skip: !hasBundle && 'no bundle built (esbuild missing)' }, () => {
  const app = helloApp();
  const cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-cache-home-'));
  const first = run(cacheHome, ['run', '--no-cache', path.join(app, 'main.js')]);
  assert.equal(first.status, 0, first.stderr);
  assert.deepEqual(codeCaches(cacheHome), [], '--no-cache: no code cache either');
  const second = run(cacheHome, ['run', path.join(app, 'main.js')]);
  assert.equal(second.status, 0, second.stderr);
  const [file, ...others] = codeCaches(cacheHome);
  assert.ok(file && others.length === 0, `one cache file: ${codeCaches(cacheHome)}`);
  assert.match(file, new RegExp(`^cli-[0-9a-f]{16}-${process.version.replaceAll('.', '\\.')}-${process.arch}-[0-9a-f]{8}\\.bin$`));
  const cacheFile = path.join(cacheHome, 'cordon', 'v8', file);
  const written = fs.statSync(cacheFile).mtimeMs;
  const third = run(cacheHome, ['run', path.join(app, 'main.js')]);
  assert.equal(third.status, 0, third.stderr);
  assert.equal(fs.statSync(cacheFile).mtimeMs, written, 'an accepted cache is not written again');
  // Garbage: V8 refuses it, the command runs from source and writes a good one.
  fs.writeFileSync(cacheFile, 'not a code cache');
  const fourth = run(cacheHome, ['run', path.join(app, 'main.js')]);
  assert.equal(fourth.status, 0, fourth.stderr);
  assert.ok(fs.statSync(cacheFile).size > 1000, 'rewritten');
  for (const result of [first, second, third, fourth]) assert.equal(result.stdout, 'hello function true\n');
  // Other builds' caches go when a new one is written.
  fs.writeFileSync(path.join(cacheHome, 'cordon', 'v8', 'cli-0000000000000000-v0.0.0-x64-00000000.bin'), 'old');
  fs.rmSync(cacheFile);
  assert.equal(run(cacheHome, ['run', path.join(app, 'main.js')]).status, 0);
  assert.deepEqual(codeCaches(cacheHome), [file]);
});

test('CORDON_CLI_BUNDLE=0 and a stale bundle run the modules, with the same output', { skip: !hasBundle && 'no bundle built (esbuild missing)' }, () => {
  const app = helloApp();
  const cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-cache-home-'));
  const modules = run(cacheHome, ['run', path.join(app, 'main.js')], { CORDON_CLI_BUNDLE: '0' });
  assert.equal(modules.status, 0, modules.stderr);
  assert.equal(modules.stdout, 'hello function false\n');
  assert.deepEqual(codeCaches(cacheHome), []);
  // A copy of the package whose dist/ has a file the bundle does not hold as it is now.
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-stale-'));
  fs.cpSync(path.join(root, 'dist'), path.join(copy, 'dist'), { recursive: true, preserveTimestamps: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(copy, 'package.json'));
  // The packages where Node finds them from here (this checkout's, or a folder above it).
  const nodeModules = path.resolve(path.dirname(createRequire(import.meta.url).resolve('ses/package.json')), '..');
  fs.symlinkSync(nodeModules, path.join(copy, 'node_modules'));
  const copiedCli = path.join(copy, 'dist', 'cli', 'main.js');
  const current = spawnSync(process.execPath, [copiedCli, 'run', path.join(app, 'main.js')], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome } });
  assert.equal(current.stdout, 'hello function true\n', current.stderr);
  const [[someFile]] = JSON.parse(fs.readFileSync(manifestFile, 'utf8')).files;
  const target = path.join(copy, someFile);
  fs.appendFileSync(target, '\n');
  const stale = spawnSync(process.execPath, [copiedCli, 'run', path.join(app, 'main.js')], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome } });
  assert.equal(stale.status, 0, stale.stderr);
  assert.equal(stale.stdout, 'hello function false\n', 'an edited file: the modules run');
});

test('examples/express-app prints the same under cordon run as under node', () => {
  const entry = path.join(root, 'examples', 'express-app', 'main.js');
  const cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-cache-home-'));
  const compileCache = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-express-cache-'));
  const node = spawnSync(process.execPath, [entry], { encoding: 'utf8' });
  assert.equal(node.status, 0, node.stderr);
  assert.match(node.stdout, /"msg":"order taken"/);
  assert.match(node.stdout, /^200 \{"ok":true,"order":\{"item":"tea","quantity":2\}\}$/m);
  for (const cache of ['first', 'second']) {
    const cordon = run(cacheHome, ['run', '--allow-net=127.0.0.1', '--allow-env=DEBUG', '--cache', compileCache, entry]);
    assert.equal(cordon.status, 0, `${cache} run: ${cordon.stderr}`);
    assert.equal(cordon.stdout, node.stdout, `${cache} run`);
  }
});
