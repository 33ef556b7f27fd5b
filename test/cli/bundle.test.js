// `cordon bundle`, `cordon check-bundle`, `cordon run bundle.json`, spawned: every format made and run
// (arguments, exit code, an uncaught error as runs print it, host permissions as in any run), the check's
// exit codes, and the bundle cache (a hit on the second run, a changed file's content invalidates, a
// corrupt entry is ignored and written again).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, writeApp } from '../pack/bundle-app.js';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const tmp = tempDir('cli-bundle');
const env = { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: path.join(tmp, 'xdg') };
const cordon = (...args) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: tmp, env });
const FORMATS = ['endoZipBase64', 'endoScript', 'getExport', 'nestedEvaluate'];

// An app that prints its arguments, sets its exit code, reads a file when asked, throws when asked.
const runApp = path.join(tmp, 'runapp');
fs.mkdirSync(runApp);
fs.writeFileSync(path.join(runApp, 'package.json'), JSON.stringify({ name: 'runapp', version: '1.0.0', type: 'module' }));
fs.writeFileSync(path.join(runApp, 'secret.txt'), 'the secret');
fs.writeFileSync(path.join(runApp, 'lib.js'), "export const greet = name => `hello ${name}`;\n");
fs.writeFileSync(
  path.join(runApp, 'main.js'),
  [
    "import hostFs from 'node:fs';",
    "import { greet } from './lib.js';",
    'const [command, ...rest] = process.argv.slice(2);',
    "console.log(greet(rest.join(',')), process.argv.length - 2);",
    "if (command === 'boom') throw new Error('boom from the bundle');",
    "if (command === 'read') console.log(hostFs.readFileSync(`${process.cwd()}/runapp/secret.txt`, 'utf8'));",
    'process.exitCode = 3;',
    '',
  ].join('\n'),
);

test('cordon bundle writes each format; cordon run runs it with its arguments and exit code', () => {
  for (const format of ['endoZipBase64', 'getExport', 'nestedEvaluate']) {
    const out = `run-${format}.json`;
    const made = cordon('bundle', 'runapp/main.js', '-f', format, '-o', out, '--no-cache');
    assert.equal(made.status, 0, `${format}: ${made.stderr}`);
    const bundle = JSON.parse(fs.readFileSync(path.join(tmp, out), 'utf8'));
    assert.equal(bundle.moduleFormat, format);
    const run = cordon('run', out, '--', 'x', 'a', 'b');
    assert.equal(run.status, 3, `${format}: ${run.stderr}`);
    assert.equal(run.stdout, 'hello a,b 3\n', format);
    const boom = cordon('run', out, '--', 'boom');
    assert.equal(boom.status, 1, format);
    assert.match(boom.stderr, /Error: boom from the bundle\n\s+at /, format);
  }
  // endoScript cannot carry a host module: refused at bundle time with the code.
  const script = cordon('bundle', 'runapp/main.js', '-f', 'endoScript', '--no-cache');
  assert.equal(script.status, 1);
  assert.match(script.stderr, /CORDON_BUNDLE_HOST_MODULE/);
  const simple = writeApp(path.join(tmp, 'simple'), 'simple');
  const stdout = cordon('bundle', simple, '-f', 'endoScript', '--no-cache');
  assert.equal(stdout.status, 0, stdout.stderr);
  assert.equal(JSON.parse(stdout.stdout).moduleFormat, 'endoScript');
  assert.equal(cordon('bundle', simple, '-f', 'amd').status, 2);
  // An endoScript bundle (no host module) runs too.
  const plainApp = path.join(tmp, 'plain');
  fs.mkdirSync(plainApp);
  fs.writeFileSync(path.join(plainApp, 'package.json'), JSON.stringify({ name: 'plain', version: '1.0.0', type: 'module' }));
  fs.writeFileSync(path.join(plainApp, 'main.js'), "console.log('endoScript ran', process.argv.slice(2).join(','));\n");
  assert.equal(cordon('bundle', 'plain/main.js', '-f', 'endoScript', '-o', 'plain.json', '--no-cache').status, 0);
  const ran = cordon('run', 'plain.json', '--', 'p', 'q');
  assert.equal(ran.status, 0, ran.stderr);
  assert.equal(ran.stdout, 'endoScript ran p,q\n');
});

test('a bundle runs under the run\'s host: files stay denied unless a flag grants them', () => {
  for (const format of ['endoZipBase64', 'getExport']) {
    const out = `run-${format}.json`;
    assert.equal(cordon('bundle', 'runapp/main.js', '-f', format, '-o', out, '--no-cache').status, 0);
    const denied = cordon('run', out, '--', 'read');
    assert.notEqual(denied.status, 0, format);
    assert.match(denied.stderr, /ERR_ACCESS_DENIED|access denied/, format);
    const allowed = cordon('run', `--allow-read=${path.join(runApp, 'secret.txt')}`, out, '--', 'read');
    assert.equal(allowed.status, 3, `${format}: ${allowed.stderr}`);
    assert.match(allowed.stdout, /the secret/, format);
  }
});

