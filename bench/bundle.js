// `npm run bench:bundle`: scripts and bundles, Cordon against the incumbent. Cordon's `makeScript`
// (cordon/script.js) against `@endo/compartment-mapper/script.js`'s, both with `{ format: 'cjs' }` (exits go to
// `require`: express imports Node's builtins), and Cordon's `bundleSource` (cordon/bundle-source.js) against
// `@endo/bundle-source`'s, `bundleSource(startFilename, { format })` in each format (endoZipBase64 also gets
// the bench's builtins `importHook`, as Endo's users bundle an app that imports Node's builtins), with
// esbuild (bundling the same entry as CommonJS for Node) as the floor for reading, parsing and writing.
// Every contender runs after `lockdown()` (the options of `cordon run`).
//
// Before any timing, once per app, contender and step, a check process makes the output and RUNS it: a
// script is evaluated in a new Compartment whose globals are Node's and a `require`; a bundle is imported
// as `@endo/import-bundle` imports its format (the zip parsed and imported by the contender's own
// parseArchive with the builtins importHook; endoScript evaluated; getExport and nestedEvaluate evaluated
// and called, with `nestedEvaluate` and `require` globals) but without hardening the compartment's globals
// (importBundle would harden Node's `process` and `Buffer` with them). The namespace must have Node's own
// keys (`import(entry)` in a clean process): an output that fails or differs is reported and never timed.
//
// Timing: a fresh process per run and contender, the contenders alternating run by run in one invocation;
// a process times its first call (cold: what one `bundle-source` run pays) and then, after --warmups
// calls, the median of --warm more (warm: what a build tool making many bundles pays); medians of --runs.
// Workloads: express (the suite's largest real-world app, 148 modules in 71 packages, in bench/.apps/express
// as bench/suite.js writes it) and lodash-es (640 ES modules, in bench/.apps/archive-lodash-es as
// bench/archive.js writes it); also gen-N-P (bench/generate.js) or any installed package by name.
//   npm run bench:bundle [-- --runs 5 --apps express,lodash-es --json]
// A worker alone, e.g. to profile: node --cpu-prof bench/bundle.js --worker cordon --app lodash-es --step makeScript
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import { parseArgs } from 'node:util';
import { generateApp } from './generate.js';

const root = path.resolve(import.meta.dirname, '..');
const apps = path.join(root, 'bench', '.apps');
const self = url.fileURLToPath(import.meta.url);

export const FORMATS = ['endoZipBase64', 'endoScript', 'getExport', 'nestedEvaluate'];
export const STEPS = ['makeScript', ...FORMATS.map(format => `bundleSource ${format}`)];
const CORDON_BUNDLE_SOURCE = path.join(root, 'dist', 'bundle-source.js');
export const NOT_BUILT = 'not built yet (dist/bundle-source.js is absent: src/pack/bundle-source.ts has not landed)';

/** The app's directory and entry, written as the bench that owns that layout writes it. */
const layout = app => {
  if (app === 'express') return { dir: path.join(apps, 'express'), entry: path.join(apps, 'express', 'main.mjs') };
  const dir = path.join(apps, /^gen-\d+-\d+$/.test(app) ? app : `archive-${app}`);
  return { dir, entry: path.join(dir, app.startsWith('gen-') ? 'main.js' : 'main.mjs') };
};
const prepare = app => {
  const { dir, entry } = layout(app);
  const generated = /^gen-(\d+)-(\d+)$/.exec(app);
  if (generated) {
    if (!fs.existsSync(entry)) generateApp(dir, Number(generated[1]), Number(generated[2]));
    return entry;
  }
  fs.mkdirSync(dir, { recursive: true });
  // bench/suite.js's express files, and bench/archive.js's for every other package (byte for byte).
  if (app === 'express') fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bench-express', version: '1.0.0', type: 'module', dependencies: { express: '*' } }));
  else fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `bench-${app}`, version: '1.0.0', type: 'module', dependencies: { [app]: '*' } }, null, 2));
  fs.writeFileSync(entry, `import * as ns from '${app}';\nexport { ns };\n`);
  return entry;
};

