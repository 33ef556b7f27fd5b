// makeArchive and importArchive, Cordon against @endo/compartment-mapper, both called as Endo's API is
// called: Node's builtins come through `importHook` (not `modules`), and the archive is read from a
// `memory:` location (read powers that serve its bytes; nothing on disk is read for it). Each run is a
// fresh process per contender, the contenders alternating run by run in one invocation; a process times
// its first call (cold: what one `cordon pack` or one start pays) and then, after 3 warm-up calls, the
// median of 5 more (warm: what a build tool or server that makes or loads many archives pays).
// Workloads: express (148 modules in 71 packages), date-fns (305 modules), lodash-es (640 ES modules)
// and a generated app of 1,000 modules in 10 packages. Each contender imports its own archive.
//   npm run bench:archive [-- --runs 5 --apps express,date-fns,lodash-es,gen-1000-10 --json]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import { parseArgs } from 'node:util';
import { generateApp } from './generate.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    apps: { type: 'string', default: 'express,date-fns,lodash-es,gen-1000-10' },
    json: { type: 'boolean', default: false },
    worker: { type: 'string' },
    app: { type: 'string' },
    step: { type: 'string' },
  },
});
const root = path.resolve(import.meta.dirname, '..');
const appDir = app => path.join(root, 'bench', '.apps', `archive-${app}`);
const archiveOf = (app, contender) => path.join(appDir(app), `${contender}.zip`);
const entryOf = app => path.join(appDir(app), app.startsWith('gen-') ? 'main.js' : 'main.mjs');
import { ARCHIVE_LOCATION, builtinImportHook } from './hosts.js';


if (values.worker) {
  await import('ses');
  const host = await import('../dist/cli/node-host.js');
  lockdown(host.nodeLockdownOptions);
  const crypto = await import('node:crypto');
  const cordon = values.worker === 'cordon';
  const powersModule = cordon ? await import('cordon/node-powers.js') : await import('@endo/compartment-mapper/node-powers.js');
  const nodePowers = powersModule.makeReadPowers({ fs, url, crypto, path });
  const importHook = builtinImportHook();
  const entry = url.pathToFileURL(entryOf(values.app)).href;
  let once;
  if (values.step === 'make') {
    const { makeArchive } = cordon ? await import('cordon/archive.js') : await import('@endo/compartment-mapper/archive.js');
    let bytes;
    once = async () => {
      bytes = await makeArchive(nodePowers, entry, { importHook });
    };
    process.on('exit', () => bytes && fs.writeFileSync(archiveOf(values.app, values.worker), bytes));
  } else {
    // parseArchive and import, as importArchive does them: Endo's importArchive drops `importHook` when
    // it checks the archive (its loadArchive does not pass it on), so express cannot load through it.
    const { parseArchive } = cordon ? await import('cordon/import-archive.js') : await import('@endo/compartment-mapper/import-archive.js');
    const archive = new Uint8Array(fs.readFileSync(archiveOf(values.app, values.worker)));
    const powers = { ...nodePowers, read: async location => (location === ARCHIVE_LOCATION ? archive : nodePowers.read(location)) };
    const globals = host.nodeGlobals(new Set(Object.getOwnPropertyNames(new Compartment().globalThis)));
    // Cordon gives each package its own `global` (globalsFor); Endo has no such option, so it gets the
    // host's, without which lodash-es finds no global object at all.
    const options = cordon ? { globals, globalsFor: host.nodeGlobalsFor, importHook } : { globals: { ...globals, global: globalThis }, importHook };
    once = async () => {
      const application = await parseArchive(await powers.read(ARCHIVE_LOCATION), ARCHIVE_LOCATION, { computeSha512: powers.computeSha512, importHook });
      return application.import(options);
    };
  }
  // Wall time, and the process's CPU time (user + system) over the call, less sensitive to other load.
  const cpu = [];
  const time = async () => {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    await once();
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
    return wall;
  };
  let cold;
  try {
    cold = await time();
  } catch (error) {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  }
  for (let i = 0; i < 3; i += 1) await time();
  const warm = [];
  for (let i = 0; i < 5; i += 1) warm.push(await time());
  const warmCpu = cpu.slice(4).sort((a, b) => a - b);
  warm.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ cold, warm: warm[2], coldCpu: cpu[0], warmCpu: warmCpu[2] }));
  process.exit(0);
}

