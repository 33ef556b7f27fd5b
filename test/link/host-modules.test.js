// Host modules in every host configuration Endo's users have (modules, importHook, importNowHook,
// both hooks, modules + hooks) behave as Node's builtins do in Node: one instance shared by every
// package, require() = module.exports, named imports, a builtin's name before an npm package of that
// name (`events/` and `events/extra.js` reach the npm one), optional requires that throw Node's
// MODULE_NOT_FOUND where they are called; and each specifier is asked of the host once.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { importLocation } from 'cordon';
import { builtinHosts, loadBuiltinNamespaces } from '../helpers/builtin-hosts.js';
import { fixtureUrl, nodePowers } from '../helpers/fixtures.js';
import { nodeLockdownOptions } from '../../dist/cli/node-host.js';

const entry = fixtureUrl('host-modules', 'app/main.js');
const nodeAnswer = JSON.parse(
  execFileSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(entry)}).then(m => process.stdout.write(JSON.stringify(m.result)))`], { encoding: 'utf8' }),
);
const namespaces = await loadBuiltinNamespaces();
lockdown(nodeLockdownOptions);

test("Node's own answer is what the fixture says (the reference)", () => {
  assert.equal(nodeAnswer.sameNamespace, true);
  assert.equal(nodeAnswer.eventsSlashIsNpm, 'the npm package named events');
  assert.equal(nodeAnswer.optional.code, 'MODULE_NOT_FOUND');
});

for (const [name, host] of Object.entries(builtinHosts(namespaces))) {
  test(`host modules through ${name} behave as Node's builtins`, async () => {
    const { namespace } = await importLocation(nodePowers(), entry, host.options);
    assert.deepEqual(JSON.parse(JSON.stringify(namespace.result)), nodeAnswer);
    const askedTwice = [...host.asked].filter(([, times]) => times > 1);
    assert.deepEqual(askedTwice, [], 'each specifier is asked of the host once per application');
  });
}

test('the host is asked again by a second application (once per application, not per process)', async () => {
  const host = builtinHosts(namespaces).importHook;
  await importLocation(nodePowers(), entry, host.options);
  await importLocation(nodePowers(), entry, host.options);
  assert.equal(host.asked.get('fs'), 2);
});

test("a builtin the host does not give is named as such, with what to do", async () => {
  const importHook = async specifier => (specifier === 'node:module' ? { namespace: namespaces.module } : undefined);
  await assert.rejects(importLocation(nodePowers(), entry, { importHook }), error => {
    const text = `${error.message}\n${(error.errors ?? []).map(e => `${e.code} ${e.message} ${e.hint}`).join('\n')}`;
    assert.match(text, /CORDON_HOST_MODULE_NOT_FOUND Package [^ ]+ imports Node's builtin "fs", which the host does not give/);
    assert.match(text, /"modules" option or an importHook/);
    return true;
  });
});
