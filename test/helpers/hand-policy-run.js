// Runs one app of test/fixtures/hand-policies/apps/<pkg>/main.js in a fresh process and prints
// `run()`'s answer as JSON: `node test/helpers/hand-policy-run.js MODE PKG [POLICY_JSON]`.
//   MODE  node      plain Node (no SES): the answer to compare with;
//         cordon    real lockdown(nodeLockdownOptions), importLocation with builtins through `modules`
//                   (test/helpers/host-configs.js), under POLICY_JSON (a LavaMoat policy, as text);
//         generate  prints generatePolicy's result for the app ({ policy, canonicalNames, dynamic }).
// A failure prints { error: { code, message, package, resource, errors: [...] } }.
import fs from 'node:fs';
import url from 'node:url';

const [mode, pkg, policyText] = process.argv.slice(2);
const entry = new URL(`../fixtures/hand-policies/apps/${pkg}/main.js`, import.meta.url).href;

const describe = error => ({
  code: error?.code,
  message: String(error?.message ?? error),
  package: error?.package,
  resource: error?.resource,
  policyKey: error?.policyKey,
  errors: (error?.errors ?? []).map(e => ({ code: e?.code, package: e?.package, resource: e?.resource, policyKey: e?.policyKey, message: String(e?.message ?? e) })),
});

const print = value => process.stdout.write(JSON.stringify(value));

try {
  if (mode === 'node') {
    print({ result: (await import(entry)).run() });
  } else {
    await import('ses');
    const { importLocation } = await import('cordon');
    const { generatePolicy } = await import('cordon/policy.js');
    const { nodePowers } = await import('./fixtures.js');
    const { HOST_CONFIGS } = await import('./host-configs.js');
    const host = await import('../../dist/cli/node-host.js');
    if (mode === 'generate') {
      const { policy, canonicalNames, dynamic } = await generatePolicy(nodePowers(), entry);
      print({ policy, canonicalNames, dynamic });
    } else {
      lockdown(host.nodeLockdownOptions);
      const compartmentNames = new Set(Object.getOwnPropertyNames(new Compartment().globalThis));
      const options = HOST_CONFIGS.modules({ ...host, globals: () => host.nodeGlobals(compartmentNames) });
      const policy = JSON.parse(policyText);
      const { namespace } = await importLocation(nodePowers(), entry, { ...options, policy });
      print({ result: namespace.run() });
    }
  }
} catch (error) {
  print({ error: describe(error) });
}
void fs;
void url;
