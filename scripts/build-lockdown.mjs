#!/usr/bin/env node
// Builds Cordon's lockdown bundles (run after tsc: it bundles with dist/):
//
//   bundles/lockdown.json        lockdown/entry.js, a nestedEvaluate bundle (ses + console + inspector)
//   bundles/lockdown-debug.json  lockdown/entry-debug.js, the same locked down for debugging
//   bundles/lockdown.lock.json   what they were made from, and their SHA-256
//
// Each bundle file is JSON.stringify(bundle), no trailing newline: its sha256sum is the bundle's hash.
// The bytes must stay stable: they are what xsnap workers are started from (and their hash is pinned
// by whoever runs them). So:
//   - inputs (ses's version, every bundled file's SHA-256, the bundle options) as in the lock, and the
//     same bytes: nothing to do;
//   - inputs as in the lock but other bytes (a changed bundler, a tampered file): fail, saying which;
//     `--update` accepts new bytes deliberately;
//   - inputs changed (a new ses, an edited entry): write the new bundles and lock, and say so.
// The bundler (Cordon's own source) is recorded in the lock but is not an input: a Cordon release that
// changes its compiler must not change the bundles' bytes without someone deciding it (--update).
//
// Options: --check (write nothing; fail if anything would change), --update, --bundles <dir>.
import 'ses';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import util from 'node:util';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe', consoleTaming: 'unsafe' });

const root = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), '..');
const { values: flags } = util.parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    update: { type: 'boolean', default: false },
    bundles: { type: 'string', default: path.join(root, 'bundles') },
  },
});
const bundlesDir = path.resolve(flags.bundles);
const entryDir = path.join(root, 'lockdown');

const { makeFunctor } = await import(url.pathToFileURL(path.join(root, 'dist/functor.js')).href);
const { makeReadPowers } = await import(url.pathToFileURL(path.join(root, 'dist/node-powers.js')).href);
const { nestedEvaluateSource } = await import(url.pathToFileURL(path.join(root, 'dist/pack/index.js')).href);

const sha256 = bytes => crypto.createHash('sha256').update(bytes).digest('hex');
const sorted = record => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const fail = message => {
  process.stderr.write(`build-lockdown: ${message}\n`);
  process.exit(1);
};

// Every option that shapes the bytes; part of the inputs.
const BUNDLE_OPTIONS = { useEvaluate: true, format: 'cjs', sourceUrlPrefix: '/bundled-source/.../' };
const ENTRIES = { 'lockdown.json': 'entry.js', 'lockdown-debug.json': 'entry-debug.js' };

/** A bundled file's name with no path of this machine: `<package>/<path>`. */
const nameOfLocation = location => {
  const file = url.fileURLToPath(location);
  const inModules = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (inModules !== -1) return file.slice(inModules + '/node_modules/'.length).split(path.sep).join('/');
  const relative = path.relative(entryDir, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) fail(`a bundled file is outside lockdown/ and node_modules/: ${relative}`);
  return `cordon-lockdown/${relative.split(path.sep).join('/')}`;
};
const packageNameOf = name => name.split('/').slice(0, name.startsWith('@') ? 2 : 1).join('/');

const readPowers = makeReadPowers({ fs, url, crypto });
const modules = {};
const packages = {};
const outputs = {};
for (const [file, entry] of Object.entries(ENTRIES)) {
  const functor = await makeFunctor(readPowers, url.pathToFileURL(path.join(entryDir, entry)).href, {
    ...BUNDLE_OPTIONS,
    onModule: module => {
      const name = nameOfLocation(module.location);
      modules[name] = sha256(module.bytes);
      const pkg = packageNameOf(name);
      if (pkg !== 'cordon-lockdown' && packages[pkg] === undefined) {
        const file = url.fileURLToPath(module.location);
        const modulesDir = file.slice(0, file.lastIndexOf(`${path.sep}node_modules${path.sep}`) + '/node_modules/'.length);
        packages[pkg] = JSON.parse(fs.readFileSync(path.join(modulesDir, pkg, 'package.json'), 'utf8')).version;
      }
    },
  });
  const bundle = { moduleFormat: 'nestedEvaluate', source: nestedEvaluateSource(functor), sourceMap: '' };
  const text = JSON.stringify(bundle);
  // Deterministic across checkouts: nothing of this machine's paths.
  for (const leak of new Set([root, fs.realpathSync(root), path.dirname(root)])) {
    if (leak.length > 1 && text.includes(leak)) fail(`${file} would contain a path of this machine (${JSON.stringify(leak)}); a bundle must not depend on where it is built`);
  }
  outputs[file] = text;
}
modules['cordon-lockdown/package.json'] = sha256(fs.readFileSync(path.join(entryDir, 'package.json')));

