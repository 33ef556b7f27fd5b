#!/usr/bin/env node
// Where `cordon run`'s start-up goes, phase by phase (docs/ARCHITECTURE.md, "Start-up"):
//
//   node scripts/startup-profile.mjs [--runs 11] [--node BIN] [--modules] -- run [flags] <entry> [-- args]
//
// (flags with a value as --flag=value: the first other argument after `run` is the entry, which plain
// `node` runs too.)
// Copies dist/ (and what it needs) to a temporary folder, puts a timestamp (performance.now(), ms since
// the process began) at fixed places of the launcher, the CLI and importLocation, rebuilds the bundle
// there from the marked files, runs the command once to fill the caches, then --runs times more, and
// prints the median of each phase (the time since the mark before) and of the wall time, beside plain
// `node <entry>`'s. --modules runs the CLI as modules (CORDON_CLI_BUNDLE=0). An anchor that is no longer
// in the built code is reported, and its phase is merged into the next.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), '..');
const separator = process.argv.indexOf('--', 2);
if (separator === -1) {
  process.stderr.write('usage: node scripts/startup-profile.mjs [--runs N] [--node BIN] [--modules] -- run [flags] <entry> [-- args]\n');
  process.exit(2);
}
const { values } = parseArgs({
  args: process.argv.slice(2, separator),
  options: { runs: { type: 'string', default: '11' }, node: { type: 'string', default: process.execPath }, modules: { type: 'boolean', default: false } },
});
const command = process.argv.slice(separator + 1);

// [file under dist/, text in it, phase that ends there, mark after the text instead of before]
const ANCHORS = [
  ['cli/main.js', 'const argv = process.argv', 'node start-up, main.js and launch.js loaded'],
  ['cli/launch.js', '    const bundleFile = path.join(cliDir, manifest.bundle);', 'manifest read', true],
  ['cli/launch.js', '    let source;', 'bundle checked current'],
  ['cli/launch.js', '    const build = `cli-${manifest.sha256', 'bundle read'],
  ['cli/launch.js', '    const bundled = { exports: {} };', 'bundle compiled (from the code cache when warm)'],
  ['cli/launch.js', '    const { main } = bundled.exports;', 'bundle evaluated'],
  ['cli/main.js', 'const code = await main(argv);', 'CLI loaded'],
  ['cli/run.js', "    await import('ses');", 'flags, policy files'],
  ['cli/run.js', "    await import('ses');", "import 'ses'", true],
  ['cli/run.js', '        ses.lockdown(nodeLockdownOptions);', 'lockdown()', true],
  ['cli/run.js', '        bridge = makeRunHost(entryPath, options, policy);', 'host bridge, permissions', true],
  ['cli/run.js', '    const compartmentGlobals =', 'compile cache opened (fingerprint)'],
  ['cli/run.js', '    const host = {', "Node's globals"],
  ['run/import.js', '            const linked = link(compartmentMap', 'mapNodeModules (package graph)'],
  ['run/import.js', '            const entry = new URL(linked.entryModule', 'link (compartments)'],
  ['run/import.js', '            const executed = await linked.entryCompartment.import', 'load (read, hash, compile or cache, resolve)'],
  ['run/import.js', '            const namespace = specNamespace(', 'execute (instantiate, evaluate, run)'],
  ['cli/main.js', 'bundled?.started();', 'importLocation returned'],
];

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-startup-profile-'));
const copy = path.join(work, 'cordon');
fs.mkdirSync(copy);
for (const name of ['dist', 'bundles', 'scripts', 'package.json']) fs.cpSync(path.join(root, name), path.join(copy, name), { recursive: true });
fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
const missing = [];
const byFile = new Map();
for (const anchor of ANCHORS) byFile.set(anchor[0], [...(byFile.get(anchor[0]) ?? []), anchor]);
for (const [file, anchors] of byFile) {
  const target = path.join(copy, 'dist', file);
  if (!fs.existsSync(target)) {
    for (const [, find, label] of anchors) missing.push(`${file} (no such file): ${JSON.stringify(find)} (${label})`);
    continue;
  }
  let text = fs.readFileSync(target, 'utf8');
  for (const [, find, label, after] of anchors) {
    if (!text.includes(find)) {
      missing.push(`${file}: ${JSON.stringify(find)} (${label})`);
      continue;
    }
    const mark = `globalThis.__cordonStartupMark?.(${JSON.stringify(label)});`;
    text = text.replace(find, after ? `${find}\n${mark}` : `${mark}\n${find}`);
  }
  fs.writeFileSync(target, text);
}
const built = spawnSync(process.execPath, [path.join(copy, 'scripts', 'build-cli-bundle.mjs')], { encoding: 'utf8' });
if (built.status !== 0) throw new Error(`the marked bundle did not build: ${built.stderr}`);
const preload = path.join(work, 'marks.mjs');
fs.writeFileSync(
  preload,
  `const marks = [];
globalThis.__cordonStartupMark = label => marks.push([label, performance.now()]);
process.on('exit', () => {
  marks.push(['exit', performance.now()]);
  process.stderr.write('\\n__CORDON_STARTUP_MARKS__' + JSON.stringify(marks) + '\\n');
});
`,
);

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const env = { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache'), ...(values.modules ? { CORDON_CLI_BUNDLE: '0' } : {}) };
const time = args => {
  const start = process.hrtime.bigint();
  const result = spawnSync(values.node, args, { encoding: 'utf8', env });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.slice(-400)}`);
  const line = result.stderr.split('\n').find(l => l.startsWith('__CORDON_STARTUP_MARKS__'));
  return { wall, marks: line ? JSON.parse(line.slice('__CORDON_STARTUP_MARKS__'.length)) : [] };
};
const cordonArgs = ['--import', url.pathToFileURL(preload).href, path.join(copy, 'dist', 'cli', 'main.js'), ...command];
time(cordonArgs);
const runs = Number(values.runs);
const phases = new Map();
const walls = { cordon: [], node: [] };
// `node <entry>`: the entry is the first argument after `run` that is not a flag (flags take no separate value here).
const entry = command.slice(1).find(arg => !arg.startsWith('-'));
for (let i = 0; i < runs; i += 1) {
  const { wall, marks } = time(cordonArgs);
  walls.cordon.push(wall);
  let previous = 0;
  for (const [label, at] of marks) {
    if (!phases.has(label)) phases.set(label, { deltas: [], ats: [] });
    phases.get(label).deltas.push(at - previous);
    phases.get(label).ats.push(at);
    previous = at;
  }
  if (entry) walls.node.push(time([entry]).wall);
}
fs.rmSync(work, { recursive: true, force: true });

console.log(`cordon ${command.join(' ')} — ${values.node === process.execPath ? `node ${process.version}` : values.node}, ${values.modules ? 'CLI as modules' : 'CLI bundle'}, medians of ${runs} (ms; "at" is since the process began)`);
console.log(`${'phase'.padEnd(52)} ${'ms'.padStart(7)} ${'at'.padStart(7)}`);
for (const [label, { deltas, ats }] of phases) console.log(`${label.padEnd(52)} ${median(deltas).toFixed(1).padStart(7)} ${median(ats).toFixed(1).padStart(7)}`);
console.log(`${'wall time, spawn to exit'.padEnd(52)} ${median(walls.cordon).toFixed(1).padStart(7)}`);
if (walls.node.length > 0) console.log(`${`node ${path.basename(entry)}, wall time`.padEnd(52)} ${median(walls.node).toFixed(1).padStart(7)}`);
for (const line of missing) console.log(`anchor not found (its phase is in the next): ${line}`);
