// Cordon's real-world list (test/helpers/real-world-list.js: popular npm packages across niches, ESM-only,
// CommonJS-only and dual) in every host configuration Endo's users give importLocation on Node
// (test/helpers/host-configs.js). Each package is imported from an ES module (`import * as ns`) and
// required from a CommonJS module (`module.exports = require(…)`) under real lockdown, and compared with
// Node's own `import()` and `require()` of it in a clean process, on the Node running this test: the
// sorted export names of the namespace, the sorted keys of require's value.
//
// Each configuration runs in a child process of its own (two at a time). Per configuration and kind,
// the packages that differ from Node must be exactly those of KNOWN: a new failure, or a fix that makes
// a KNOWN entry pass, fails the test with the package and the error. docs/real-world.md explains KNOWN.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import url from 'node:url';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { NICHES, REAL_WORLD, KINDS } from '../helpers/real-world-list.js';
import { CONFIG_NAMES, writeEntries } from '../helpers/host-configs.js';

const root = url.fileURLToPath(new URL('../../', import.meta.url));
const entries = path.join(root, 'test/run/.entries/real-world');
const results = path.join(root, 'test/run/.entries/real-world-results');

// Why Cordon does not give Node's answer, one cause per entry (the error, summarised).
const WHY = {
  deepEqualShim:
    'http-assert → deep-equal@1 assigns `exports.shim` with `exports === Object.keys`; SES froze Object.keys: "Cannot add property shim, object is not extensible"',
  overrideValueOf:
    'nunjucks assigns `SafeString.prototype.valueOf` on an object made by `Object.create(String.prototype)`; String.prototype.valueOf is frozen and overrideTaming \'severe\' does not cover it: "Cannot assign to read only property \'valueOf\'"',
};

// In every configuration.
const EVERYWHERE = {
  koa: WHY.deepEqualShim,
  nunjucks: WHY.overrideValueOf,
};

/** Per configuration, per kind: package → why it differs from Node (on every Node this runs on). */
const KNOWN = Object.fromEntries(
  CONFIG_NAMES.map(config => [
    config,
    Object.fromEntries(KINDS.map(kind => [kind, { ...EVERYWHERE }])),
  ]),
);

/** KNOWN on the Node running this test (the same on Node 20 and Node 24). */
const knownFor = (config, kind) => ({ ...KNOWN[config][kind] });

const relative = text => text.replaceAll(url.pathToFileURL(root).href, '').replaceAll(root, '');

/** A difference from Node, in one line. */
const describe = (ours, node) => {
  if (ours.error !== undefined) {
    const lines = relative(ours.error).split('\n').map(line => line.trim()).filter(Boolean);
    const text = lines.length > 1 && /^Cannot load /.test(lines[0]) ? lines.slice(1).join(' ') : lines.join(' ');
    return text.length > 400 ? `${text.slice(0, 400)}…` : text;
  }
  const missing = node.keys.filter(key => !ours.keys.includes(key));
  const extra = ours.keys.filter(key => !node.keys.includes(key));
  const list = keys => (keys.length > 8 ? `${keys.slice(0, 8).join(', ')}, … (${keys.length})` : keys.join(', '));
  return `export names differ: missing [${list(missing)}], extra [${list(extra)}]`;
};

