// The zip reader at every kind of location: stored entries (as Cordon and Endo write them), deflated
// ones (as other zip tools may write them), and a zip behind a prefix (a script header) all read back
// to the same application; entries of a stored zip are not copies of one another's bytes.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { unzipSync, zipSync } from 'fflate';
import { makeArchive, makeMemoryPowers, parseArchive } from 'cordon';
import { readZip } from '../../dist/unpack/index.js';
import { LOCATIONS } from './locations.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const powers = makeMemoryPowers({
  '/app/package.json': JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', dependencies: { dep: '1.0.0' } }),
  '/app/main.js': "import { v } from 'dep';\nexport const value = v;\n",
  '/app/node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '1.0.0' }),
  '/app/node_modules/dep/index.js': `exports.v = ${JSON.stringify('x'.repeat(5000))}.length;\n`,
});
const stored = await makeArchive(powers, 'file:///app/main.js');
const files = unzipSync(stored);
const deflated = zipSync(files, { level: 6 });
const prefixed = new Uint8Array([...new TextEncoder().encode('#!/usr/bin/env cordon run\n'), ...stored]);

for (const { kind, location } of LOCATIONS) {
  for (const [form, bytes] of [['stored', stored], ['deflated', deflated], ['behind a prefix', prefixed]]) {
    test(`a ${form} zip at a ${kind} reads back entry for entry and runs`, async () => {
      const entries = readZip(bytes, location);
      assert.deepEqual([...entries.keys()].sort(), Object.keys(files).sort());
      for (const [name, content] of entries) assert.deepEqual(content, files[name], name);
      assert.equal((await (await parseArchive(bytes, location)).import()).namespace.value, 5000);
    });
  }
}

test('what was read does not change when the caller changes its bytes afterwards', async () => {
  const bytes = new Uint8Array(stored);
  const application = await parseArchive(bytes, 'memory:app.zip');
  bytes.fill(0);
  assert.equal((await application.import()).namespace.value, 5000);
});
