// Runs a tampered archive of the policy fixture (test/fixtures/policy/app/dynamic.js) in a fresh process
// under real lockdown, and prints what happened as JSON: `node test/helpers/archive-tamper-run.js SPEC`,
// SPEC a JSON object:
//   tamper    the name of one of TAMPERS below ('none': the archive as makeArchive wrote it)
//   location  the archive's location given to parseArchive ('memory:app.zip', 'app.zip', a file: URL)
//   policy    lavamoat | endo | none (the fixture's policies/<name>.json, given to import())
//   pinned    true: parseArchive gets expectedSha512, the sha512 of the untampered archive's map
//   dir       (zip-slip cases) a directory to write the archive to, as app.zip, and to run in
// Prints { stage, error?, result?, made, polyfillFlag, names }:
//   stage         where it stopped: 'parse' (parseArchive threw), 'import' (import() threw), 'run'
//                 (namespace.run threw) or 'done';
//   made          the labels of the compartments made, in order (globalsFor is called once for each,
//                 as it is made): none when the archive is refused before any compartment exists;
//   polyfillFlag  what the polyfill package's top-level code wrote to its global (it runs first): a
//                 string once any of the archive's code ran, 'undefined' otherwise.
import 'ses';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import url from 'node:url';
import { zipSync, unzipSync, strToU8 } from 'fflate';
import { makeArchive, parseArchive } from 'cordon';
import { fixtureUrl, nodePowers } from './fixtures.js';
import * as host from '../../dist/cli/node-host.js';

const spec = JSON.parse(process.argv[2]);
const readPolicy = name => JSON.parse(fs.readFileSync(new URL(`../fixtures/policy/policies/${name}.json`, import.meta.url), 'utf8'));
const policy = spec.policy === 'none' ? undefined : readPolicy(spec.policy);
lockdown(host.nodeLockdownOptions);
const compartmentNames = new Set(Object.getOwnPropertyNames(new Compartment().globalThis));
const sha512 = bytes => crypto.createHash('sha512').update(bytes).digest('hex');

const made = [];
const globalsByLabel = new Map();
const hostOptions = () => ({
  globals: host.nodeGlobals(compartmentNames),
  globalsFor: (compartmentGlobal, label) => {
    made.push(label);
    globalsByLabel.set(label, compartmentGlobal);
    return host.nodeGlobalsFor(compartmentGlobal, label);
  },
  modules: host.nodeBuiltinModules(),
});

const SNEAKY = 'sneaky-v1.0.0';

/** The grants of the fixture's policy, as each package's embedded `policy` field (Endo's or LavaMoat's keys). */
const embedAll = (map, resources, sneakyGrant) => {
  for (const [name, compartment] of Object.entries(map.compartments)) {
    if (name === map.entry.compartment) continue;
    compartment.policy = name === SNEAKY ? sneakyGrant : (resources[compartment.label] ?? {});
  }
};

/**
 * Each attack: `(map, files) => void`, editing the parsed compartment map (and the zip's entries) in
 * place. Every entry it does not name is rezipped with its bytes unchanged.
 */