test('under a policy: a script bundle is refused (one compartment), an endoZipBase64 bundle is held to it', () => {
  fs.writeFileSync(path.join(tmp, 'policy.json'), JSON.stringify({ resources: {} }));
  assert.equal(cordon('bundle', 'runapp/main.js', '-f', 'getExport', '-o', 'pol-script.json', '--no-cache').status, 0);
  const script = cordon('run', '--policy', 'policy.json', 'pol-script.json', '--', 'x');
  assert.equal(script.status, 1);
  assert.match(script.stderr, /runs in one compartment, so a per-package policy cannot apply/);
  // A dependency that imports a builtin the policy does not grant it.
  const app = path.join(tmp, 'polapp');
  fs.mkdirSync(path.join(app, 'node_modules/reader'), { recursive: true });
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'polapp', version: '1.0.0', type: 'module', dependencies: { reader: '1.0.0' } }));
  fs.writeFileSync(path.join(app, 'main.js'), "import { sep } from 'reader';\nconsole.log('separator', sep);\n");
  fs.writeFileSync(path.join(app, 'node_modules/reader/package.json'), JSON.stringify({ name: 'reader', version: '1.0.0', type: 'module' }));
  fs.writeFileSync(path.join(app, 'node_modules/reader/index.js'), "import path from 'node:path';\nexport const sep = path.sep;\n");
  assert.equal(cordon('bundle', 'polapp/main.js', '-o', 'pol-zip.json', '--no-cache').status, 0);
  const free = cordon('run', 'pol-zip.json');
  assert.equal(free.status, 0, free.stderr);
  assert.equal(free.stdout, `separator ${path.sep}\n`);
  const held = cordon('run', '--policy', 'policy.json', 'pol-zip.json');
  assert.equal(held.status, 1, held.stderr);
  assert.match(held.stderr, /POLICY_DENIED/);
  assert.equal(held.stdout, '');
});

test('cordon check-bundle: 0 for a sound bundle, 1 with the reason otherwise', () => {
  assert.equal(cordon('bundle', 'runapp/main.js', '-o', 'check.json', '--no-cache').status, 0);
  const sound = cordon('check-bundle', 'check.json');
  assert.equal(sound.status, 0, sound.stderr);
  const bundle = JSON.parse(fs.readFileSync(path.join(tmp, 'check.json'), 'utf8'));
  fs.writeFileSync(path.join(tmp, 'forged.json'), JSON.stringify({ ...bundle, endoZipBase64Sha512: 'e'.repeat(128) }));
  const forged = cordon('check-bundle', 'forged.json');
  assert.equal(forged.status, 1);
  assert.match(forged.stderr, /CORDON_BUNDLE_HASH_MISMATCH/);
  assert.equal(cordon('run', 'forged.json').status, 1, 'run refuses it too');
  assert.equal(cordon('bundle', 'runapp/main.js', '-f', 'getExport', '-o', 'script.json', '--no-cache').status, 0);
  const script = cordon('check-bundle', 'script.json');
  assert.equal(script.status, 1);
  assert.match(script.stderr, /CORDON_BUNDLE_NOT_CHECKABLE/);
  fs.writeFileSync(path.join(tmp, 'bad.json'), JSON.stringify({ moduleFormat: 'getExport', source: 1 }));
  const bad = cordon('check-bundle', 'bad.json');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /CORDON_INVALID_BUNDLE.*not strings: source/);
});

