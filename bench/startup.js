// `npm run bench:startup`: how long Cordon takes to start an application, side by side with plain
// `node`, in cold processes (a fresh process per run and contender, the contenders alternating run by
// run, medians of --runs; wall time from spawn to exit):
// 1. `cordon run` of a hello-world app (one ES module printing a line) against `node` running it, with
//    Cordon's code cache warm (any earlier `cordon` run of this build and Node) and, beside it, the first
//    `cordon` run ever (no code cache: a fresh XDG_CACHE_HOME each run).
// 2. `cordon run --allow-net=127.0.0.1 --allow-env=DEBUG` of examples/express-app (express, pino, zod;
//    one HTTP request to itself): its first run (`--cache` a fresh folder each run: nothing compiled yet;
//    code cache warm), its first run with nothing cached at all, and its second run (compile cache warm).
// 3. `importLocation` of lodash-es and of date-fns from dist/ (a driver: lockdown with `cordon run`'s
//    options, Node's globals and builtins, `compileCache: makeNodeCompileCache(...)`), cold (a fresh cache
//    folder each run) and with the cache warm, against `node` importing the same entry.
// 4. Generated apps (bench/generate.js, 100 modules a package) of 100, 1,000 and 10,000 modules:
//    `cordon run` with its compile cache cold and warm against `node`, and the time per module beyond
//    each contender's own hello-world (wall − hello wall) / modules, which should stay flat.
// Apps, caches and code caches are made in a folder of their own under bench/.apps, removed at the end.
// Prints each target of issue 14 as met or short. Also run by `npm run bench` (`--json`: the results as
// JSON on stdout, progress on stderr).
//   npm run bench:startup [-- --runs 5 --sizes 100,1000,10000 --json]
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import { parseArgs } from 'node:util';
import { generateApp } from './generate.js';

const root = path.resolve(import.meta.dirname, '..');
const self = url.fileURLToPath(import.meta.url);
const cli = path.join(root, 'dist', 'cli', 'main.js');
const median = xs => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);

/** The targets of issue 14, as contender / node wall-time ratios. */
export const TARGETS = [
  { key: 'hello', label: '`cordon run` of a hello-world app ≤ 1.5× node', max: 1.5 },
  { key: 'express-first', label: '`cordon run` of the express app, first run ≤ 1.8× node', max: 1.8 },
  { key: 'express-warm', label: '`cordon run` of the express app, second run (cache warm) ≤ 1.3× node', max: 1.3 },
  { key: 'lodash-es-cold', label: 'importLocation of lodash-es, cold ≤ 1.5× node', max: 1.5 },
  { key: 'lodash-es-warm', label: 'importLocation of lodash-es, cache warm ≤ 1.2× node', max: 1.2 },
  { key: 'date-fns-cold', label: 'importLocation of date-fns, cold ≤ 1.5× node', max: 1.5 },
  { key: 'date-fns-warm', label: 'importLocation of date-fns, cache warm ≤ 1.2× node', max: 1.2 },
  { key: 'gen-10000-warm', label: '`cordon run` of a 10,000-module app, cache warm ≤ 1.3× node', max: 1.3 },
];

