// Host modules as Endo's API gives them, through `importHook` (not `modules`), when archiving and when
// importing, at every kind of archive location: a CommonJS `require` of a module the hook does not
// provide is a deferred error in the archive (thrown only if it runs), as Endo defers it, and an ES
// module's import of one refuses the archive; `require()` of a host module given in Endo's form (a
// virtual module source with a default export) returns that default.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { unzipSync } from 'fflate';
import { importArchive, makeArchive, makeMemoryPowers, writeArchive } from 'cordon';
import { archivePowers, LOCATIONS } from '../unpack/locations.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const sha512 = bytes => crypto.createHash('sha512').update(bytes).digest('hex');
const thing = { kind: 'host thing', hasOwnProperty: Object.prototype.hasOwnProperty };
const importHook = async specifier => {
  if (specifier !== 'host-thing') return undefined;
  return Object.freeze({
    imports: [],
    exports: ['kind', 'default'],
    execute: exports => {
      exports.kind = thing.kind;
      exports.default = thing;
    },
  });
};
const powers = makeMemoryPowers(
  {
    '/app/package.json': JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', dependencies: { dep: '1.0.0' } }),
    '/app/main.js': "import dep from 'dep';\nimport { kind } from 'host-thing';\nexport const value = dep;\nexport { kind };\n",
    '/app/node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '1.0.0' }),
    '/app/node_modules/dep/index.js': [
      "const host = require('host-thing');",
      "let optional = 'absent';",
      "try { optional = require('optional-missing'); } catch (error) { optional = `absent (${error.message.split(':')[0]})`; }",
      'module.exports = { isThing: host === require("host-thing") && typeof host.hasOwnProperty === "function" && host.hasOwnProperty("kind"), optional };',
    ].join('\n'),
    '/esm/package.json': JSON.stringify({ name: 'esm', version: '1.0.0', type: 'module' }),
    '/esm/main.js': "import missing from 'not-provided';\nexport default missing;\n",
  },
  { computeSha512: sha512 },
);

test('makeArchive with importHook: a require the hook cannot satisfy is archived as a deferred error', async () => {
  const bytes = await makeArchive(powers, 'file:///app/main.js', { importHook });
  const map = JSON.parse(new TextDecoder().decode(unzipSync(bytes)['compartment-map.json']));
  assert.match(map.compartments['dep-v1.0.0'].modules['optional-missing'].deferredError, /^CORDON_MODULE_NOT_FOUND: cannot resolve "optional-missing" from dep-v1.0.0\/index.js$/);
  assert.equal(map.compartments['dep-v1.0.0'].modules['host-thing'], undefined, 'a provided exit stays an exit');
});

test('makeArchive with importHook: an ES module importing what the hook does not provide is refused', async () => {
  await assert.rejects(makeArchive(powers, 'file:///esm/main.js', { importHook }), error => {
    assert.equal(error.code, 'CORDON_LOAD_FAILED', error.message);
    assert.deepEqual(error.errors.map(e => [e.code, e.specifier, e.package]), [['CORDON_MODULE_NOT_FOUND', 'not-provided', '$root$']]);
    return true;
  });
});

for (const { kind, location } of LOCATIONS) {
  test(`importArchive with importHook at a ${kind}: require() of a host module in Endo's form is its default; the deferred error throws where required`, async () => {
    const { read, write } = archivePowers(powers);
    await writeArchive(write, read, location, 'file:///app/main.js', { importHook });
    const { namespace } = await importArchive(read, location, { importHook });
    assert.equal(namespace.kind, 'host thing');
    assert.deepEqual({ ...namespace.value }, { isThing: true, optional: 'absent (CORDON_MODULE_NOT_FOUND)' });
  });
}
