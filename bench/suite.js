// `npm run bench`: the whole suite in one invocation. Every measurement is a fresh process (cold), the
// contenders alternate run by run, medians of --runs (default 5); each process reports the operation's
// time and its peak RSS. Contenders: Cordon, @endo/compartment-mapper, esbuild (bundling the same entry:
// the floor for reading, parsing and writing an app) and plain node (importing it: the floor for running
// it). Workloads: the largest app of the real-world list (express) and generated apps of 10 to 10,000
// modules in 1, 10 and 100 packages. Compile throughput comes from bench/compile.js, the cost of a policy
// (importLocation with / without, policy generation against LavaMoat's) from bench/policy.js, scripts and
// bundles (makeScript, bundleSource against Endo's) from bench/bundle.js, start-up (`cordon run` and
// importLocation against plain node, cold processes, issue 14's targets) from bench/startup.js. Writes
// bench/results.json and prints the tables.
//   npm run bench [-- --runs 5 --sizes 10,100,1000,10000 --packages 1,10,100 --endo-max 1000 --skip-compile --skip-policy --skip-host --skip-bundle --skip-startup]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import { parseArgs } from 'node:util';
import { generateApp } from './generate.js';
import { markdown, printPolicy } from './table.js';
import { bundleMarkdown, printBundle } from './bundle.js';
import { printStartup, startupMarkdown } from './startup.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    sizes: { type: 'string', default: '10,100,1000,10000' },
    packages: { type: 'string', default: '1,10,100' },
    'endo-max': { type: 'string', default: '1000' },
    'skip-compile': { type: 'boolean', default: false },
    'skip-policy': { type: 'boolean', default: false },
    'skip-host': { type: 'boolean', default: false },
    'skip-bundle': { type: 'boolean', default: false },
    'skip-startup': { type: 'boolean', default: false },
    worker: { type: 'string' },
    entry: { type: 'string' },
    archive: { type: 'string' },
  },
});
const root = path.resolve(import.meta.dirname, '..');
const apps = path.join(root, 'bench', '.apps');