/** What must agree with Node: the entry namespace's keys, those of its `ns` (the package), and a generated app's `total`. */
const summary = namespace => {
  const inner = namespace?.ns;
  return JSON.stringify({
    keys: Object.keys(namespace ?? {}).sort(),
    ns: inner && typeof inner === 'object' ? Object.keys(inner).sort() : undefined,
    total: namespace?.total,
  });
};

const median = xs => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const failureOf = result => {
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map(l => l.trim()).filter(Boolean);
  return (lines.find(l => /^(ERROR|Error|TypeError|SyntaxError|ReferenceError|\w*Error:)/.test(l)) ?? lines.find(l => /Error|rejected|Cannot/.test(l)) ?? lines[0] ?? `exit ${result.status}`).slice(0, 160);
};

/**
 * Runs an output as its consumer does, without hardening Node's globals: a script or endoScript is
 * evaluated, getExport and nestedEvaluate are evaluated and called (as @endo/import-bundle does), a zip is
 * parsed and imported by the contender's own parseArchive. Resolves to the entry's namespace.
 */
const runOutput = async (output, entry, cordon, host) => {
  const { ARCHIVE_LOCATION, builtinImportHook } = await import('./hosts.js');
  const require = (await import('node:module')).createRequire(entry);
  const globals = host.nodeGlobals(new Set(Object.getOwnPropertyNames(new Compartment().globalThis)));
  const compartment = (extra = {}) => {
    const c = new Compartment({ globals: { ...globals, require, ...extra }, __options__: true });
    // Its own `global` (lodash-es looks for it) and an `Error` with V8's stack API (depd uses it).
    Object.assign(c.globalThis, host.nodeGlobalsFor(c.globalThis));
    return c;
  };
  if (output.kind === 'script' || output.kind === 'endoScript') return compartment().evaluate(output.text);
  if (output.kind === 'getExport' || output.kind === 'nestedEvaluate') {
    let c;
    c = compartment(output.kind === 'nestedEvaluate' ? { nestedEvaluate: source => c.evaluate(source) } : {});
    return c.evaluate(`(${output.bundle.source})\n${output.bundle.sourceMap ?? ''}`)(undefined);
  }
  const { decodeBase64 } = await import('@endo/base64');
  const { parseArchive } = cordon ? await import('cordon/import-archive.js') : await import('@endo/compartment-mapper/import-archive.js');
  const { makeReadPowers } = cordon ? await import('cordon/node-powers.js') : await import('@endo/compartment-mapper/node-powers.js');
  const { computeSha512 } = makeReadPowers({ fs, url, crypto: await import('node:crypto'), path });
  const importHook = builtinImportHook();
  const archive = await parseArchive(decodeBase64(output.text), ARCHIVE_LOCATION, { computeSha512, importHook });
  // As bench/archive.js imports each: Cordon with a `global` per package (globalsFor); Endo has no such
  // option, so it gets the host's `global` (and the same stack-API `Error`).
  const options = cordon ? { globals, globalsFor: host.nodeGlobalsFor, importHook } : { globals: { ...globals, ...host.nodeGlobalsFor(globalThis) }, importHook };
  const { namespace } = await archive.import(options);
  return namespace;
};

