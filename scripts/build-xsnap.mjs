#!/usr/bin/env node
// Builds the XS engine's `xsnap-worker` binary of the @agoric/xsnap dev dependency, which npm 11
// leaves unbuilt (it skips the package's install script). Idempotent: when the binary is there it
// only says so. Prints one line; on failure, the build's output tail and a non-zero exit.
//
// What it runs is the package's own build (`npm run build:from-env` = `env $(cat build.env) node
// src/build.js`), minus npm and xargs: `node src/build.js` with build.env's variables. Because the
// npm tarball carries the sources (moddable/xs/includes/xs.h) and no `.git`, build.js does not touch
// git or the network; it runs `make -f xsnap-worker.mk` (release and debug), which writes only
// under node_modules/@agoric/xsnap/xsnap-native/xsnap/build/ and build.config.env.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const started = Date.now();
const fail = (message, output = '') => {
  if (output) process.stderr.write(`${output.split('\n').slice(-40).join('\n')}\n`);
  console.error(`build:xs: FAILED: ${message}`);
  process.exit(1);
};

const platform = { Linux: 'lin', Darwin: 'mac' }[os.type()];
if (!platform) fail(`xsnap has no build for ${os.type()}`);

let pkgDir;
try {
  pkgDir = path.dirname(createRequire(import.meta.url).resolve('@agoric/xsnap/package.json'));
} catch {
  fail('@agoric/xsnap is not installed (run npm install)');
}
// The path xsnap.js spawns (src/xsnap.js: ../xsnap-native/xsnap/build/bin/<platform>/release/xsnap-worker).
const bin = path.join(pkgDir, 'xsnap-native', 'xsnap', 'build', 'bin', platform, 'release', 'xsnap-worker');
const rel = path.relative(process.cwd(), bin);

const isBuilt = () => {
  try {
    fs.accessSync(bin, fs.constants.X_OK);
    return fs.statSync(bin).size > 0;
  } catch {
    return false;
  }
};

if (isBuilt()) {
  console.log(`build:xs: xsnap-worker already built (${rel})`);
  process.exit(0);
}

if (!fs.existsSync(path.join(pkgDir, 'moddable', 'xs', 'includes', 'xs.h'))) {
  fail(`the XS sources are missing from ${pkgDir} (reinstall @agoric/xsnap)`);
}
if (fs.existsSync(path.join(pkgDir, 'moddable', '.git'))) {
  // build.js would treat this as a git working copy and fetch submodules; refuse rather than go online.
  fail(`${pkgDir}/moddable is a git checkout; build it there with its own tools`);
}
for (const [tool, args] of [['make', ['--version']], ['cc', ['--version']]]) {
  const probe = spawnSync(tool, args, { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    fail(`\`${tool}\` is not available (${probe.error ? probe.error.code : `exit ${probe.status}`}); xsnap-worker needs make and a C compiler (cc/gcc)`);
  }
}

// Two builds at once (two `npm test` runs) would write the same object files: one builds, the
// other waits for it.
const lock = path.join(pkgDir, '.build-xs.lock');
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const acquire = async () => {
  for (;;) {
    try {
      fs.mkdirSync(lock);
      return true;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let age = 0;
    try {
      age = Date.now() - fs.statSync(lock).mtimeMs;
    } catch {
      continue;
    }
    if (age > 10 * 60_000) {
      fs.rmSync(lock, { recursive: true, force: true }); // left by a build that was killed
      continue;
    }
    await sleep(500);
    if (isBuilt()) return false;
  }
};

if (!(await acquire())) {
  console.log(`build:xs: xsnap-worker built by a concurrent build (${rel})`);
  process.exit(0);
}

const env = { ...process.env };
for (const line of fs.readFileSync(path.join(pkgDir, 'build.env'), 'utf8').split('\n')) {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
  if (match) env[match[1]] = match[2];
}
if (!/(^|\s)-j/.test(env.MAKEFLAGS || '')) env.MAKEFLAGS = `${env.MAKEFLAGS || ''} -j${Math.min(os.availableParallelism?.() ?? 2, 4)}`.trim();

let output = '';
const code = await new Promise(resolve => {
  const child = spawn(process.execPath, ['src/build.js'], { cwd: pkgDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', chunk => (output += chunk));
  child.stderr.on('data', chunk => (output += chunk));
  child.on('error', error => {
    output += `\n${error.message}`;
    resolve(-1);
  });
  child.on('close', status => resolve(status));
});
fs.rmSync(lock, { recursive: true, force: true });

if (code !== 0) fail(`the xsnap-worker build exited with ${code} (make/cc output above)`, output);
if (!isBuilt()) fail(`the build finished but ${bin} is not there`, output);
console.log(`build:xs: built xsnap-worker in ${((Date.now() - started) / 1000).toFixed(1)} s (${rel})`);
