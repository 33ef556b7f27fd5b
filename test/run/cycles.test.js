// Cross-package ES module cycles (two packages importing each other, a ring of three, live calls both
// ways, a binding read in its TDZ, re-exports and `export * as` through the cycle) link as Node links
// them, and never hang: through importLocation, loadLocation and archives at several kinds of location.
// Node's answer (a child process) is the reference; every run is bounded.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { importLocation, loadLocation, makeArchive, mapNodeModules, parseArchive } from 'cordon';
import { fixtureUrl, memoryPowers, nodePowers } from '../helpers/fixtures.js';

const entry = fixtureUrl('cycles', 'app/main.js');
const nodeAnswer = JSON.parse(
  execFileSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(entry)}).then(m => process.stdout.write(JSON.stringify(m.result)))`], { encoding: 'utf8' }),
);
lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

/** `promise`, or a failure naming `what` if it has not settled in 20 s (a hang, not a slow machine). */
const bounded = (what, promise) => {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle in 20 s: the cycle hangs`)), 20_000);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
};

test("Node's answer shows the cycle's behaviour", () => {
  assert.equal(nodeAnswer.early, 'ReferenceError');
  assert.equal(nodeAnswer.countAfterRing, 9);
});

test('the package graph of a dependency cycle maps (each package once)', async () => {
  const map = await bounded('mapNodeModules', mapNodeModules(nodePowers(), entry));
  const labels = Object.values(map.compartments).map(c => c.name).sort();
  assert.deepEqual(labels, ['cycles-app', 'p', 'q', 'r', 's']);
});

const ways = {
  importLocation: () => importLocation(nodePowers(), entry),
  'importLocation over memory powers': () => importLocation(memoryPowers('cycles'), 'file:///fixture/app/main.js'),
  'loadLocation().import()': async () => (await loadLocation(nodePowers(), entry)).import(),
};
for (const location of ['file:///archives/app.zip', 'memory:app.zip', 'app.zip']) {
  ways[`archive at ${location}`] = async () => (await parseArchive(await makeArchive(nodePowers(), entry), location)).import();
}

for (const [name, run] of Object.entries(ways)) {
  test(`cross-package cycles through ${name}: as in Node`, async () => {
    const { namespace } = await bounded(name, run());
    assert.deepEqual(JSON.parse(JSON.stringify(namespace.result)), nodeAnswer);
  });
}
