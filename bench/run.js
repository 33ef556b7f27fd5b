// importLocation, cold: a fresh process per run, Cordon against @endo/compartment-mapper and plain
// `node`, on the largest app of the real-world list (express: 148 modules in 71 packages; Endo cannot
// load it) and on the largest Endo can load (date-fns: 305 modules). Contenders alternate run by run;
// medians of wall time from spawn to exit (and of the import alone).
//   npm run bench:run [-- --runs 7 --apps express,date-fns]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, apps: { type: 'string', default: 'express,date-fns' }, app: { type: 'string' }, worker: { type: 'string' } },
});
const root = path.resolve(import.meta.dirname, '..');
// The app: a package of its own that depends on the benchmarked package (found, as Node finds it, in
// this repository's node_modules above it), so that each contender maps only that package's tree.
const appDir = app => path.join(root, 'bench', '.apps', app);

if (values.worker) {
  const entry = path.join(appDir(values.app), 'main.mjs');
  const start = process.hrtime.bigint();
  const entryUrl = url.pathToFileURL(entry).href;
  if (values.worker === 'node') {
    await import(entryUrl);
  } else {
    await import('ses');
    const host = await import('../dist/cli/node-host.js');
    lockdown(host.nodeLockdownOptions);
    const crypto = await import('node:crypto');
    const cordon = values.worker === 'cordon';
    const { importLocation } = cordon ? await import('cordon/import.js') : await import('@endo/compartment-mapper/import.js');
    const { makeReadPowers } = cordon ? await import('cordon/node-powers.js') : await import('@endo/compartment-mapper/node-powers.js');
    const globals = host.nodeGlobals(new Set(Object.getOwnPropertyNames(new Compartment().globalThis)));
    const options = { globals, modules: host.nodeBuiltinModules() };
    if (cordon) options.globalsFor = host.nodeGlobalsFor;
    await importLocation(makeReadPowers({ fs, url, crypto, path }), entryUrl, options);
  }
  process.stdout.write(JSON.stringify({ importMs: Number(process.hrtime.bigint() - start) / 1e6 }));
  process.exit(0);
}

const self = url.fileURLToPath(import.meta.url);
const median = xs => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const results = [];
for (const app of values.apps.split(',')) {
  const dir = appDir(app);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `bench-${app}`, version: '1.0.0', type: 'module', dependencies: { [app]: '*' } }, null, 2));
  fs.writeFileSync(path.join(dir, 'main.mjs'), `import * as ns from '${app}';\nexport { ns };\n`);
  const samples = { node: [], cordon: [], endo: [] };
  const failures = {};
  const orders = [['node', 'cordon', 'endo'], ['endo', 'node', 'cordon'], ['cordon', 'endo', 'node']];
  for (let i = 0; i < Number(values.runs); i += 1) {
    for (const contender of orders[i % orders.length]) {
      if (failures[contender]) continue;
      const start = process.hrtime.bigint();
      const result = spawnSync(process.execPath, [self, '--worker', contender, '--app', app], { encoding: 'utf8', cwd: root });
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      if (result.status !== 0) {
        const lines = `${result.stderr}\n${result.stdout}`.split('\n').map(line => line.trim()).filter(Boolean);
        failures[contender] = (lines.find(line => /Error|rejected|Cannot/.test(line)) ?? lines[0] ?? `exit ${result.status}`).slice(0, 120);
        continue;
      }
      samples[contender].push({ wallMs, ...JSON.parse(result.stdout) });
    }
  }
  const wall = name => median(samples[name].map(s => s.wallMs));
  const imported = name => median(samples[name].map(s => s.importMs));
  for (const name of ['node', 'cordon', 'endo']) {
    results.push({
      app,
      contender: name,
      'wall ms': failures[name] ? '—' : +wall(name).toFixed(1),
      'import ms': failures[name] ? '—' : +imported(name).toFixed(1),
      'vs node': failures[name] ? '—' : `${(wall(name) / wall('node')).toFixed(2)}x`,
      note: failures[name] ? `fails: ${failures[name]}` : '',
    });
  }
}
console.log(`importLocation, cold (a fresh process per run, wall time spawn→exit), medians of ${values.runs} alternated runs (node ${process.version})`);
console.table(results);
for (const app of values.apps.split(',')) {
  const row = name => results.find(r => r.app === app && r.contender === name);
  const cordon = row('cordon');
  const endo = row('endo');
  console.log(`${app}: Cordon ${cordon['vs node']} plain node (target <= 3x)${typeof endo['wall ms'] === 'number' ? `; Endo ${endo['vs node']}, Endo / Cordon ${(endo['wall ms'] / cordon['wall ms']).toFixed(2)}x` : `; Endo ${endo.note}`}`);
}