/** Runs a helper program in a child process of its own; resolves with what it wrote to its out file. */
const runChild = (script, args, out) =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    execFile(process.execPath, [script, ...args, out], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${path.basename(script)} ${args.join(' ')} failed (${error.code ?? error.signal}):\n${String(stderr).slice(-4000)}`));
        return;
      }
      resolve({ ...JSON.parse(fs.readFileSync(out, 'utf8')), wallMs: Date.now() - started });
    });
  });

/** At most `limit` jobs at a time, started in order; one promise per job. */
const pool = (jobs, limit) => {
  const promises = [];
  let next = 0;
  let running = 0;
  const starts = [];
  const pump = () => {
    while (running < limit && next < starts.length) {
      running++;
      starts[next++]().finally(() => {
        running--;
        pump();
      });
    }
  };
  for (const job of jobs) {
    promises.push(
      new Promise((resolve, reject) => {
        starts.push(() => job().then(resolve, reject));
      }),
    );
  }
  pump();
  // The test awaits each in turn; a rejection is reported there, not as unhandled.
  for (const promise of promises) promise.catch(() => {});
  return promises;
};

fs.rmSync(entries, { recursive: true, force: true });
fs.mkdirSync(results, { recursive: true });
writeEntries(entries, REAL_WORLD);
const listScript = path.join(root, 'test/helpers/real-world-list.js');
const configScript = path.join(root, 'test/helpers/host-configs.js');
const [reference, ...runs] = pool(
  [
    () => runChild(listScript, [], path.join(results, 'node.json')),
    ...CONFIG_NAMES.map(config => () => runChild(configScript, [config, entries], path.join(results, `${config}.json`))),
  ],
  2,
);
const started = Date.now();

test(`real-world list: ${REAL_WORLD.length} packages in ${Object.keys(NICHES).length} niches, all devDependencies, all loaded by Node itself`, async () => {
  assert.ok(REAL_WORLD.length >= 60, `${REAL_WORLD.length} packages`);
  assert.equal(new Set(REAL_WORLD).size, REAL_WORLD.length, 'a package listed twice');
  const { devDependencies } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.deepEqual(REAL_WORLD.filter(name => !Object.hasOwn(devDependencies, name)), [], 'not devDependencies');
  const node = await reference;
  const failed = REAL_WORLD.flatMap(name => KINDS.filter(kind => node[name][kind].error !== undefined).map(kind => `${kind} ${name}: ${node[name][kind].error}`));
  assert.deepEqual(failed, [], 'Node itself cannot load these');
});

CONFIG_NAMES.forEach((config, index) => {
  test(`real-world, ${config}: the packages that differ from Node's import() and require() are those KNOWN`, async t => {
    const node = await reference;
    const ours = await runs[index];
    t.diagnostic(`${config} on Node ${ours.node}: its child took ${(ours.wallMs / 1000).toFixed(1)} s (${(ours.ms / 1000).toFixed(1)} s importing, ${(ours.cpuMs / 1000).toFixed(1)} s of CPU); done ${((Date.now() - started) / 1000).toFixed(1)} s after the start`);
    if (ours.late.length > 0) t.diagnostic(`errors after an import returned: ${ours.late.join('; ')}`);
    for (const kind of KINDS) {
      await t.test(kind, () => {
        const differing = {};
        for (const name of REAL_WORLD) {
          const mine = ours.results[name][kind];
          const theirs = node[name][kind];
          if (mine.error === undefined && JSON.stringify(mine.keys) === JSON.stringify(theirs.keys)) continue;
          differing[name] = describe(mine, theirs);
        }
        const known = knownFor(config, kind);
        const same = REAL_WORLD.length - Object.keys(differing).length;
        t.diagnostic(`${config} ${kind}: ${same}/${REAL_WORLD.length} give Node's answer`);
        const fresh = Object.keys(differing).filter(name => !Object.hasOwn(known, name));
        const fixed = Object.keys(known).filter(name => !Object.hasOwn(differing, name));
        const message = [
          `${config}, ${kind} on Node ${process.version}:`,
          ...(fresh.length > 0 ? ['  differ from Node but are not KNOWN (fix, or add to KNOWN with the reason):', ...fresh.map(name => `    ${name}: ${differing[name]}`)] : []),
          ...(fixed.length > 0 ? ['  KNOWN but now give Node\'s answer (remove from KNOWN):', ...fixed.map(name => `    ${name}: ${known[name]}`)] : []),
        ].join('\n');
        assert.deepEqual(Object.keys(differing).sort(), Object.keys(known).sort(), message);
      });
    }
  });
});
