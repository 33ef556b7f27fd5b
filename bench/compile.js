// Compile throughput: Cordon's ModuleSource against @endo/module-source's, on every ESM file of large
// real packages, in one run. Each contender runs in its own process per round (so neither pays for the
// other's garbage or JIT state), the order alternates round by round, and each process warms up before
// it measures. Prints MB/s per workload, medians, and the ratio.
//   npm run bench:compile [-- --rounds 3 --passes 3]
import 'ses';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    passes: { type: 'string', default: '3' },
    worker: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const root = path.resolve(import.meta.dirname, '..', 'node_modules');
const esmFiles = dir =>
  fs
    .readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter(e => e.isFile() && /\.m?js$/.test(e.name))
    .map(e => path.join(e.parentPath ?? e.path, e.name))
    .sort();

const workloads = () =>
  [
    ['lodash-es', esmFiles('lodash-es')],
    ['date-fns', esmFiles('date-fns')],
    ['rxjs (dist/esm)', esmFiles('rxjs/dist/esm')],
    ['immutable', [path.join(root, 'immutable/dist/immutable.es.js')]],
  ].map(([name, files]) => {
    const texts = files.map(f => fs.readFileSync(f, 'utf8'));
    return { name, files: files.length, bytes: texts.reduce((n, t) => n + Buffer.byteLength(t), 0), texts };
  });

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (values.worker) {
  // One contender, one process: warm up on every workload, then time `passes` passes of each.
  lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });
  const { ModuleSource } = values.worker === 'endo' ? await import('@endo/module-source') : await import('cordon/module-source.js');
  const result = {};
  const all = workloads();
  // Warm the JIT on everything first, twice, so that no workload is measured cold.
  for (let warm = 0; warm < 2; warm += 1) for (const w of all) for (const text of w.texts) new ModuleSource(text);
  for (const w of all) {
    const times = [];
    for (let pass = 0; pass < Number(values.passes); pass += 1) {
      const start = process.hrtime.bigint();
      for (const text of w.texts) new ModuleSource(text);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    result[w.name] = median(times);
  }
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const runWorker = contender =>
  JSON.parse(execFileSync(process.execPath, [self, '--worker', contender, '--passes', values.passes], { encoding: 'utf8', maxBuffer: 1 << 20 }));

const rounds = Number(values.rounds);
const samples = { cordon: [], endo: [] };
for (let round = 0; round < rounds; round += 1) {
  const order = round % 2 === 0 ? ['cordon', 'endo'] : ['endo', 'cordon'];
  for (const contender of order) samples[contender].push(runWorker(contender));
  process.stderr.write(`round ${round + 1}/${rounds} done\n`);
}

const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1e3);
const info = workloads();
const rows = info.map(w => {
  const c = median(samples.cordon.map(s => s[w.name]));
  const e = median(samples.endo.map(s => s[w.name]));
  return { workload: w.name, files: w.files, MB: +(w.bytes / 1e6).toFixed(2), cordonMs: c, endoMs: e };
});
const total = {
  workload: 'all',
  files: rows.reduce((n, r) => n + r.files, 0),
  MB: +rows.reduce((n, r) => n + r.MB, 0).toFixed(2),
  cordonMs: rows.reduce((n, r) => n + r.cordonMs, 0),
  endoMs: rows.reduce((n, r) => n + r.endoMs, 0),
};
const table = [...rows, total].map(r => ({
  workload: r.workload,
  files: r.files,
  MB: r.MB,
  'cordon MB/s': +mbps(r.MB * 1e6, r.cordonMs).toFixed(1),
  'endo MB/s': +mbps(r.MB * 1e6, r.endoMs).toFixed(2),
  ratio: +(r.endoMs / r.cordonMs).toFixed(1),
}));
if (values.json) {
  process.stdout.write(JSON.stringify(table, null, 2));
} else {
  console.log(`compile throughput (node ${process.version}): medians over ${rounds} alternated rounds, ${values.passes} warm passes each`);
  console.table(table);
  console.log(`Cordon compiles ${table.at(-1).ratio}x the throughput of @endo/module-source (target: >= 20x)`);
}
