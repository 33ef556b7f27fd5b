// Compile throughput: Cordon's ModuleSource against @endo/module-source's, on every ESM file of large
// real packages, cold and warm, in one run.
//
// Each round is one fresh process. After lockdown it loads both compilers, then:
//   cold: one pass over every file, interleaved file by file (file 1 Endo, file 1 Cordon, file 2
//         Cordon, file 2 Endo, …: which goes first alternates per file and per round), so that each
//         file is seen once per contender per process and both pay their JIT warm-up in the timing;
//   warm: `--warmup` untimed passes over everything, then `--passes` timed passes per workload (the
//         contender that goes first alternates per pass); the median pass counts.
// The figures are medians over rounds. `overall` is the three npm workloads together (lodash-es,
// date-fns with its locales, rxjs/dist/esm: 2,323 files, 8.2 MB); immutable (one 190 KB file) is reported on its own row.
//   npm run bench:compile [-- --rounds 3 --passes 3 --warmup 2 --json]
//   node bench/compile.js --worker cordon   (one process, one contender: for --cpu-prof)
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
    warmup: { type: 'string', default: '2' },
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

const OVERALL = ['lodash-es', 'date-fns', 'rxjs (dist/esm)'];
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
const now = () => process.hrtime.bigint();
const ms = (start, end) => Number(end - start) / 1e6;

if (values.worker) {
  lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });
  const all = workloads();
  const contenders = {};
  if (values.worker !== 'cordon') contenders.endo = (await import('@endo/module-source')).ModuleSource;
  if (values.worker !== 'endo') contenders.cordon = (await import('cordon/module-source.js')).ModuleSource;
  const names = Object.keys(contenders);
  const round = Number(process.env.CORDON_BENCH_ROUND ?? 0);
  const result = { cold: {}, warm: {} };
  for (const name of names) {
    result.cold[name] = {};
    result.warm[name] = {};
  }

  // Cold: every file once per contender, interleaved file by file.
  let index = round;
  for (const w of all) {
    const spent = Object.fromEntries(names.map(n => [n, 0]));
    for (const text of w.texts) {
      const order = index % 2 === 0 ? names : [...names].reverse();
      index += 1;
      for (const name of order) {
        const Source = contenders[name];
        const start = now();
        new Source(text);
        spent[name] += ms(start, now());
      }
    }
    for (const name of names) result.cold[name][w.name] = spent[name];
  }

  // Warm: untimed passes over everything, then timed passes per workload.
  for (let pass = 0; pass < Number(values.warmup); pass += 1) {
    for (const name of names) for (const w of all) for (const text of w.texts) new contenders[name](text);
  }
  for (const w of all) {
    const times = Object.fromEntries(names.map(n => [n, []]));
    for (let pass = 0; pass < Number(values.passes); pass += 1) {
      const order = (pass + round) % 2 === 0 ? names : [...names].reverse();
      for (const name of order) {
        const Source = contenders[name];
        const start = now();
        for (const text of w.texts) new Source(text);
        times[name].push(ms(start, now()));
      }
    }
    for (const name of names) result.warm[name][w.name] = median(times[name]);
  }
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const rounds = Number(values.rounds);
const samples = [];
for (let round = 0; round < rounds; round += 1) {
  const args = [self, '--worker', 'both', '--passes', values.passes, '--warmup', values.warmup];
  const output = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, CORDON_BENCH_ROUND: String(round) } });
  samples.push(JSON.parse(output));
  process.stderr.write(`round ${round + 1}/${rounds} done\n`);
}

const mbps = (bytes, time) => +(bytes / 1e6 / (time / 1e3)).toFixed(2);
const ratio = (endo, cordon) => +(endo / cordon).toFixed(1);
const info = workloads();
const figures = (phase, name) => {
  const cordon = median(samples.map(s => s[phase].cordon[name]));
  const endo = median(samples.map(s => s[phase].endo[name]));
  return { cordonMs: +cordon.toFixed(1), endoMs: +endo.toFixed(1) };
};
const row = (workload, files, bytes, cold, warm) => ({
  workload,
  files,
  MB: +(bytes / 1e6).toFixed(2),
  cold: { ...cold, cordonMBps: mbps(bytes, cold.cordonMs), endoMBps: mbps(bytes, cold.endoMs), ratio: ratio(cold.endoMs, cold.cordonMs) },
  warm: { ...warm, cordonMBps: mbps(bytes, warm.cordonMs), endoMBps: mbps(bytes, warm.endoMs), ratio: ratio(warm.endoMs, warm.cordonMs) },
});
const rows = info.map(w => row(w.name, w.files, w.bytes, figures('cold', w.name), figures('warm', w.name)));
const inOverall = info.filter(w => OVERALL.includes(w.name));
// Overall: per round, the sum over the three workloads; then the median over rounds.
const summed = phase => {
  const total = contender => median(samples.map(s => OVERALL.reduce((n, name) => n + s[phase][contender][name], 0)));
  return { cordonMs: +total('cordon').toFixed(1), endoMs: +total('endo').toFixed(1) };
};
const overall = row(
  'overall',
  inOverall.reduce((n, w) => n + w.files, 0),
  inOverall.reduce((n, w) => n + w.bytes, 0),
  summed('cold'),
  summed('warm'),
);
const results = {
  node: process.version,
  rounds,
  passes: Number(values.passes),
  warmup: Number(values.warmup),
  targets: { cold: 12, warm: 25 },
  cold: { ratio: overall.cold.ratio },
  warm: { ratio: overall.warm.ratio },
  overall,
  workloads: rows,
};

if (values.json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  console.log(
    `compile throughput (node ${process.version}): medians over ${rounds} fresh processes; cold = first pass, file by file interleaved; ` +
      `warm = median of ${values.passes} passes after ${values.warmup} warm-up passes`,
  );
  console.table(
    [...rows, overall].map(r => ({
      workload: r.workload,
      files: r.files,
      MB: r.MB,
      'cold cordon MB/s': r.cold.cordonMBps,
      'cold endo MB/s': r.cold.endoMBps,
      'cold ratio': r.cold.ratio,
      'warm cordon MB/s': r.warm.cordonMBps,
      'warm endo MB/s': r.warm.endoMBps,
      'warm ratio': r.warm.ratio,
    })),
  );
  console.log(`overall (${OVERALL.join(', ')}): cold ${overall.cold.ratio}x (target >= 12x), warm ${overall.warm.ratio}x (target >= 25x)`);
}
