// `npm run bench:policy`: what a policy costs, and what generating one costs.
// 1. importLocation with the policy `generatePolicy` writes for the entry (generated once, before any
//    timing) against the same call without one, on express (the suite's app) and the generated
//    1,000-module / 10-package app: cold (a fresh process per run, the two alternated, medians of
//    --runs) and warm (one process per app, --warmups calls of each first, then --warm calls of each
//    alternated, a garbage collection before each, medians). The host is `cordon run`'s: Node's globals, globalsFor, builtins as `modules`.
//    Target: with / without ≤ 1.10×.
// 2. Policy generation, cold, wall time of a fresh process, alternated, medians of --runs: Cordon's CLI
//    (`cordon policy generate <entry> --out FILE`) against LavaMoat's classic Node CLI (`lavamoat
//    <entry> --autopolicy --policyPath FILE`), on CommonJS entries both tools take (express alone; express
//    with pino, yaml, zod and ajv), with each policy's size (resources, grants).
// Also run by `npm run bench` (`--json`: the results as JSON on stdout, progress on stderr).
//   npm run bench:policy [-- --runs 5 --warm 10 --warmups 3 --json]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import { parseArgs } from 'node:util';
import { generateApp } from './generate.js';
import { policyMarkdown, printPolicy } from './table.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    warm: { type: 'string', default: '10' },
    warmups: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
    worker: { type: 'string' },
    entry: { type: 'string' },
    policy: { type: 'string' },
    out: { type: 'string' },
  },
});
const root = path.resolve(import.meta.dirname, '..');
const apps = path.join(root, 'bench', '.apps');
const median = xs => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);

if (values.worker) {
  await import('ses');
  const host = await import('../dist/cli/node-host.js');
  lockdown(host.nodeLockdownOptions);
  const crypto = await import('node:crypto');
  const { importLocation } = await import('cordon');
  const { makeReadPowers } = await import('cordon/node-powers.js');
  const powers = makeReadPowers({ fs, url, crypto, path });
  const entry = url.pathToFileURL(values.entry).href;
  if (values.worker === 'generate') {
    // The policy of part 1, written once before any timing.
    const { generatePolicy, stringifyPolicy } = await import('cordon/policy.js');
    const generated = await generatePolicy(powers, entry);
    fs.mkdirSync(path.dirname(values.out), { recursive: true });
    fs.writeFileSync(values.out, stringifyPolicy(generated.policy));
    process.stdout.write(JSON.stringify({ modules: generated.modules, dynamic: generated.dynamic.length }));
    process.exit(0);
  }
  const policy = values.policy ? JSON.parse(fs.readFileSync(values.policy, 'utf8')) : undefined;
  const globals = host.nodeGlobals(new Set(Object.getOwnPropertyNames(new Compartment().globalThis)));
  // As `cordon run` calls it (src/cli/run.ts): one host object, the policy added or not.
  const hostOptions = { globals, globalsFor: host.nodeGlobalsFor, modules: host.nodeBuiltinModules() };
  const time = async withPolicy => {
    // Warm: collect what the previous call left first (--expose-gc), so that no call pays for another's garbage.
    globalThis.gc?.();
    const start = process.hrtime.bigint();
    await importLocation(powers, entry, withPolicy ? { ...hostOptions, policy } : hostOptions);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  if (values.worker === 'cold') {
    const ms = await time(policy !== undefined);
    process.stdout.write(JSON.stringify({ ms, rssMB: process.resourceUsage().maxRSS / 1024 }));
  } else {
    // warm: both in this process, warm-ups first, then alternated call by call.
    const samples = { without: [], with: [] };
    for (let i = 0; i < Number(values.warmups); i += 1) {
      await time(false);
      await time(true);
    }
    for (let i = 0; i < Number(values.warm); i += 1) {
      const order = i % 2 === 0 ? [false, true] : [true, false];
      for (const withPolicy of order) samples[withPolicy ? 'with' : 'without'].push(await time(withPolicy));
    }
    process.stdout.write(JSON.stringify({ without: median(samples.without), with: median(samples.with) }));
  }
  process.exit(0);
}

const self = url.fileURLToPath(import.meta.url);
const runs = Number(values.runs);
const started = Date.now();
const progress = text => process.stderr.write(`  policy: ${text} (${Math.round((Date.now() - started) / 1000)} s)\n`);
const failure = result => {
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map(l => l.trim()).filter(Boolean);
  return (lines.find(l => /Error|rejected|Cannot|denied/i.test(l)) ?? lines[0] ?? `exit ${result.status}`).slice(0, 160);
};
/** Spawns `args` with node; wall time from spawn to exit, and the JSON it printed (if asked). */
const spawn = (args, { cwd = root, parse = true } = {}) => {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', cwd, maxBuffer: 1 << 24 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) return { error: failure(result) };
  return { wallMs, ...(parse ? JSON.parse(result.stdout) : {}) };
};
const write = (file, text) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
};
const policyDir = path.join(apps, 'policy');

/** Resources and grants of a LavaMoat-format policy (grants counted as `cordon policy generate` counts them). */
const sizeOf = file => {
  const policy = JSON.parse(fs.readFileSync(file, 'utf8'));
  let grants = 0;
  let granted = 0;
  for (const resource of Object.values(policy.resources ?? {})) {
    let own = resource.native === true ? 1 : 0;
    for (const field of ['globals', 'builtin', 'packages']) own += Object.keys(resource[field] ?? {}).length;
    grants += own;
    if (own > 0) granted += 1;
  }
  // resources: every package listed (Cordon lists the ones granted nothing too, LavaMoat omits them); granted: those with a grant.
  return { resources: Object.keys(policy.resources ?? {}).length, granted, grants, bytes: fs.statSync(file).size };
};

