// Archive locations are names, not URLs: every reader and writer takes any location string, and a
// module's location is `<archive location>/<compartment>/<path>` at each kind of location: its
// import.meta.url, its sourceURL (stack frames), its __filename and __dirname (the path for `file:`,
// the location itself otherwise), what require.resolve returns and what errors name.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { unzipSync, zipSync } from 'fflate';
import { describeArchive, importArchive, loadArchive, makeAndHashArchive, makeArchive, makeArchiveFromMap, makeMemoryPowers, mapNodeModules, parseArchive, writeArchive } from 'cordon';
import { makeAndHashArchiveFromMap, writeArchiveFromMap } from 'cordon/archive-lite.js';
import { archivePowers, LOCATIONS, moduleDirname, moduleFilename, moduleLocation } from './locations.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe', stackFiltering: 'verbose' });

const sha512 = bytes => crypto.createHash('sha512').update(bytes).digest('hex');
const source = makeMemoryPowers(
  {
    '/app/package.json': JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', dependencies: { dep: '1.0.0', esdep: '1.0.0' } }),
    '/app/main.js': [
      "import dep from 'dep';",
      "import { where, fail } from 'esdep';",
      'export const url = import.meta.url;',
      'export { dep, where };',
      'export const esmStack = (() => { try { fail(); } catch (error) { return error.stack; } })();',
    ].join('\n'),
    '/app/node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '1.0.0', main: 'lib/index.js' }),
    '/app/node_modules/dep/lib/index.js': [
      'exports.filename = __filename;',
      'exports.dirname = __dirname;',
      'exports.moduleFilename = module.filename;',
      "exports.resolved = require.resolve('./other.js');",
      "exports.other = require('./other.js');",
      "exports.stack = (() => { try { throw new Error('cjs boom'); } catch (error) { return error.stack; } })();",
    ].join('\n'),
    '/app/node_modules/dep/lib/other.js': "module.exports = 'other';\n",
    '/app/node_modules/esdep/package.json': JSON.stringify({ name: 'esdep', version: '1.0.0', type: 'module', exports: './src/where.js' }),
    '/app/node_modules/esdep/src/where.js': "export const where = import.meta.url;\nexport const fail = () => { throw new Error('esm boom'); };\n",
  },
  { computeSha512: sha512 },
);
const entry = 'file:///app/main.js';
const reference = await makeArchive(source, entry);

const checkNamespace = (namespace, location) => {
  assert.equal(namespace.url, moduleLocation(location, 'app-v1.0.0', 'main.js'));
  assert.equal(namespace.where, moduleLocation(location, 'esdep-v1.0.0', 'src/where.js'));
  assert.equal(namespace.dep.filename, moduleFilename(location, 'dep-v1.0.0', 'lib/index.js'));
  assert.equal(namespace.dep.moduleFilename, namespace.dep.filename);
  assert.equal(namespace.dep.dirname, moduleDirname(location, 'dep-v1.0.0', 'lib/index.js'));
  assert.equal(namespace.dep.resolved, moduleFilename(location, 'dep-v1.0.0', 'lib/other.js'));
  assert.equal(namespace.dep.other, 'other');
  // Stack frames name each module (its sourceURL): an ES module by its location, a CommonJS module by
  // its __filename (as Node names CommonJS frames by path: the path for `file:`, else the location).
  assert.ok(namespace.esmStack.includes(`${moduleLocation(location, 'esdep-v1.0.0', 'src/where.js')}:`), namespace.esmStack);
  assert.ok(namespace.dep.stack.includes(`${moduleFilename(location, 'dep-v1.0.0', 'lib/index.js')}:`), namespace.dep.stack);
};

for (const { kind, location } of LOCATIONS) {
  test(`${kind} (${location}): writeArchive then importArchive and loadArchive read it back; module locations are <location>/<compartment>/<path>`, async () => {
    const { read, write, archives } = archivePowers(source);
    await writeArchive(write, read, location, entry);
    assert.deepEqual([...archives.keys()], [location]);
    assert.deepEqual(archives.get(location), reference, 'the bytes do not depend on where the archive is written');
    checkNamespace((await importArchive(read, location)).namespace, location);
    const application = await loadArchive(read, location, { computeSha512: sha512 });
    assert.equal(application.sha512, sha512(unzipSync(reference)['compartment-map.json']));
    checkNamespace((await application.import()).namespace, location);
  });

  test(`${kind} (${location}): parseArchive of makeArchive's bytes; the *FromMap forms write there too`, async () => {
    checkNamespace((await (await parseArchive(reference, location, { computeSha512: sha512 })).import()).namespace, location);
    const map = await mapNodeModules(source, entry);
    assert.deepEqual(await makeArchiveFromMap(source, map), reference);
    assert.deepEqual((await makeAndHashArchiveFromMap(source, map)).bytes, reference);
    assert.deepEqual((await makeAndHashArchive(source, entry)).bytes, reference);
    const { read, write, archives } = archivePowers(source);
    await writeArchiveFromMap(write, read, location, map);
    assert.deepEqual(archives.get(location), reference);
    checkNamespace((await importArchive(read, location)).namespace, location);
  });

  test(`${kind} (${location}): errors name the archive and the module by their locations`, async () => {
    const files = unzipSync(reference);
    const map = JSON.parse(new TextDecoder().decode(files['compartment-map.json']));
    delete map.compartments['app-v1.0.0'].modules.dep;
    delete map.compartments['app-v1.0.0'].modules['./main.js'].sha512;
    const broken = zipSync({ ...files, 'compartment-map.json': new TextEncoder().encode(JSON.stringify(map)) }, { level: 0 });
    const application = await parseArchive(broken, location);
    await assert.rejects(application.import(), error => {
      assert.equal(error.code, 'CORDON_LOAD_FAILED');
      assert.ok(error.message.startsWith(`Cannot load ${location} `), error.message);
      assert.equal(error.errors[0].code, 'CORDON_UNDECLARED_DEPENDENCY');
      assert.equal(error.errors[0].file, moduleLocation(location, 'app-v1.0.0', 'main.js'));
      return true;
    });
    await assert.rejects(parseArchive(broken.slice(0, 100), location), error => error.code === 'CORDON_ARCHIVE_CORRUPT' && error.file === location);
    const description = await describeArchive(reference, location);
    assert.deepEqual(description.compartments.map(c => c.name), ['app-v1.0.0', 'dep-v1.0.0', 'esdep-v1.0.0']);
  });

  test(`${kind} (${location}): computeSourceLocation still names each module when given`, async () => {
    const application = await parseArchive(reference, location, { computeSourceLocation: (compartment, specifier) => `custom:${compartment}/${specifier.slice(2)}` });
    const { namespace } = await application.import();
    assert.equal(namespace.url, 'custom:app-v1.0.0/main.js');
    assert.equal(namespace.dep.filename, 'custom:dep-v1.0.0/lib/index.js');
  });
}

test('a file: location whose path needs escaping: import.meta.url is a URL of it, __filename its path', async () => {
  const location = 'file:///my%20archives/app%23v1.zip';
  const { namespace } = await (await parseArchive(reference, location)).import();
  assert.equal(namespace.url, `${location}/app-v1.0.0/main.js`);
  assert.equal(namespace.dep.filename, '/my archives/app#v1.zip/dep-v1.0.0/lib/index.js');
  assert.equal(namespace.dep.dirname, '/my archives/app#v1.zip/dep-v1.0.0/lib');
});