const inputs = {
  ses: packages.ses,
  packages: sorted(packages),
  entries: ENTRIES,
  options: BUNDLE_OPTIONS,
  files: sorted(modules),
};
const bundlerFiles = [];
const walk = dir => {
  for (const dirent of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, dirent.name);
    if (dirent.isDirectory()) walk(full);
    else if (dirent.name.endsWith('.ts')) bundlerFiles.push(full);
  }
};
for (const folder of ['compile', 'discover', 'link', 'load', 'model', 'pack', 'resolve']) {
  if (fs.existsSync(path.join(root, 'src', folder))) walk(path.join(root, 'src', folder));
}
const bundlerHash = crypto.createHash('sha256');
for (const file of bundlerFiles) bundlerHash.update(`${path.relative(root, file).split(path.sep).join('/')}\0`).update(fs.readFileSync(file)).update('\0');
const cordonVersion = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;

const lock = {
  lock: 'cordon-lockdown-lock-1',
  inputs,
  bundler: { cordon: cordonVersion, sources: bundlerHash.digest('hex') },
  outputs: Object.fromEntries(Object.entries(outputs).map(([file, text]) => [file, { sha256: sha256(text), bytes: Buffer.byteLength(text) }])),
};

const lockPath = path.join(bundlesDir, 'lockdown.lock.json');
const readOr = (file, otherwise) => {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if (error.code === 'ENOENT') return otherwise;
    throw error;
  }
};
const previousText = readOr(lockPath, undefined);
const previous = previousText === undefined ? undefined : JSON.parse(previousText.toString('utf8'));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const shown = p => path.relative(process.cwd(), p) || '.';

const write = reason => {
  if (flags.check) fail(`the lockdown bundles are out of date (${reason}); run node scripts/build-lockdown.mjs`);
  fs.mkdirSync(bundlesDir, { recursive: true });
  for (const [file, text] of Object.entries(outputs)) fs.writeFileSync(path.join(bundlesDir, file), text);
  fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  const hashes = Object.entries(lock.outputs).map(([file, { sha256: hash }]) => `${file} ${hash}`).join(', ');
  process.stdout.write(`build-lockdown: wrote ${shown(bundlesDir)} (${reason}): ${hashes}\n`);
};

if (previous === undefined) {
  write('no lock yet');
} else if (!same(previous.inputs, inputs)) {
  const changes = [];
  if (previous.inputs?.ses !== inputs.ses) changes.push(`ses ${previous.inputs?.ses} → ${inputs.ses}`);
  const before = previous.inputs?.files ?? {};
  const changed = [...new Set([...Object.keys(before), ...Object.keys(inputs.files)])].filter(name => before[name] !== inputs.files[name]).sort();
  if (changed.length > 0) changes.push(`${changed.length} file${changed.length > 1 ? 's' : ''} changed: ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', …' : ''}`);
  if (!same(previous.inputs?.options, inputs.options) || !same(previous.inputs?.entries, inputs.entries)) changes.push('bundle options changed');
  if (!same(previous.inputs?.packages, inputs.packages)) changes.push('package versions changed');
  write(`inputs changed: ${changes.join('; ') || 'the lock format changed'}`);
} else {
  const problems = [];
  for (const [file, text] of Object.entries(outputs)) {
    const locked = previous.outputs?.[file]?.sha256;
    const built = sha256(text);
    const onDisk = readOr(path.join(bundlesDir, file), undefined);
    if (locked !== built) {
      problems.push(`${file}: built ${built}, the lock says ${locked}` + (previous.bundler?.sources !== lock.bundler.sources ? " (Cordon's bundler sources differ from the lock's: the bundler's output changed)" : ' (the bundler sources are the lock\'s: is the build nondeterministic?)'));
    } else if (onDisk === undefined) {
      problems.push(`${file}: missing (the lock says ${locked})`);
    } else if (sha256(onDisk) !== locked) {
      problems.push(`${file}: the file's sha256 is ${sha256(onDisk)}, the lock (and this build) say ${locked}: the file was altered`);
    }
  }
  if (problems.length === 0) {
    process.stdout.write(`build-lockdown: up to date (ses ${inputs.ses}; lockdown.json ${lock.outputs['lockdown.json'].sha256})\n`);
  } else if (flags.update && !flags.check) {
    write(`--update: ${problems.join('; ')}`);
  } else {
    fail(
      `the lockdown bundles' bytes changed for the same inputs (ses ${inputs.ses}, the same files as ${shown(lockPath)}):\n  ${problems.join('\n  ')}\n` +
        'Their bytes must stay stable across Cordon releases that do not change ses (xsnap workers pin their hash). ' +
        'Restore the files (git checkout bundles/), or, if the new bytes are deliberate, run node scripts/build-lockdown.mjs --update and commit bundles/.',
    );
  }
}