// 1. importLocation with and without the policy.
// express: the suite's app, written as bench/suite.js writes it.
write(path.join(apps, 'express', 'package.json'), JSON.stringify({ name: 'bench-express', version: '1.0.0', type: 'module', dependencies: { express: '*' } }));
write(path.join(apps, 'express', 'main.mjs'), "import * as ns from 'express';\nexport { ns };\n");
const importApps = [
  { name: 'express (148 modules, 71 packages)', entry: path.join(apps, 'express', 'main.mjs'), policy: path.join(policyDir, 'express.json') },
  { name: 'generated 1000 modules / 10 packages', entry: generateApp(path.join(apps, 'gen-1000-10'), 1000, 10), policy: path.join(policyDir, 'gen-1000-10.json') },
];
const imports = [];
for (const app of importApps) {
  const generated = spawn([self, '--worker', 'generate', '--entry', app.entry, '--out', app.policy]);
  if (generated.error) {
    imports.push({ name: app.name, error: `generatePolicy: ${generated.error}` });
    continue;
  }
  const samples = { without: [], with: [] };
  let error;
  for (let i = 0; i < runs && !error; i += 1) {
    for (const withPolicy of i % 2 === 0 ? [false, true] : [true, false]) {
      const result = spawn([self, '--worker', 'cold', '--entry', app.entry, ...(withPolicy ? ['--policy', app.policy] : [])]);
      if (result.error) {
        error = `${withPolicy ? 'with' : 'without'} policy: ${result.error}`;
        break;
      }
      samples[withPolicy ? 'with' : 'without'].push(result);
    }
  }
  if (error) {
    imports.push({ name: app.name, error });
    continue;
  }
  const cold = which => ({ ms: median(samples[which].map(s => s.ms)), wallMs: median(samples[which].map(s => s.wallMs)), rssMB: median(samples[which].map(s => s.rssMB)) });
  progress(`${app.name}: cold done`);
  const warm = spawn(['--expose-gc', self, '--worker', 'warm', '--entry', app.entry, '--policy', app.policy, '--warm', values.warm, '--warmups', values.warmups]);
  progress(`${app.name}: warm done`);
  imports.push({ name: app.name, modules: generated.modules, policy: sizeOf(app.policy), cold: { without: cold('without'), with: cold('with') }, warm: warm.error ? { error: warm.error } : { without: warm.without, with: warm.with } });
}

// 2. Policy generation: Cordon's CLI against LavaMoat's, on CommonJS entries both take.
const lavamoatCli = path.join(root, 'node_modules', 'lavamoat', 'src', 'cli.js');
const lavamoatVersion = fs.existsSync(lavamoatCli) ? JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'lavamoat', 'package.json'), 'utf8')).version : undefined;
const cjsApp = (dir, packages) => {
  write(path.join(dir, 'package.json'), JSON.stringify({ name: `bench-${path.basename(dir)}`, version: '1.0.0', dependencies: Object.fromEntries(packages.map(p => [p, '*'])) }));
  const name = p => p.replace(/\W/g, '_');
  write(path.join(dir, 'main.cjs'), `${packages.map(p => `const ${name(p)} = require('${p}');`).join('\n')}\nmodule.exports = { ${packages.map(name).join(', ')} };\n`);
  return path.join(dir, 'main.cjs');
};
const generationApps = [
  { name: 'express (CommonJS entry)', entry: cjsApp(path.join(apps, 'policy-express-cjs'), ['express']) },
  { name: 'express, pino, yaml, zod, ajv (CommonJS entry)', entry: cjsApp(path.join(apps, 'policy-multi-cjs'), ['express', 'pino', 'yaml', 'zod', 'ajv']) },
];
const generation = [];
for (const app of generationApps) {
  const out = { cordon: path.join(policyDir, `${path.basename(path.dirname(app.entry))}.cordon.json`), lavamoat: path.join(policyDir, `${path.basename(path.dirname(app.entry))}.lavamoat.json`) };
  const contenders = {
    cordon: () => spawn([path.join(root, 'dist', 'cli', 'main.js'), 'policy', 'generate', app.entry, '--out', out.cordon], { parse: false }),
    // LavaMoat resolves packages from its --projectRoot (default: the working directory): the app's own.
    lavamoat: () => (lavamoatVersion ? spawn([lavamoatCli, app.entry, '--autopolicy', '--policyPath', out.lavamoat], { cwd: path.dirname(app.entry), parse: false }) : { error: 'lavamoat is not installed' }),
  };
  const samples = { cordon: [], lavamoat: [] };
  const errors = {};
  for (let i = 0; i < runs; i += 1) {
    for (const contender of i % 2 === 0 ? ['cordon', 'lavamoat'] : ['lavamoat', 'cordon']) {
      if (errors[contender]) continue;
      fs.rmSync(out[contender], { force: true });
      const result = contenders[contender]();
      if (result.error) errors[contender] = result.error;
      else if (!fs.existsSync(out[contender])) errors[contender] = 'wrote no policy';
      else samples[contender].push(result.wallMs);
    }
  }
  const row = contender => (errors[contender] ? { error: errors[contender] } : { wallMs: median(samples[contender]), ...sizeOf(out[contender]) });
  generation.push({ name: app.name, cordon: row('cordon'), lavamoat: row('lavamoat') });
  progress(`generation on ${app.name}: done`);
}

const results = { node: process.version, runs, warm: Number(values.warm), warmups: Number(values.warmups), lavamoat: lavamoatVersion, date: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000), imports, generation };
if (values.json) {
  process.stdout.write(`${JSON.stringify(results)}\n`);
} else {
  printPolicy(results);
  console.log(`\nfor the README:\n\n${policyMarkdown(results)}`);
}

