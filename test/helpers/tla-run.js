// Runs every top-level-await case (test/helpers/tla-cases.js) in one way of importing it, after real
// lockdown, and writes each case's printed lines (or its error) as JSON:
//   node test/helpers/tla-run.js MODE ROOTS.json OUT.json
// MODE: a host configuration of host-configs.js (`modules`, `importHook`, `importNowHook`, `hooks`,
// `globals-only`), `archive:<location>` (makeArchive, then parseArchive at `memory:app.zip`, `app.zip`
// or the archive's file: URL), `bundle` (bundleSource endoZipBase64, then importBundle),
// `bundle:<format>` (endoScript, nestedEvaluate, getExport, through importBundle), or
// `script`, `script:evaluate`, `functor` (makeScript / makeScript { useEvaluate } / makeFunctor, evaluated
// in a Compartment; the completion is the namespace or, when the entry waited, a promise of it).
// Each case's modules print through their own console (node:util's format, as Node's console.log),
// so the lines of one case are its own; a case is done when its import settles and its timers ran.
import fs from 'node:fs';
import url from 'node:url';
import path from 'node:path';
import crypto from 'node:crypto';
import { format } from 'node:util';

const [mode, rootsFile, out] = process.argv.slice(2);
const roots = JSON.parse(fs.readFileSync(rootsFile, 'utf8'));
await import('ses');
const nodeHost = await import('../../dist/cli/node-host.js');
const { importLocation, makeArchive, parseArchive } = await import('cordon');
const { makeReadNowPowers } = await import('cordon/node-powers.js');
const { bundleSource } = await import('cordon/bundle-source.js');
const { importBundle } = await import('cordon/import-bundle.js');
const { makeScript } = await import('cordon/script.js');
const { makeFunctor } = await import('cordon/functor.js');
const { HOST_CONFIGS } = await import('./host-configs.js');
lockdown(nodeHost.nodeLockdownOptions);
const compartmentNames = new Set(Object.getOwnPropertyNames(new Compartment().globalThis));
const host = { ...nodeHost, globals: () => nodeHost.nodeGlobals(compartmentNames) };
const powers = makeReadNowPowers({ fs, url, crypto, path });
const sha512 = bytes => crypto.createHash('sha512').update(bytes).digest('hex');

const results = {};
for (const [name, root] of Object.entries(roots)) {
  const lines = [];
  const console = harden({ log: (...args) => void lines.push(format(...args)), error: (...args) => void lines.push(format(...args)) });
  const entry = url.pathToFileURL(path.join(root, 'main.mjs')).href;
  const config = HOST_CONFIGS[mode in HOST_CONFIGS ? mode : 'modules'](host);
  const options = { ...config, globals: { ...config.globals, console } };
  try {
    if (mode.startsWith('archive:')) {
      const bytes = await makeArchive(powers, entry, { modules: options.modules });
      const kind = mode.slice('archive:'.length);
      const location = kind === 'memory' ? 'memory:app.zip' : kind === 'bare' ? 'app.zip' : url.pathToFileURL(path.join(root, 'app.zip')).href;
      const application = await parseArchive(bytes, location, { computeSha512: sha512 });
      await application.import(options);
    } else if (mode === 'bundle' || mode.startsWith('bundle:')) {
      const format = mode === 'bundle' ? 'endoZipBase64' : mode.slice('bundle:'.length);
      const bundle = await bundleSource(url.fileURLToPath(entry), { format });
      await importBundle(bundle, { endowments: { console, setTimeout, queueMicrotask } });
    } else if (mode === 'script' || mode === 'script:evaluate' || mode === 'functor') {
      const compartment = new Compartment({ __options__: true, globals: { console, setTimeout, queueMicrotask } });
      if (mode === 'functor') {
        const text = await makeFunctor(powers, entry);
        await compartment.evaluate(`(${text})({ evaluate: source => (0, eval)(source) })`);
      } else {
        await compartment.evaluate(await makeScript(powers, entry, mode === 'script' ? {} : { useEvaluate: true }));
      }
    } else {
      await importLocation(powers, entry, options);
    }
  } catch (error) {
    lines.push(`import failed: ${error?.message ?? error}`);
  }
  // Timers of the case (at most 20 ms) have run by then.
  await new Promise(resolve => setTimeout(resolve, 40));
  results[name] = lines;
}
fs.writeFileSync(out, JSON.stringify(results));
process.exit(0);
