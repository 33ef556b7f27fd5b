// mapNodeModules: Cordon against @endo/compartment-mapper on this repository's own installed tree
// (the entry package with its devDependencies: the real-world packages and their dependencies).
// Each run is a fresh process (a map is made once per process in real use), contenders alternate run
// by run, and the medians are compared.
//   npm run bench:map [-- --runs 9]
import 'ses';
import fs from 'node:fs';
import url from 'node:url';
import crypto from 'node:crypto';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' }, worker: { type: 'string' } } });
const entry = url.pathToFileURL(path.resolve(import.meta.dirname, '..', 'package.json')).href;

if (values.worker) {
  lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });
  const cordon = values.worker === 'cordon';
  const { mapNodeModules } = cordon ? await import('cordon/node-modules.js') : await import('@endo/compartment-mapper/node-modules.js');
  const { makeReadPowers } = cordon ? await import('cordon/node-powers.js') : await import('@endo/compartment-mapper/node-powers.js');
  const powers = makeReadPowers({ fs, url, crypto, path });
  const start = process.hrtime.bigint();
  const map = await mapNodeModules(powers, entry, { dev: true });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  process.stdout.write(JSON.stringify({ ms, compartments: Object.keys(map.compartments).length }));
  process.exit(0);
}

const self = url.fileURLToPath(import.meta.url);
const run = contender => JSON.parse(execFileSync(process.execPath, [self, '--worker', contender], { encoding: 'utf8' }));
const samples = { cordon: [], endo: [] };
let compartments;
for (let i = 0; i < Number(values.runs); i += 1) {
  for (const contender of i % 2 === 0 ? ['cordon', 'endo'] : ['endo', 'cordon']) {
    const result = run(contender);
    samples[contender].push(result.ms);
    compartments = result.compartments;
  }
}
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cordon = median(samples.cordon);
const endo = median(samples.endo);
console.log(`mapNodeModules on this repository's tree with devDependencies (${compartments} packages), cold, median of ${values.runs} alternated runs (node ${process.version})`);
console.table([{ cordon: `${cordon.toFixed(1)} ms`, endo: `${endo.toFixed(1)} ms`, ratio: `${(endo / cordon).toFixed(1)}x` }]);
console.log(`Cordon maps ${(endo / cordon).toFixed(1)}x faster than @endo/compartment-mapper (target: >= 3x)`);