if (values.worker) {
  const [contender, op] = values.worker.split(':');
  const entry = url.pathToFileURL(values.entry).href;
  let run;
  if (contender === 'node') {
    run = () => import(entry);
  } else if (contender === 'esbuild') {
    const esbuild = await import('esbuild');
    run = () => esbuild.build({ entryPoints: [values.entry], bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'silent' });
  } else {
    await import('ses');
    const host = await import('../dist/cli/node-host.js');
    lockdown(host.nodeLockdownOptions);
    const crypto = await import('node:crypto');
    const cordon = contender === 'cordon';
    const lib = cordon
      ? { ...(await import('cordon')), ...(await import('cordon/node-powers.js')) }
      : {
          ...(await import('@endo/compartment-mapper/node-modules.js')),
          ...(await import('@endo/compartment-mapper/archive.js')),
          ...(await import('@endo/compartment-mapper/import-archive.js')),
          ...(await import('@endo/compartment-mapper/import.js')),
          ...(await import('@endo/compartment-mapper/node-powers.js')),
        };
    const powers = lib.makeReadPowers({ fs, url, crypto, path });
    // As Endo's users call it: builtins through importHook, the archive parsed at a memory: location.
    const { ARCHIVE_LOCATION, builtinImportHook } = await import('./hosts.js');
    const importHook = builtinImportHook();
    const globals = host.nodeGlobals(new Set(Object.getOwnPropertyNames(new Compartment().globalThis)));
    const runOptions = cordon ? { globals, globalsFor: host.nodeGlobalsFor, importHook } : { globals: { ...globals, global: globalThis }, importHook };
    const { parseArchive } = cordon ? lib : await import('@endo/compartment-mapper/import-archive.js');
    run = {
      map: () => lib.mapNodeModules(powers, entry, {}),
      make: async () => fs.writeFileSync(values.archive, await lib.makeArchive(powers, entry, { importHook })),
      'import-archive': async () => (await parseArchive(fs.readFileSync(values.archive), ARCHIVE_LOCATION, { computeSha512: powers.computeSha512, importHook })).import(runOptions),
      import: () => lib.importLocation(powers, entry, runOptions),
    }[op];
  }
  const start = process.hrtime.bigint();
  await run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  process.stdout.write(JSON.stringify({ ms, rssMB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

const self = url.fileURLToPath(import.meta.url);
const median = xs => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const runs = Number(values.runs);
const started = Date.now();

const measure = (contender, op, entry, archive) => {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [self, '--worker', `${contender}:${op}`, '--entry', entry, '--archive', archive ?? ''], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 24 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    const lines = `${result.stderr}\n${result.stdout}`.split('\n').map(l => l.trim()).filter(Boolean);
    return { error: (lines.find(l => /Error|rejected|Cannot/.test(l)) ?? lines[0] ?? `exit ${result.status}`).slice(0, 100) };
  }
  return { wallMs, ...JSON.parse(result.stdout) };
};

/** Runs every (contender, op) of a workload `runs` times, alternating, and keeps medians. */
const benchmark = (name, entry, { endo, moduleCount }) => {
  const archive = contender => path.join(path.dirname(entry), `.${contender}.zip`);
  const jobs = [
    ['cordon', 'map'], ['cordon', 'make'], ['cordon', 'import-archive'], ['cordon', 'import'],
    ...(endo ? [['endo', 'map'], ['endo', 'make'], ['endo', 'import-archive'], ['endo', 'import']] : []),
    ['esbuild', 'bundle'], ['node', 'import'],
  ];
  const samples = new Map(jobs.map(job => [job.join(':'), []]));
  const errors = new Map();
  for (let i = 0; i < runs; i += 1) {
    // Archives first (import-archive needs them), the rest in an order that rotates run by run.
    const order = [...jobs.filter(([, op]) => op === 'make'), ...rotate(jobs.filter(([, op]) => op !== 'make'), i)];
    for (const [contender, op] of order) {
      const key = `${contender}:${op}`;
      if (errors.has(key) || (op === 'import-archive' && errors.has(`${contender}:make`))) continue;
      const result = measure(contender, op, entry, archive(contender));
      if (result.error) errors.set(key, result.error);
      else samples.get(key).push(result);
    }
  }
  const row = key => {
    const list = samples.get(key) ?? [];
    const error = errors.get(key) ?? (key.endsWith('import-archive') ? errors.get(key.replace('import-archive', 'make')) : undefined);
    if (error || list.length === 0) return { error: error ?? 'not run' };
    return { ms: median(list.map(s => s.ms)), wallMs: median(list.map(s => s.wallMs)), rssMB: median(list.map(s => s.rssMB)) };
  };
  const result = { name, moduleCount, ops: Object.fromEntries(jobs.map(job => [job.join(':'), row(job.join(':'))])) };
  process.stderr.write(`  ${name}: done (${Math.round((Date.now() - started) / 1000)} s)\n`);
  return result;
};
const rotate = (list, by) => list.map((_, i) => list[(i + by) % list.length]);

// Compile throughput (its own alternating harness).
let compile;
if (!values['skip-compile']) {
  process.stderr.write('compile throughput…\n');
  compile = JSON.parse(execFileSync(process.execPath, [path.join(root, 'bench', 'compile.js'), '--json', '--rounds', String(runs), '--passes', '1'], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 24 }));
}

// What a policy costs (its own alternating harness: importLocation with / without, generation vs LavaMoat).
let policy;
if (!values['skip-policy']) {
  process.stderr.write('policy…\n');
  policy = JSON.parse(execFileSync(process.execPath, [path.join(root, 'bench', 'policy.js'), '--json', '--runs', String(runs)], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 24 }));
}

// What the host bridge costs (bench/host.js: a file-reading and a socket-heavy app; node, -A, per-package grants).
let host;
if (!values['skip-host']) {
  process.stderr.write('host bridge…\n');
  const file = path.join(apps, 'host.json');
  execFileSync(process.execPath, [path.join(root, 'bench', 'host.js'), '--json', file, '--runs', String(runs)], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 24 });
  host = JSON.parse(fs.readFileSync(file, 'utf8'));
}

// Scripts and bundles (bench/bundle.js: makeScript and bundleSource in each format, Cordon against Endo's, on express and lodash-es).
let bundle;
if (!values['skip-bundle']) {
  process.stderr.write('scripts and bundles…\n');
  bundle = JSON.parse(execFileSync(process.execPath, [path.join(root, 'bench', 'bundle.js'), '--json', '--runs', String(runs)], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 24 }));
}

// Start-up (bench/startup.js: cordon run and importLocation against plain node, cold processes).
let startup;
if (!values['skip-startup']) {
  process.stderr.write('start-up…\n');
  startup = JSON.parse(execFileSync(process.execPath, [path.join(root, 'bench', 'startup.js'), '--json', '--runs', String(runs)], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 24 }));
}