const TAMPERS = {
  none: () => {},
  // sneaky's computed require('secret') / import('secret') reach the validator package.
  'link-to-validator': map => {
    map.compartments[SNEAKY].modules.secret = { compartment: 'validator-v1.0.0', module: './index.js' };
  },
  // A whole compartment added, the secret package (its precompiled module and its map entry, taken from
  // an archive of main.js, where evil links it), linked from sneaky.
  'link-to-secret': async (map, files) => {
    const full = unzipSync(await makeArchive(nodePowers(), fixtureUrl('policy', 'app/main.js'), { modules: host.nodeBuiltinModules() }));
    const fullMap = JSON.parse(new TextDecoder().decode(full['compartment-map.json']));
    const [name, secret] = Object.entries(fullMap.compartments).find(([, c]) => c.name === 'secret');
    for (const module of Object.values(secret.modules)) if ('location' in module) files[`${name}/${module.location}`] = full[`${name}/${module.location}`];
    map.compartments[name] = { ...secret, label: 'sneaky>secret' };
    map.compartments[SNEAKY].modules.secret = { compartment: name, module: './index.js' };
  },
  // sneaky's computed require('fs') named as an exit of its compartment.
  'exit-fs': map => {
    map.compartments[SNEAKY].modules.fs = { exit: 'fs' };
  },
  // Every package's embedded policy is the fixture's, but sneaky's grants it fs.
  'embedded-endo': map => embedAll(map, readPolicy('endo').resources, { builtins: { fs: true } }),
  'embedded-lavamoat': map => embedAll(map, readPolicy('lavamoat').resources, { builtin: { fs: true } }),
  // Only sneaky's compartment carries a policy field.
  'embedded-endo-sneaky-only': map => {
    map.compartments[SNEAKY].policy = { builtins: { fs: true } };
  },
  // sneaky takes the reader's canonical name (whose grants include fs.readFileSync).
  'same-label': map => {
    map.compartments[SNEAKY].label = 'reader';
  },
  // sneaky takes the application's canonical name.
  'root-label': map => {
    map.compartments[SNEAKY].label = '$root$';
  },
  // With the fixture's grants embedded (in force when the host gives no policy), sneaky takes the reader's name.
  'same-label-embedded': map => {
    embedAll(map, readPolicy('endo').resources, {});
    map.compartments[SNEAKY].label = 'reader';
  },
  // The entry gives up $root$ (to its package name) and sneaky takes it.
  'root-label-moved': map => {
    map.compartments[map.entry.compartment].label = 'app';
    map.compartments[SNEAKY].label = '$root$';
  },
  'zip-slip-dotdot': (map, files) => {
    files['../evil.js'] = strToU8('globalThis.escaped = true;\n');
  },
  'zip-slip-absolute': (map, files) => {
    files['/abs.js'] = strToU8('globalThis.escaped = true;\n');
  },
  'zip-slip-nested': (map, files) => {
    files['sneaky-v1.0.0/../../evil.js'] = strToU8('globalThis.escaped = true;\n');
  },
};

const describe = error => ({
  code: error?.code,
  message: String(error?.message ?? error),
  file: error?.file,
  errors: (error?.errors ?? []).map(e => ({ code: e.code, package: e.package, resource: e.resource, policyKey: e.policyKey })),
});

const out = { stage: 'parse', made, polyfillFlag: 'undefined' };
const finish = () => {
  const polyfill = globalsByLabel.get('polyfill');
  out.polyfillFlag = polyfill === undefined ? 'undefined' : String(polyfill.sharedFlag);
  process.stdout.write(JSON.stringify(out));
};

try {
  const { policy: _, globalsFor: __, globals: ___, ...archiveOptions } = hostOptions();
  const original = await makeArchive(nodePowers(), fixtureUrl('policy', 'app/dynamic.js'), archiveOptions);
  const files = unzipSync(original);
  const originalMapSha512 = sha512(files['compartment-map.json']);
  const map = JSON.parse(new TextDecoder().decode(files['compartment-map.json']));
  await TAMPERS[spec.tamper](map, files);
  const mapBytes = spec.tamper === 'none' ? files['compartment-map.json'] : strToU8(JSON.stringify(map));
  const bytes = spec.tamper === 'none' ? original : zipSync({ ...files, 'compartment-map.json': mapBytes }, { level: 0 });
  out.names = Object.keys(unzipSync(bytes));
  out.mapChanged = sha512(mapBytes) !== originalMapSha512;
  if (spec.dir) {
    fs.writeFileSync(path.join(spec.dir, 'app.zip'), bytes);
    process.chdir(spec.dir);
  }
  const location = spec.location;
  const application = await parseArchive(bytes, location, { computeSha512: sha512, ...(spec.pinned ? { expectedSha512: originalMapSha512 } : {}) });
  out.stage = 'import';
  const { namespace } = await application.import({ ...hostOptions(), ...(policy ? { policy } : {}) });
  out.stage = 'run';
  out.result = await namespace.run(url.fileURLToPath(fixtureUrl('policy', 'app/node_modules/reader/data.txt')));
  out.stage = 'done';
} catch (error) {
  out.error = describe(error);
}
out.escaped = typeof globalThis.escaped;
finish();