/** The worker: lockdown, then one contender's step as a `make` function, and the check or the timing. */
const worker = async values => {
  const contender = values.worker;
  const step = values.step;
  const entry = prepare(values.app);
  const { builtinImportHook } = await import('./hosts.js');
  let make;
  let host;
  if (contender === 'esbuild') {
    const esbuild = await import('esbuild');
    make = async () => {
      const result = await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' });
      return { kind: 'esbuild', text: result.outputFiles[0].text };
    };
  } else {
    await import('ses');
    host = await import('../dist/cli/node-host.js');
    lockdown(host.nodeLockdownOptions);
    const crypto = await import('node:crypto');
    const cordon = contender === 'cordon';
    if (step === 'makeScript') {
      const { makeScript } = cordon ? await import('cordon/script.js') : await import('@endo/compartment-mapper/script.js');
      const { makeReadPowers } = cordon ? await import('cordon/node-powers.js') : await import('@endo/compartment-mapper/node-powers.js');
      const powers = makeReadPowers({ fs, url, crypto, path });
      const location = url.pathToFileURL(entry).href;
      make = async () => ({ kind: 'script', text: await makeScript(powers, location, { format: 'cjs' }) });
    } else {
      const format = step.replace('bundleSource ', '');
      if (cordon && !fs.existsSync(CORDON_BUNDLE_SOURCE)) throw new Error(NOT_BUILT);
      const lib = cordon ? await import('cordon/bundle-source.js') : await import('@endo/bundle-source');
      const bundleSource = lib.default ?? lib.bundleSource;
      // endoZipBase64 records Node's builtins as exits only with an importHook (Endo's option for it).
      const options = format === 'endoZipBase64' ? { format, importHook: builtinImportHook() } : { format };
      make = async () => {
        const bundle = await bundleSource(entry, options);
        return { kind: format, bundle, text: format === 'endoZipBase64' ? bundle.endoZipBase64 : bundle.source };
      };
    }
  }

  if (values.check) {
    // Make it once, run it, and tell the driver its size and what its namespace holds.
    let output;
    try {
      output = await make();
    } catch (error) {
      throw Object.assign(new Error(`make: ${error?.message ?? error}`), { stack: error?.stack });
    }
    const bytes = Buffer.byteLength(output.text);
    if (output.kind === 'esbuild') return { bytes };
    try {
      return { bytes, summary: summary(await runOutput(output, entry, contender === 'cordon', host)) };
    } catch (error) {
      throw Object.assign(new Error(`run: ${error?.message ?? error} (output of ${bytes} bytes)`), { stack: error?.stack });
    }
  }

  // The cold call's window on the monotonic clock in µs (what a --cpu-prof profile's timestamps use), to
  // read a profile of the call alone.
  let window;
  const time = async () => {
    const start = process.hrtime.bigint();
    await make();
    const end = process.hrtime.bigint();
    window ??= [Number(start / 1000n), Number(end / 1000n)];
    return Number(end - start) / 1e6;
  };
  const cold = await time();
  for (let i = 0; i < Number(values.warmups); i += 1) await time();
  const warm = [];
  for (let i = 0; i < Number(values.warm); i += 1) warm.push(await time());
  return { cold, warm: median(warm), coldWindowUs: window };
};

