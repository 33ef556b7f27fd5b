// Module namespace objects as the spec and Node make them, for ES modules, CommonJS, JSON and a host
// builtin (through `modules` and through `importHook`): keys in code-unit order, each property's
// descriptor, @@toStringTag, not extensible, null prototype, writes and deletes refused, live bindings;
// on Node ≥ 23 a CommonJS namespace also has the 'module.exports' key. Node's answer, on the Node that
// runs the test, is the reference.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { importLocation } from 'cordon';
import { builtinHosts, loadBuiltinNamespaces } from '../helpers/builtin-hosts.js';
import { fixtureUrl, nodePowers } from '../helpers/fixtures.js';
import { nodeLockdownOptions } from '../../dist/cli/node-host.js';

const entry = fixtureUrl('namespaces', 'app/main.js');
const nodeAnswer = JSON.parse(
  execFileSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(entry)}).then(m => process.stdout.write(JSON.stringify(m.result)))`], { encoding: 'utf8' }),
);
const namespaces = await loadBuiltinNamespaces();
lockdown(nodeLockdownOptions);
const hosts = builtinHosts(namespaces);

test("Node's answer has what this test is about", () => {
  assert.deepEqual(nodeAnswer.esm.keys.slice(0, 4), ['$', 'Zed', '_', 'a b']);
  assert.equal(nodeAnswer.cjs.keys.includes('module.exports'), Number(process.versions.node.split('.')[0]) >= 23);
});

for (const name of ['modules', 'importHook']) {
  test(`namespaces of every module kind (builtins through ${name}) are Node's`, async () => {
    const { namespace } = await importLocation(nodePowers(), entry, hosts[name].options);
    assert.deepEqual(JSON.parse(JSON.stringify(namespace.result)), nodeAnswer);
  });
}