/** One timed process: `node` importing the entry, or Cordon's `importLocation` of it with a compile cache. */
async function worker({ worker: kind, entry, cache }) {
  const start = process.hrtime.bigint();
  const entryUrl = url.pathToFileURL(entry).href;
  let namespace;
  if (kind === 'node') {
    namespace = await import(entryUrl);
  } else {
    await import('ses');
    const host = await import('../dist/cli/node-host.js');
    lockdown(host.nodeLockdownOptions);
    const { importLocation } = await import('../dist/import.js');
    const { makeReadNowPowers, makeNodeCompileCache } = await import('../dist/node-powers.js');
    const powers = makeReadNowPowers({ fs, url, crypto, path });
    const globals = host.nodeGlobals(new Set(Object.getOwnPropertyNames(new Compartment().globalThis)));
    ({ namespace } = await importLocation(powers, entryUrl, { globals, globalsFor: host.nodeGlobalsFor, modules: host.nodeBuiltinModules(), compileCache: makeNodeCompileCache({ fs, crypto, directory: cache }) }));
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // The package's export names, which the contenders must agree on.
  process.stdout.write(JSON.stringify({ ms, exports: Object.keys(namespace.ns).sort().join(',') }));
  process.exit(0);
}

async function bench(values) {
  const runs = Number(values.runs);
  const sizes = values.sizes.split(',').filter(Boolean).map(Number);
  const started = Date.now();
  const progress = text => process.stderr.write(`  startup: ${text} (${Math.round((Date.now() - started) / 1000)} s)\n`);
  // Not the OS temp folder: creating files there costs 0.7 ms each on this machine (0.03-0.1 ms in the
  // checkout), which would make every cold run a benchmark of the temp folder's file system.
  fs.mkdirSync(path.join(root, 'bench', '.apps'), { recursive: true });
  const temp = fs.mkdtempSync(path.join(root, 'bench', '.apps', 'startup-'));
  const fresh = name => fs.mkdtempSync(path.join(temp, `${name}-`));
  // What creating a file costs here (a folder and a file written and renamed, as a compile cache entry
  // is): the cold runs write one per module, and on this machine it has varied from 0.03 to 0.9 ms.
  const probe = where => {
    const dir = fresh('probe');
    const start = process.hrtime.bigint();
    for (let i = 0; i < 200; i += 1) {
      fs.mkdirSync(path.join(dir, String(i)));
      fs.writeFileSync(path.join(dir, String(i), 'entry.tmp'), 'x'.repeat(2000));
      fs.renameSync(path.join(dir, String(i), 'entry.tmp'), path.join(dir, String(i), 'entry.json'));
    }
    const us = Number(process.hrtime.bigint() - start) / 1e3 / 200;
    progress(`creating a cache entry costs ${us.toFixed(0)} µs (${where})`);
    return us;
  };
  const entryCost = [probe('before')];
  // Cordon's own code cache (src/cli/launch.ts): one folder for the warm runs, warmed before any timing.
  const warmHome = fresh('xdg');

  /** Spawns a command; wall time spawn → exit, and what a worker printed. */
  const spawn = ({ args, env = {}, cwd = root }) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { encoding: 'utf8', cwd, env: { ...process.env, XDG_CACHE_HOME: warmHome, ...env }, maxBuffer: 1 << 24 });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) {
      const lines = `${result.stderr}\n${result.stdout}`.split('\n').map(l => l.trim()).filter(Boolean);
      return { error: (lines.find(l => /Error|denied|Cannot/i.test(l)) ?? lines[0] ?? `exit ${result.status}`).slice(0, 160), stdout: result.stdout };
    }
    return { wallMs, stdout: result.stdout, ...(result.stdout.startsWith('{"ms"') ? JSON.parse(result.stdout) : {}) };
  };
  /** Contenders (name → () => spawn options, made afresh for each run) alternated run by run; medians. */
  const measure = (name, contenders, { runs: count = runs, check } = {}) => {
    const names = Object.keys(contenders);
    const samples = Object.fromEntries(names.map(n => [n, []]));
    const errors = {};
    for (let i = 0; i < count; i += 1) {
      const order = names.map((_, j) => names[(j + i) % names.length]);
      for (const contender of order) {
        if (errors[contender]) continue;
        const result = spawn(contenders[contender]());
        const wrong = result.error ?? check?.(result, contender);
        if (wrong) errors[contender] = wrong;
        else samples[contender].push(result);
      }
    }
    const row = Object.fromEntries(names.map(n => [n, errors[n] ? { error: errors[n] } : { wallMs: median(samples[n].map(s => s.wallMs)), ...(samples[n][0]?.ms === undefined ? {} : { ms: median(samples[n].map(s => s.ms)) }) }]));
    progress(`${name} done`);
    return row;
  };

  // 1. hello-world.
  const helloDir = fresh('hello');
  fs.writeFileSync(path.join(helloDir, 'package.json'), JSON.stringify({ name: 'hello', version: '1.0.0', type: 'module' }));
  fs.writeFileSync(path.join(helloDir, 'main.js'), "console.log('hello, world');\n");
  const hello = path.join(helloDir, 'main.js');
  const sameOutput = expected => result => (result.stdout === expected ? undefined : `printed ${JSON.stringify(result.stdout.slice(0, 80))}`);
  const warmup = spawn({ args: [cli, 'run', hello] });
  if (warmup.error) throw new Error(`cordon run of the hello-world app fails: ${warmup.error}`);
  const helloRow = measure(
    'hello-world',
    {
      node: () => ({ args: [hello] }),
      cordon: () => ({ args: [cli, 'run', hello] }),
      'cordon-first-ever': () => ({ args: [cli, 'run', hello], env: { XDG_CACHE_HOME: fresh('xdg') } }),
    },
    { check: sameOutput('hello, world\n') },
  );

  // 2. examples/express-app.
  const express = path.join(root, 'examples', 'express-app', 'main.js');
  const expressFlags = ['run', '--allow-net=127.0.0.1', '--allow-env=DEBUG'];
  const expected = spawn({ args: [express] });
  if (expected.error) throw new Error(`node examples/express-app/main.js fails: ${expected.error}`);
  const warmCache = fresh('express-cache');
  spawn({ args: [cli, ...expressFlags, '--cache', warmCache, express] });
  const expressRow = measure(
    'express app',
    {
      node: () => ({ args: [express] }),
      'cordon-first': () => ({ args: [cli, ...expressFlags, '--cache', fresh('express-cache'), express] }),
      'cordon-first-ever': () => ({ args: [cli, ...expressFlags, '--cache', fresh('express-cache'), express], env: { XDG_CACHE_HOME: fresh('xdg') } }),
      'cordon-warm': () => ({ args: [cli, ...expressFlags, '--cache', warmCache, express] }),
    },
    { check: sameOutput(expected.stdout) },
  );

  // 3. importLocation of lodash-es and date-fns, from dist/, with the compile cache.
  const imports = {};
  for (const name of ['lodash-es', 'date-fns']) {
    const dir = path.join(root, 'bench', '.apps', `startup-${name}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `bench-startup-${name}`, version: '1.0.0', type: 'module', dependencies: { [name]: '*' } }));
    const entry = path.join(dir, 'main.mjs');
    fs.writeFileSync(entry, `import * as ns from '${name}';\nexport { ns };\n`);
    const cache = fresh(`${name}-cache`);
    const answer = spawn({ args: [self, '--worker', 'node', '--entry', entry] });
    const filled = spawn({ args: [self, '--worker', 'cordon', '--entry', entry, '--cache', cache] });
    if (answer.error || filled.error) throw new Error(`importing ${name} fails: ${answer.error ?? filled.error}`);
    imports[name] = measure(
      `importLocation ${name}`,
      {
        node: () => ({ args: [self, '--worker', 'node', '--entry', entry] }),
        'cordon-cold': () => ({ args: [self, '--worker', 'cordon', '--entry', entry, '--cache', fresh(`${name}-cache`)] }),
        'cordon-warm': () => ({ args: [self, '--worker', 'cordon', '--entry', entry, '--cache', cache] }),
      },
      { check: result => (result.exports === answer.exports ? undefined : `exports differ from node's (${result.exports?.length} / ${answer.exports.length} characters of names)`) },
    );
  }

  // 4. Generated apps, 100 modules a package.
  const generated = [];
  for (const size of sizes) {
    const packages = Math.max(1, Math.round(size / 100));
    const main = generateApp(path.join(temp, `gen-${size}`), size, packages);
    // An entry that prints what the app computes, so that both contenders are seen to run all of it.
    const entry = path.join(path.dirname(main), 'print.js');
    fs.writeFileSync(entry, "import { total } from './main.js';\nconsole.log(total);\n");
    const moduleCount = Math.floor(size / packages) * packages + 2;
    const cache = fresh(`gen-${size}-cache`);
    const answer = spawn({ args: [entry] });
    const filled = spawn({ args: [cli, 'run', '--cache', cache, entry] });
    if (answer.error || filled.error) throw new Error(`the generated ${size}-module app fails: ${answer.error ?? filled.error}`);
    const row = measure(
      `generated ${size} modules / ${packages} packages`,
      {
        node: () => ({ args: [entry] }),
        'cordon-cold': () => ({ args: [cli, 'run', '--cache', fresh(`gen-${size}-cache`), entry] }),
        'cordon-warm': () => ({ args: [cli, 'run', '--cache', cache, entry] }),
      },
      { check: sameOutput(answer.stdout) },
    );
    generated.push({ size, packages, moduleCount, ...row });
  }

  entryCost.push(probe('after'));
  fs.rmSync(temp, { recursive: true, force: true });
  const results = { node: process.version, runs, date: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000), cpus: os.cpus().length, entryCostUs: entryCost, hello: helloRow, express: expressRow, imports, generated };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(results)}\n`);
  } else {
    printStartup(results);
    console.log(`\nfor the README:\n\n${startupMarkdown(results)}`);
  }
}

const ratio = (a, b) => (a?.wallMs !== undefined && b?.wallMs !== undefined ? a.wallMs / b.wallMs : undefined);

/** Each target's measured ratio (contender / node, wall). */
export const targetRatios = results => {
  const out = {
    hello: ratio(results.hello.cordon, results.hello.node),
    'express-first': ratio(results.express['cordon-first'], results.express.node),
    'express-warm': ratio(results.express['cordon-warm'], results.express.node),
  };
  for (const [name, row] of Object.entries(results.imports)) {
    out[`${name}-cold`] = ratio(row['cordon-cold'], row.node);
    out[`${name}-warm`] = ratio(row['cordon-warm'], row.node);
  }
  const largest = results.generated.find(g => g.size === 10000);
  if (largest) out['gen-10000-warm'] = ratio(largest['cordon-warm'], largest.node);
  return out;
};

/** Per module beyond the contender's own hello-world start: (wall − hello wall) / modules, in µs. */
export const perModule = (results, row, contender) => {
  const base = contender === 'node' ? results.hello.node : results.hello.cordon;
  const own = row[contender];
  if (own?.wallMs === undefined || base?.wallMs === undefined) return undefined;
  return ((own.wallMs - base.wallMs) * 1000) / row.moduleCount;
};

/** What each module more costs between consecutive generated sizes: (wall − wall before) / (modules − modules before), µs. */
export const marginal = (results, contender) => {
  const rows = [...results.generated].sort((a, b) => a.size - b.size);
  const out = [];
  for (let i = 1; i < rows.length; i += 1) {
    const [a, b] = [rows[i - 1], rows[i]];
    if (a[contender]?.wallMs === undefined || b[contender]?.wallMs === undefined) continue;
    out.push({ from: a.size.toLocaleString('en'), to: b.size.toLocaleString('en'), us: ((b[contender].wallMs - a[contender].wallMs) * 1000) / (b.moduleCount - a.moduleCount) });
  }
  return out;
};

const ms = cell => (cell?.error ? `fails (${cell.error})` : cell?.wallMs === undefined ? '—' : String(Math.round(cell.wallMs)));
const x = value => (value === undefined ? '—' : `${value.toFixed(2)}×`);

/** Markdown for the README: one table (node, Cordon, ratio per workload and state), then the targets. */
export function startupMarkdown(results) {
  const lines = [];
  const cost = results.entryCostUs ? ` Creating a file (a compile cache entry: folder, write, rename) cost ${results.entryCostUs.map(us => `${Math.round(us)} µs`).join(' before and ')} after the runs: the cold rows write one per module.` : '';
  lines.push(`Run of ${results.date.slice(0, 16).replace('T', ' ')} UTC, Node ${results.node}, ${results.cpus} cores, medians of ${results.runs} cold processes per contender (alternated), ${results.seconds} s (\`node bench/startup.js --runs ${results.runs}\`); wall time spawn → exit, ms.${cost}`, '');
  lines.push('| workload | state | node | Cordon | Cordon / node |');
  lines.push('|---|---|---:|---:|---:|');
  const row = (workload, state, node, cordon) => lines.push(`| ${workload} | ${state} | ${ms(node)} | ${ms(cordon)} | ${x(ratio(cordon, node))} |`);
  row('hello-world, `cordon run`', 'code cache warm', results.hello.node, results.hello.cordon);
  row('', 'first `cordon` run ever (no code cache)', results.hello.node, results.hello['cordon-first-ever']);
  const e = results.express;
  row('express app (examples/express-app), `cordon run`', 'first run (compile cache empty)', e.node, e['cordon-first']);
  row('', 'first run, nothing cached (no code cache either)', e.node, e['cordon-first-ever']);
  row('', 'second run (compile cache warm)', e.node, e['cordon-warm']);
  for (const [name, r] of Object.entries(results.imports)) {
    row(`importLocation of ${name} (from dist/)`, 'cold (compile cache empty)', r.node, r['cordon-cold']);
    row('', 'compile cache warm', r.node, r['cordon-warm']);
  }
  for (const g of results.generated) {
    row(`generated ${g.size.toLocaleString('en')} modules / ${g.packages} packages, \`cordon run\``, 'compile cache empty', g.node, g['cordon-cold']);
    row('', 'compile cache warm', g.node, g['cordon-warm']);
  }
  const us = value => (value === undefined ? '—' : String(Math.round(value)));
  lines.push('', 'Time per module beyond each contender\'s own hello-world start ((wall − hello wall) / modules), µs:', '');
  lines.push(`| modules | node | Cordon, cache empty | Cordon, cache warm |`);
  lines.push('|---:|---:|---:|---:|');
  for (const g of results.generated) lines.push(`| ${g.moduleCount.toLocaleString('en')} | ${us(perModule(results, g, 'node'))} | ${us(perModule(results, g, 'cordon-cold'))} | ${us(perModule(results, g, 'cordon-warm'))} |`);
  lines.push('', 'Targets (issue 14; same machine, same run):');
  const ratios = targetRatios(results);
  for (const target of TARGETS) {
    const value = ratios[target.key];
    lines.push(`- ${target.label}: ${x(value)} — ${value === undefined ? 'not measured' : value <= target.max ? 'met' : 'short'}`);
  }
  const slopes = marginal(results, 'cordon-warm');
  if (slopes.length === 2) {
    const growth = slopes[1].us / slopes[0].us;
    const node = marginal(results, 'node');
    lines.push(`- time per module flat from 100 to 10,000 modules (cache warm; each module more costs, from ${slopes[0].from} to ${slopes[0].to} modules and from ${slopes[1].from} to ${slopes[1].to}): ${us(slopes[0].us)} → ${us(slopes[1].us)} µs (${Number.isFinite(growth) ? growth.toFixed(2) : '—'}×; node ${node.map(s => us(s.us)).join(' → ')} µs) — ${Number.isFinite(growth) && growth <= 1.25 ? 'met' : 'short'}`);
  }
  return lines.join('\n');
}