/** The driver: prepare, check every output, then time the ones that run, alternating contenders run by run. */
const drive = values => {
  const started = Date.now();
  const runs = Number(values.runs);
  const log = text => process.stderr.write(`${text}\n`);
  const once = args => spawnSync(process.execPath, [self, ...args], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 26 });
  // Once more after a failure, a few seconds later: other work in this checkout may be rebuilding dist/
  // at that moment (a module half written). A real failure fails twice.
  const spawn = args => {
    const result = once(args);
    if (result.status === 0) return result;
    spawnSync('sleep', ['3']);
    return once(args);
  };
  const results = [];
  for (const app of values.apps.split(',')) {
    const entry = prepare(app);
    // Node's own answer, from a clean process (no SES).
    const reference = spawnSync(process.execPath, ['--input-type=module', '-e', `const ns = await import(${JSON.stringify(url.pathToFileURL(entry).href)}); process.stdout.write((${summary.toString()})(ns));`], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 26 });
    if (reference.status !== 0) throw new Error(`node cannot import ${entry}: ${failureOf(reference)}`);
    const expected = reference.stdout;
    const steps = [];
    for (const step of STEPS) {
      const contenders = step === 'makeScript' ? ['cordon', 'endo', 'esbuild'] : ['cordon', 'endo'];
      const row = { step, contenders: {} };
      for (const contender of contenders) {
        const result = spawn(['--worker', contender, '--app', app, '--step', step, '--check']);
        const entryOf = (row.contenders[contender] = { cold: [], warm: [] });
        if (result.status !== 0) {
          const failure = failureOf(result);
          const [, what, message] = /^ERROR (make|run): (.*)$/.exec(failure.replaceAll(`${url.pathToFileURL(root).href}/`, '')) ?? [, 'make', failure];
          const size = / \(output of (\d+) bytes\)$/.exec(message);
          if (size) entryOf.bytes = Number(size[1]);
          entryOf.error = failure.includes(NOT_BUILT) ? NOT_BUILT : what === 'run' ? `output does not run: ${message.replace(/ \(output of \d+ bytes\)$/, '')}` : `fails: ${message}`;
          entryOf.notBuilt = failure.includes(NOT_BUILT);
          continue;
        }
        const check = JSON.parse(result.stdout);
        entryOf.bytes = check.bytes;
        if (check.summary !== undefined && check.summary !== expected) {
          entryOf.error = `output differs from node's import: ${check.summary.slice(0, 120)}`;
        }
      }
      log(`  ${app} ${step}: checked (${Math.round((Date.now() - started) / 1000)} s)${Object.entries(row.contenders).map(([c, e]) => (e.error ? `; ${c} ${e.error}` : '')).join('')}`);
      for (let i = 0; i < runs; i += 1) {
        const order = i % 2 === 0 ? contenders : [...contenders].reverse();
        for (const contender of order) {
          const sample = row.contenders[contender];
          if (sample.error) continue;
          const result = spawn(['--worker', contender, '--app', app, '--step', step, '--warmups', values.warmups, '--warm', values.warm]);
          if (result.status !== 0) {
            sample.error = `fails: ${failureOf(result)}`;
            continue;
          }
          const figures = JSON.parse(result.stdout);
          sample.cold.push(figures.cold);
          sample.warm.push(figures.warm);
        }
      }
      for (const sample of Object.values(row.contenders)) {
        if (sample.error) {
          sample.cold = sample.warm = undefined;
          continue;
        }
        sample.coldSamples = sample.cold;
        sample.cold = median(sample.cold);
        sample.warm = median(sample.warm);
      }
      const { cordon, endo, esbuild } = row.contenders;
      const ratio = (a, b) => (a === undefined || b === undefined ? undefined : a / b);
      row.ratio = { cold: ratio(endo.cold, cordon.cold), warm: ratio(endo.warm, cordon.warm) };
      if (esbuild) row.vsEsbuild = { cold: ratio(cordon.cold, esbuild.cold), warm: ratio(cordon.warm, esbuild.warm) };
      steps.push(row);
      log(`  ${app} ${step}: done (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    results.push({ app, steps });
  }
  return { node: process.version, date: new Date().toISOString(), runs, warmups: Number(values.warmups), warm: Number(values.warm), seconds: Math.round((Date.now() - started) / 1000), results };
};

const NAMES = { cordon: 'Cordon', endo: 'Endo', esbuild: 'esbuild' };
const INCUMBENT = { makeScript: '@endo/compartment-mapper makeScript', bundleSource: '@endo/bundle-source' };

/** The console tables, one per app (also printed by bench/suite.js). */
export function printBundle(bundle) {
  const f = v => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(1) : '—');
  const x = v => (typeof v === 'number' && Number.isFinite(v) ? `${v.toFixed(1)}x` : '—');
  console.log(
    `\nmakeScript ({ format: 'cjs' }) and bundleSource (each format), Cordon against the incumbent, after lockdown: a fresh process per run ` +
      `(cold: its first call; warm: median of ${bundle.warm} after ${bundle.warmups}), medians of ${bundle.runs} alternated runs (node ${bundle.node}); ` +
      'every output checked to run (its namespace is Node\'s) before timing; target: incumbent / Cordon >= 10x',
  );
  for (const { app, steps } of bundle.results) {
    console.log(`\n${app}`);
    console.table(
      steps.flatMap(({ step, contenders, ratio, vsEsbuild }) =>
        Object.entries(contenders).map(([contender, s]) => ({
          step,
          contender: contender === 'endo' ? INCUMBENT[step.split(' ')[0]] : NAMES[contender],
          'cold ms': s.error ? s.error.slice(0, 70) : f(s.cold),
          'warm ms': s.error ? '' : f(s.warm),
          'incumbent/Cordon cold, warm': contender === 'cordon' ? `${x(ratio.cold)}, ${x(ratio.warm)}` : contender === 'esbuild' ? `(Cordon/esbuild ${x(vsEsbuild.cold)}, ${x(vsEsbuild.warm)})` : '',
          'output bytes': s.bytes ?? '—',
        })),
      ),
    );
  }
}

/** Markdown for the README: one table per app. */
export function bundleMarkdown(bundle) {
  const n = v => (typeof v === 'number' && Number.isFinite(v) ? String(Math.round(v)) : '—');
  const x = v => (typeof v === 'number' && Number.isFinite(v) ? `${v.toFixed(1)}×` : '—');
  const bytes = v => (typeof v === 'number' ? v.toLocaleString('en-US') : '—');
  const lines = [`Run of ${bundle.date.slice(0, 16).replace('T', ' ')} UTC, Node ${bundle.node}, ${bundle.seconds} s: a fresh process per run (cold: its first call; warm: median of ${bundle.warm} after ${bundle.warmups}), medians of ${bundle.runs} alternated runs; ms.`];
  for (const { app, steps } of bundle.results) {
    lines.push('', `| ${app} | contender | cold ms | warm ms | incumbent / Cordon cold / warm | output bytes |`, '|---|---|---:|---:|---:|---:|');
    for (const { step, contenders, ratio, vsEsbuild } of steps) {
      for (const [contender, s] of Object.entries(contenders)) {
        const name = contender === 'endo' ? INCUMBENT[step.split(' ')[0]] : NAMES[contender];
        const r = contender === 'cordon' ? `**${x(ratio.cold)} / ${x(ratio.warm)}**` : contender === 'esbuild' ? `(Cordon / esbuild ${x(vsEsbuild.cold)} / ${x(vsEsbuild.warm)})` : '';
        const error = s.error && (s.error.length > 100 ? `${s.error.slice(0, 99)}…` : s.error).replace(/\|/g, '\\|');
        if (s.error) lines.push(`| ${step} | ${name} | ${error} | | ${r} | ${bytes(s.bytes)} |`);
        else lines.push(`| ${step} | ${name} | ${n(s.cold)} | ${n(s.warm)} | ${r} | ${bytes(s.bytes)} |`);
      }
    }
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      warmups: { type: 'string', default: '2' },
      warm: { type: 'string', default: '5' },
      apps: { type: 'string', default: 'express,lodash-es' },
      json: { type: 'boolean', default: false },
      worker: { type: 'string' },
      app: { type: 'string' },
      step: { type: 'string', default: 'makeScript' },
      check: { type: 'boolean', default: false },
    },
  });
  if (values.worker) {
    try {
      process.stdout.write(JSON.stringify(await worker(values)));
    } catch (error) {
      process.stderr.write(`ERROR ${error?.message ?? error}\n${error?.stack ?? ''}\n`);
      process.exit(1);
    }
    process.exit(0);
  }
  const bundle = drive(values);
  if (values.json) process.stdout.write(`${JSON.stringify(bundle, null, 2)}\n`);
  else {
    printBundle(bundle);
    console.log(`\nfor the README:\n\n${bundleMarkdown(bundle)}`);
  }
}
