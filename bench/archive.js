// makeArchive and importArchive, Cordon against @endo/compartment-mapper. Each run is a fresh process
// per contender (alternated run by run) that times the first call (cold: what one `cordon pack` pays)
// and then, after warming, the median of further calls (warm: what a build tool or server that makes
// or loads many archives pays). Apps: express (148 modules in 71 packages, the largest of the
// real-world list) and date-fns (305 modules; Endo can also run it). Each imports its own archive.
//   npm run bench:archive [-- --runs 5 --apps express,date-fns]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, apps: { type: 'string', default: 'express,date-fns' }, worker: { type: 'string' }, app: { type: 'string' }, step: { type: 'string' } },
});
const root = path.resolve(import.meta.dirname, '..');
const appDir = app => path.join(root, 'bench', '.apps', app);
const archiveOf = (app, contender) => path.join(appDir(app), `${contender}.zip`);

if (values.worker) {
  await import('ses');
  const host = await import('../dist/cli/node-host.js');
  lockdown(host.nodeLockdownOptions);
  const crypto = await import('node:crypto');
  const cordon = values.worker === 'cordon';
  const powersModule = cordon ? await import('cordon/node-powers.js') : await import('@endo/compartment-mapper/node-powers.js');
  const powers = powersModule.makeReadPowers({ fs, url, crypto, path });
  const modules = host.nodeBuiltinModules();
  const entry = url.pathToFileURL(path.join(appDir(values.app), 'main.mjs')).href;
  const archive = url.pathToFileURL(archiveOf(values.app, values.worker)).href;
  let once;
  if (values.step === 'make') {
    const { makeArchive } = cordon ? await import('cordon/archive.js') : await import('@endo/compartment-mapper/archive.js');
    once = async () => {
      const bytes = await makeArchive(powers, entry, { modules });
      fs.writeFileSync(archiveOf(values.app, values.worker), bytes);
    };
  } else {
    const { importArchive } = cordon ? await import('cordon/import-archive.js') : await import('@endo/compartment-mapper/import-archive.js');
    const globals = host.nodeGlobals(new Set(Object.getOwnPropertyNames(new Compartment().globalThis)));
    const options = { globals, modules };
    if (cordon) options.globalsFor = host.nodeGlobalsFor;
    once = () => importArchive(powers, archive, options);
  }
  const time = async () => {
    const start = process.hrtime.bigint();
    await once();
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const cold = await time();
  for (let i = 0; i < 3; i += 1) await time();
  const warm = [];
  for (let i = 0; i < 5; i += 1) warm.push(await time());
  warm.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ cold, warm: warm[2] }));
  process.exit(0);
}

const self = url.fileURLToPath(import.meta.url);
const median = xs => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const rows = [];
for (const app of values.apps.split(',')) {
  fs.mkdirSync(appDir(app), { recursive: true });
  fs.writeFileSync(path.join(appDir(app), 'package.json'), JSON.stringify({ name: `bench-${app}`, version: '1.0.0', type: 'module', dependencies: { [app]: '*' } }, null, 2));
  fs.writeFileSync(path.join(appDir(app), 'main.mjs'), `import * as ns from '${app}';\nexport { ns };\n`);
  for (const step of ['make', 'import']) {
    const samples = { cordon: [], endo: [] };
    const warmSamples = { cordon: [], endo: [] };
    const failures = {};
    for (let i = 0; i < Number(values.runs); i += 1) {
      for (const contender of i % 2 === 0 ? ['cordon', 'endo'] : ['endo', 'cordon']) {
        if (failures[contender]) continue;
        const result = spawnSync(process.execPath, [self, '--worker', contender, '--app', app, '--step', step], { encoding: 'utf8', cwd: root });
        if (result.status !== 0) {
          const lines = `${result.stderr}\n${result.stdout}`.split('\n').map(l => l.trim()).filter(Boolean);
          failures[contender] = (lines.find(l => /Error|rejected|Cannot/.test(l)) ?? lines[0] ?? `exit ${result.status}`).slice(0, 100);
          continue;
        }
        const { cold, warm } = JSON.parse(result.stdout);
        samples[contender].push(cold);
        warmSamples[contender].push(warm);
      }
    }
    const failed = failures.cordon || failures.endo;
    for (const [mode, set] of [['cold', samples], ['warm', warmSamples]]) {
      const cordon = median(set.cordon);
      const endo = median(set.endo);
      rows.push({
        app,
        step: `${step === 'make' ? 'makeArchive' : 'importArchive'} (${mode})`,
        'cordon ms': failures.cordon ? `fails: ${failures.cordon}` : +cordon.toFixed(1),
        'endo ms': failures.endo ? `fails: ${failures.endo.slice(0, 60)}` : +endo.toFixed(1),
        'endo / cordon': failed ? '—' : `${(endo / cordon).toFixed(1)}x`,
      });
    }
  }
}
console.log(`makeArchive and importArchive, a fresh process per run (cold: its first call; warm: median of 5 after 3), medians of ${values.runs} alternated runs (node ${process.version}); targets: makeArchive >= 10x, importArchive >= 2x`);
console.table(rows);