process.stderr.write('workloads…\n');
const workloads = [];
fs.mkdirSync(path.join(apps, 'express'), { recursive: true });
fs.writeFileSync(path.join(apps, 'express', 'package.json'), JSON.stringify({ name: 'bench-express', version: '1.0.0', type: 'module', dependencies: { express: '*' } }));
fs.writeFileSync(path.join(apps, 'express', 'main.mjs'), "import * as ns from 'express';\nexport { ns };\n");
workloads.push(benchmark('express (148 modules, 71 packages)', path.join(apps, 'express', 'main.mjs'), { endo: true, moduleCount: 148 }));
for (const packages of values.packages.split(',').map(Number)) {
  for (const size of values.sizes.split(',').map(Number)) {
    if (size < packages) continue;
    const entry = generateApp(path.join(apps, `gen-${size}-${packages}`), size, packages);
    const moduleCount = Math.floor(size / packages) * packages + 1;
    workloads.push(benchmark(`generated ${size} modules / ${packages} packages`, entry, { endo: size <= Number(values['endo-max']), moduleCount }));
  }
}

const results = { node: process.version, runs, date: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000), compile, workloads, policy, host, bundle, startup };
fs.writeFileSync(path.join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

const fmt = op => (op.error ? `fails: ${op.error.slice(0, 40)}` : `${op.ms.toFixed(1)}`);
const ratio = (a, b) => (a?.error || b?.error || !a || !b ? '—' : `${(a.ms / b.ms).toFixed(2)}x`);
if (compile) {
  console.log('\ncompile throughput (MB/s), Cordon vs @endo/module-source');
  console.table(compile.workloads.map(w => ({ workload: w.workload, MB: w.MB, 'cold c/e MB/s': `${w.cold.cordonMBps} / ${w.cold.endoMBps}`, cold: `${w.cold.ratio}x`, 'warm c/e MB/s': `${w.warm.cordonMBps} / ${w.warm.endoMBps}`, warm: `${w.warm.ratio}x` })));
}
console.log(`\ncold operations, ms (median of ${runs}; a fresh process each), peak RSS in MB`);
console.table(
  workloads.map(({ name, ops }) => ({
    workload: name,
    'map c/e': `${fmt(ops['cordon:map'])} / ${ops['endo:map'] ? fmt(ops['endo:map']) : '—'}`,
    'makeArchive c/e': `${fmt(ops['cordon:make'])} / ${ops['endo:make'] ? fmt(ops['endo:make']) : '—'}`,
    'importArchive c/e': `${fmt(ops['cordon:import-archive'])} / ${ops['endo:import-archive'] ? fmt(ops['endo:import-archive']) : '—'}`,
    'importLocation c/e': `${fmt(ops['cordon:import'])} / ${ops['endo:import'] ? fmt(ops['endo:import']) : '—'}`,
    esbuild: fmt(ops['esbuild:bundle']),
    node: fmt(ops['node:import']),
    'RSS c/e/node': `${ops['cordon:import'].rssMB?.toFixed(0) ?? '—'} / ${ops['endo:import']?.rssMB?.toFixed(0) ?? '—'} / ${ops['node:import'].rssMB?.toFixed(0) ?? '—'}`,
  })),
);
console.log('\nratios (pair by pair)');
console.table(
  workloads.map(({ name, moduleCount, ops }) => ({
    workload: name,
    'map e/c': ratio(ops['endo:map'], ops['cordon:map']),
    'make e/c': ratio(ops['endo:make'], ops['cordon:make']),
    'make c/esbuild': ratio(ops['cordon:make'], ops['esbuild:bundle']),
    'importArchive e/c': ratio(ops['endo:import-archive'], ops['cordon:import-archive']),
    'importLocation wall c/node': ops['cordon:import'].error ? '—' : `${(ops['cordon:import'].wallMs / ops['node:import'].wallMs).toFixed(2)}x`,
    'µs per module (importLocation)': ops['cordon:import'].error ? '—' : ((ops['cordon:import'].ms * 1000) / moduleCount).toFixed(0),
  })),
);
if (policy) printPolicy(policy);
console.log(`\nfor the README (also \`node bench/table.js\`):\n\n${markdown(results)}`);
if (host) {
  console.log('\nHost bridge cost (bench/host.js; cold processes, medians, contenders alternating)\n');
  console.log('| app | contender | app I/O ms | × node | × -A | wall ms | × node |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const row of host) console.log(`| ${row.app} | ${row.contender} | ${row.ioMs.toFixed(1)} | ${row.ioVsNode.toFixed(2)} | ${row.ioVsAllowAll.toFixed(2)} | ${row.wallMs.toFixed(0)} | ${row.wallVsNode.toFixed(2)} |`);
}
if (bundle) {
  printBundle(bundle);
  console.log(`\nScripts and bundles, for the README:\n\n${bundleMarkdown(bundle)}`);
}
if (startup) {
  printStartup(startup);
  console.log(`\nStart-up, for the README:\n\n${startupMarkdown(startup)}`);
}
console.log(`\nwrote bench/results.json (${results.seconds} s)`);