test('the bundle cache: a hit on the second run, a changed file\'s content invalidates, a corrupt entry is written again', () => {
  const app = path.join(tmp, 'cached');
  const main = writeApp(app);
  // An extensionless require: the resolution probes ./lib/helper (nothing there) before ./lib/helper.js.
  const index = path.join(app, 'node_modules/cjs-dep/index.js');
  fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace("require('./lib/helper.js')", "require('./lib/helper')"));
  const cache = path.join(tmp, 'cache');
  const bundle = (...more) => cordon('bundle', main, '--cache', cache, '--verbose', '-o', 'cached.json', ...more);
  const first = bundle();
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /cache miss: no entry/);
  assert.match(first.stderr, /cache: wrote .* \((\d+) files recorded\)/);
  const firstBytes = fs.readFileSync(path.join(tmp, 'cached.json'), 'utf8');
  const entries = fs.readdirSync(cache);
  assert.equal(entries.length, 1, 'one entry, no temporary file left');
  const entryFile = path.join(cache, entries[0]);
  const recorded = JSON.parse(fs.readFileSync(entryFile, 'utf8'));
  assert.ok(Object.keys(recorded.reads).some(location => location.endsWith('/node_modules/cjs-dep/lib/helper.js')), 'a dependency file is recorded');
  assert.ok(Object.keys(recorded.reads).some(location => location.endsWith('/node_modules/esm-dep/package.json')), 'package.json files are recorded');

  const second = bundle();
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /cache hit/);
  assert.equal(fs.readFileSync(path.join(tmp, 'cached.json'), 'utf8'), firstBytes);

  // The same mtime, other content: content decides.
  const helper = path.join(app, 'node_modules/cjs-dep/lib/helper.js');
  const { mtime } = fs.statSync(helper);
  fs.writeFileSync(helper, "module.exports = { mul: (a, b) => a * b * 10, name: 'helper' };\n");
  fs.utimesSync(helper, mtime, mtime);
  const changed = bundle();
  assert.equal(changed.status, 0, changed.stderr);
  assert.match(changed.stderr, /cache miss: .*helper\.js changed/);
  assert.notEqual(fs.readFileSync(path.join(tmp, 'cached.json'), 'utf8'), firstBytes);
  assert.match(bundle().stderr, /cache hit/);

  // Other options are another entry.
  const other = bundle('-f', 'getExport');
  assert.match(other.stderr, /cache miss: no entry/);
  assert.equal(fs.readdirSync(cache).length, 2);

  // A corrupt entry: ignored, rebuilt, written again (then a hit).
  fs.writeFileSync(entryFile, '{"format":"cordon-bundle-cache-1", "bundle": ');
  const corrupt = bundle();
  assert.equal(corrupt.status, 0, corrupt.stderr);
  assert.match(corrupt.stderr, /is corrupt .*rebuilding/);
  assert.match(corrupt.stderr, /cache: wrote/);
  assert.match(bundle().stderr, /cache hit/);
  // An entry whose bundle was edited no longer matches its own hash.
  const edited = JSON.parse(fs.readFileSync(entryFile, 'utf8'));
  edited.bundle.endoZipBase64Sha512 = 'f'.repeat(128);
  fs.writeFileSync(entryFile, JSON.stringify(edited));
  assert.match(bundle().stderr, /cache miss: its bundle does not match its recorded hash/);
  assert.match(bundle().stderr, /cache hit/);

  // A file that appears where the bundling once found nothing invalidates too.
  const probed = Object.entries(JSON.parse(fs.readFileSync(entryFile, 'utf8')).reads).find(([location, sha]) => sha === null && location.endsWith('/lib/helper'));
  assert.ok(probed, 'the probe that found nothing is recorded');
  fs.writeFileSync(fileURLToPath(probed[0]), "module.exports = { mul: () => 0, name: 'shadow' };\n");
  assert.match(bundle().stderr, /helper now exists/);
  fs.rmSync(fileURLToPath(probed[0]));
  assert.match(bundle().stderr, /helper is gone/);

  // --no-cache: no cache consulted or written.
  const none = cordon('bundle', main, '--no-cache', '--verbose', '-o', 'nocache.json');
  assert.equal(none.status, 0, none.stderr);
  assert.doesNotMatch(none.stderr, /cache (hit|miss)|cache:/);
  assert.match(none.stderr, /wrote nocache\.json/);
});

test('bundles from the CLI are the library\'s and deterministic across paths', () => {
  const a = writeApp(path.join(tempDir('cli-bundle-a'), 'one'), 'simple');
  const b = writeApp(path.join(tempDir('cli-bundle-b'), 'two', 'deeper'), 'simple');
  for (const format of FORMATS) {
    const one = cordon('bundle', a, '-f', format, '--no-cache');
    const two = cordon('bundle', b, '-f', format, '--no-cache');
    assert.equal(one.status, 0, one.stderr);
    assert.equal(one.stdout, two.stdout, format);
    assert.ok(!one.stdout.includes(path.dirname(a)), format);
  }
});

test('determinism across processes and checkouts: two cordon bundle processes, on two copies of the app at different paths, write the same bytes in every format', () => {
  const one = writeApp(path.join(tmp, 'checkout-one', 'app'));
  const two = writeApp(path.join(tmp, 'elsewhere', 'deeper', 'checkout-two', 'app'));
  for (const format of FORMATS) {
    const a = cordon('bundle', one, '-f', format, '--no-cache', '-o', `one-${format}.json`);
    const b = cordon('bundle', two, '-f', format, '--no-cache', '-o', `two-${format}.json`);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    const bytes = fs.readFileSync(path.join(tmp, `one-${format}.json`));
    assert.deepEqual(bytes, fs.readFileSync(path.join(tmp, `two-${format}.json`)), format);
    assert.ok(!bytes.toString('utf8').includes(tmp), `${format}: no path of the machine`);
  }
});