const self = url.fileURLToPath(import.meta.url);
const median = xs => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const prepare = app => {
  const generated = /^gen-(\d+)-(\d+)$/.exec(app);
  if (generated) return generateApp(appDir(app), Number(generated[1]), Number(generated[2]));
  fs.mkdirSync(appDir(app), { recursive: true });
  fs.writeFileSync(path.join(appDir(app), 'package.json'), JSON.stringify({ name: `bench-${app}`, version: '1.0.0', type: 'module', dependencies: { [app]: '*' } }, null, 2));
  fs.writeFileSync(entryOf(app), `import * as ns from '${app}';\nexport { ns };\n`);
  return entryOf(app);
};
const failureOf = result => {
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map(l => l.trim()).filter(Boolean);
  return (lines.find(l => /Error|rejected|Cannot/.test(l)) ?? lines[0] ?? `exit ${result.status}`).slice(0, 100);
};

const results = [];
for (const app of values.apps.split(',')) {
  prepare(app);
  for (const step of ['make', 'import']) {
    const samples = { cordon: { cold: [], warm: [], coldCpu: [], warmCpu: [] }, endo: { cold: [], warm: [], coldCpu: [], warmCpu: [] } };
    const failures = {};
    for (let i = 0; i < Number(values.runs); i += 1) {
      for (const contender of i % 2 === 0 ? ['cordon', 'endo'] : ['endo', 'cordon']) {
        if (failures[contender]) continue;
        const result = spawnSync(process.execPath, [self, '--worker', contender, '--app', app, '--step', step], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 24 });
        if (result.status !== 0) {
          failures[contender] = failureOf(result);
          continue;
        }
        const figures = JSON.parse(result.stdout);
        for (const key of Object.keys(samples[contender])) samples[contender][key].push(figures[key]);
      }
    }
    const figure = (contender, mode) => (failures[contender] ? undefined : median(samples[contender][mode]));
    const entry = { app, step: step === 'make' ? 'makeArchive' : 'importArchive', failures };
    for (const mode of ['cold', 'warm', 'coldCpu', 'warmCpu']) {
      const cordon = figure('cordon', mode);
      const endo = figure('endo', mode);
      entry[mode] = { cordon, endo, ratio: cordon === undefined || endo === undefined ? undefined : endo / cordon };
    }
    results.push(entry);
  }
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, runs: Number(values.runs), archiveLocation: ARCHIVE_LOCATION, results }, null, 2)}\n`);
} else {
  const ms = (value, failure) => (failure ? `fails: ${failure.slice(0, 60)}` : value.toFixed(1));
  const x = value => (value === undefined ? '—' : `${value.toFixed(1)}x`);
  console.log(
    `makeArchive and importArchive as Endo's API is called (builtins through importHook, the archive at ${ARCHIVE_LOCATION}), a fresh process per run ` +
      `(cold: its first call; warm: median of 5 after 3; wall time, and CPU time of the process for the last ratios), medians of ${values.runs} alternated runs (node ${process.version}); targets: makeArchive >= 10x, importArchive >= 2x`,
  );
  console.table(
    results.map(({ app, step, failures, cold, warm, coldCpu, warmCpu }) => ({
      app,
      step,
      'cold cordon ms': ms(cold.cordon, failures.cordon),
      'cold endo ms': ms(cold.endo, failures.endo),
      'cold endo/cordon': x(cold.ratio),
      'warm cordon ms': ms(warm.cordon, failures.cordon),
      'warm endo ms': ms(warm.endo, failures.endo),
      'warm endo/cordon': x(warm.ratio),
      'cpu endo/cordon cold, warm': `${x(coldCpu.ratio)}, ${x(warmCpu.ratio)}`,
    })),
  );
}
