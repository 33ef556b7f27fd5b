// Runs the attenuators fixture (test/fixtures/attenuators/app) in a fresh process under real lockdown
// and prints what the `user` package was given, as JSON: `node test/helpers/attenuators-run.js MODE POLICY [ENTRY]`.
//   MODE    location  importLocation;
//           archive   makeArchive (builtins through `modules`, the policy given, as Endo's makeArchive
//                     takes it) → parseArchive at memory:app.zip with computeSha512 → import() under the
//                     policy; also prints the compartments and files the archive holds;
//           archive-without-policy  the same, but makeArchive is not given the policy (import() is).
//   POLICY  a name of POLICIES below.
//   ENTRY   main.js (default: the entry never imports the attenuator) or imports-attenuator.js.
// Prints { result?, error?, archived?: { compartments: [names], files: [paths] } }.
import 'ses';
import crypto from 'node:crypto';
import url from 'node:url';
import { unzipSync } from 'fflate';
import { importLocation, makeArchive, parseArchive } from 'cordon';
import { fixtureUrl, nodePowers } from './fixtures.js';
import { HOST_CONFIGS } from './host-configs.js';
import * as host from '../../dist/cli/node-host.js';

export const POLICIES = {
  // Explicit attenuation definitions.
  explicit: {
    resources: {
      user: {
        builtins: { fs: { attenuate: 'my-attenuator', params: ['readFileSync'] } },
        globals: { attenuate: 'my-attenuator', params: ['console'] },
      },
    },
  },
  // Implicit ones ([params…]), calling the policy's defaultAttenuator.
  default: {
    defaultAttenuator: 'my-attenuator',
    resources: {
      user: {
        builtins: { fs: ['readFileSync'] },
        globals: ['console'],
      },
    },
  },
  // The default attenuator given in the package's own policy.
  'package-default': {
    resources: {
      user: {
        defaultAttenuator: 'my-attenuator',
        builtins: { fs: ['readFileSync'] },
        globals: ['console'],
      },
    },
  },
  // No attenuator anywhere: the implicit builtin params are Cordon's member picker; console a plain grant.
  picker: {
    resources: {
      user: {
        builtins: { fs: ['readFileSync'] },
        globals: { console: true },
      },
    },
  },
  none: undefined,
};

const [mode, policyName, entryName = 'main.js'] = process.argv.slice(2);
const policy = POLICIES[policyName];
lockdown(host.nodeLockdownOptions);
const compartmentNames = new Set(Object.getOwnPropertyNames(new Compartment().globalThis));
const options = { ...HOST_CONFIGS.modules({ ...host, globals: () => host.nodeGlobals(compartmentNames) }), ...(policy ? { policy } : {}) };
const entry = fixtureUrl('attenuators', `app/${entryName}`);
const dataFile = url.fileURLToPath(fixtureUrl('attenuators', 'app/node_modules/user/data.txt'));
const sha512 = bytes => crypto.createHash('sha512').update(bytes).digest('hex');

const describe = error => ({
  code: error?.code,
  message: String(error?.message ?? error),
  errors: (error?.errors ?? []).map(e => ({ code: e?.code, package: e?.package, resource: e?.resource, message: String(e?.message ?? e) })),
});

const out = {};
try {
  let namespace;
  if (mode === 'location') {
    ({ namespace } = await importLocation(nodePowers(), entry, options));
  } else {
    const { globals: _, globalsFor: __, policy: ___, ...archiveOptions } = options;
    const bytes = await makeArchive(nodePowers(), entry, mode === 'archive' && policy ? { ...archiveOptions, policy } : archiveOptions);
    const files = unzipSync(bytes);
    const map = JSON.parse(new TextDecoder().decode(files['compartment-map.json']));
    out.archived = { compartments: Object.values(map.compartments).map(c => c.name).sort(), files: Object.keys(files).sort() };
    const application = await parseArchive(bytes, 'memory:app.zip', { computeSha512: sha512 });
    ({ namespace } = await application.import(options));
  }
  out.result = namespace.run(dataFile);
} catch (error) {
  out.error = describe(error);
}
process.stdout.write(JSON.stringify(out));
