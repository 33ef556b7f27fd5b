// importLocation, cold: a fresh process per run, Cordon against @endo/compartment-mapper and plain
// `node`, on the largest app of the real-world list (express: 148 modules in 71 packages). Contenders
// alternate run by run; medians of wall time from spawn to exit (and of the import alone).
//   npm run bench:run [-- --runs 7 --app express]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, app: { type: 'string', default: 'express' }, worker: { type: 'string' } } });
const root = path.resolve(import.meta.dirname, '..');
// The app: a package of its own that depends on the benchmarked package (found, as Node finds it, in
// this repository's node_modules above it), so that each contender maps only that package's tree.
const appDir = path.join(root, 'bench', '.apps', values.app);
const entry = path.join(appDir, 'main.mjs');

if (values.worker) {
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

fs.mkdirSync(appDir, { recursive: true });
fs.writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ name: `bench-${values.app}`, version: '1.0.0', type: 'module', dependencies: { [values.app]: '*' } }, null, 2));
fs.writeFileSync(entry, `import * as ns from '${values.app}';\nexport { ns };\n`);
const self = url.fileURLToPath(import.meta.url);
const samples = { node: [], cordon: [], endo: [] };
const failures = {};
const orders = [['node', 'cordon', 'endo'], ['endo', 'node', 'cordon'], ['cordon', 'endo', 'node']];
for (let i = 0; i < Number(values.runs); i += 1) {
  for (const contender of orders[i % orders.length]) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [self, '--worker', contender, '--app', values.app], { encoding: 'utf8', cwd: root });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) {
      failures[contender] = (result.stderr || result.stdout).split('\n').find(line => /Error|error/.test(line)) ?? `exit ${result.status}`;
      continue;
    }
    samples[contender].push({ wallMs, ...JSON.parse(result.stdout) });
  }
}
const median = xs => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const row = name => ({
  contender: name,
  'wall ms (spawn→exit)': +median(samples[name].map(s => s.wallMs)).toFixed(1),
  'import ms': +median(samples[name].map(s => s.importMs)).toFixed(1),
  runs: samples[name].length,
  failed: failures[name] ?? '',
});
const rows = [row('node'), row('cordon'), row('endo')];
console.log(`importLocation of ${values.app}, cold (fresh process per run), medians of ${values.runs} alternated runs (node ${process.version})`);
console.table(rows);
const [node, cordon, endo] = rows.map(r => r['wall ms (spawn→exit)']);
console.log(`Cordon / plain node: ${(cordon / node).toFixed(2)}x (target: <= 3x)`);
console.log(Number.isNaN(endo) ? `Endo failed: ${failures.endo}` : `Endo / Cordon: ${(endo / cordon).toFixed(2)}x; Endo / plain node: ${(endo / node).toFixed(2)}x`);