/** The console tables (also printed by bench/suite.js). */
export function printStartup(results) {
  console.log(`\nstart-up, cold processes (medians of ${results.runs}, alternated; wall ms, Cordon / node)`);
  const rows = [];
  const add = (workload, contender, cell, node) => rows.push({ workload, contender, 'wall ms': ms(cell), '× node': x(ratio(cell, node)), note: cell?.error ?? '' });
  for (const c of ['node', 'cordon', 'cordon-first-ever']) add('hello-world', c, results.hello[c], results.hello.node);
  for (const c of ['node', 'cordon-first', 'cordon-first-ever', 'cordon-warm']) add('express app', c, results.express[c], results.express.node);
  for (const [name, r] of Object.entries(results.imports)) for (const c of ['node', 'cordon-cold', 'cordon-warm']) add(`importLocation ${name}`, c, r[c], r.node);
  for (const g of results.generated) for (const c of ['node', 'cordon-cold', 'cordon-warm']) add(`generated ${g.size}`, c, g[c], g.node);
  console.table(rows);
  const ratios = targetRatios(results);
  console.log('targets:');
  for (const target of TARGETS) {
    const value = ratios[target.key];
    console.log(`  ${value === undefined ? 'not measured' : value <= target.max ? 'met  ' : 'short'} ${target.label}: ${x(value)}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      sizes: { type: 'string', default: '100,1000,10000' },
      json: { type: 'boolean', default: false },
      worker: { type: 'string' },
      entry: { type: 'string' },
      cache: { type: 'string' },
    },
  });
  if (values.worker) await worker(values);
  else await bench(values);
}
