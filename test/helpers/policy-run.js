// Runs the policy fixture (test/fixtures/policy) in a fresh process under real lockdown and prints what
// each package reached, as JSON: `node test/helpers/policy-run.js MODE POLICY CONFIG [ENTRY]`.
//   MODE    location (importLocation) | archive (makeArchive → parseArchive at memory:app.zip → import)
//   POLICY  lavamoat | endo | none (the fixture's policies/<name>.json; none: nothing restricted)
//   CONFIG  a host configuration of host-configs.js (modules, importHook, importNowHook, hooks, …)
//   ENTRY   main.js (default) or dynamic.js
// A failure prints { error: { code, message, errors: [{ code, package, resource }] } }.
import 'ses';
import fs from 'node:fs';
import crypto from 'node:crypto';
import url from 'node:url';
import { importLocation, makeArchive, parseArchive } from 'cordon';
import { HOST_CONFIGS } from './host-configs.js';
import { fixtureUrl, nodePowers } from './fixtures.js';
import * as host from '../../dist/cli/node-host.js';

const [mode, policyName, config, entryName = 'main.js'] = process.argv.slice(2);
const policy = policyName === 'none' ? undefined : JSON.parse(fs.readFileSync(new URL(`../fixtures/policy/policies/${policyName}.json`, import.meta.url), 'utf8'));
const names = new Set(Object.getOwnPropertyNames(globalThis));
lockdown(host.nodeLockdownOptions);
const compartmentNames = new Set(Object.getOwnPropertyNames(new Compartment().globalThis));
const hostOf = {
  nodeGlobalsFor: host.nodeGlobalsFor,
  nodeBuiltinModules: host.nodeBuiltinModules,
  globals: () => host.nodeGlobals(compartmentNames),
};
void names;
const options = { ...HOST_CONFIGS[config](hostOf), ...(policy ? { policy } : {}) };
const entry = fixtureUrl('policy', `app/${entryName}`);
const sha512 = bytes => crypto.createHash('sha512').update(bytes).digest('hex');

const describe = error => ({
  code: error?.code,
  message: String(error?.message ?? error),
  errors: (error?.errors ?? []).map(e => ({ code: e.code, package: e.package, resource: e.resource, policyKey: e.policyKey })),
});

try {
  let namespace;
  if (mode === 'location') {
    ({ namespace } = await importLocation(nodePowers(), entry, options));
  } else {
    const { policy: _, globals, globalsFor, ...archiveOptions } = options;
    const bytes = await makeArchive(nodePowers(), entry, archiveOptions);
    const application = await parseArchive(bytes, 'memory:app.zip', { computeSha512: sha512 });
    ({ namespace } = await application.import(options));
  }
  process.stdout.write(JSON.stringify(await namespace.run(url.fileURLToPath(fixtureUrl('policy', 'app/node_modules/reader/data.txt')))));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: describe(error) }));
}
