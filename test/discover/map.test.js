// mapNodeModules on fixture trees (test/fixtures/<scenario>/expected.json), with memory powers and
// with node powers over the same files: the same compartments, labels, versions and links.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { CordonError, mapNodeModules, search } from 'cordon';
import { fixtureRoot, fixtureUrl, memoryPowers, nodePowers } from '../helpers/fixtures.js';

const powersKinds = {
  memory: scenario => ({ powers: memoryPowers(scenario), base: 'file:///fixture/' }),
  node: scenario => ({ powers: nodePowers(), base: fixtureUrl(scenario) }),
};

const byLabel = map => Object.fromEntries(Object.values(map.compartments).map(c => [c.label, c]));
const labelOf = (map, location) => map.compartments[location]?.label ?? `?${location}`;
const links = (map, record) =>
  Object.fromEntries(Object.entries(record ?? {}).map(([specifier, link]) => [specifier, [labelOf(map, link.compartment), link.module]]));

const expected = JSON.parse(fs.readFileSync(new URL('../fixtures/graph/expected.json', import.meta.url), 'utf8'));

for (const [kind, make] of Object.entries(powersKinds)) {
  test(`graph fixture with ${kind} powers: compartments, labels, versions`, async () => {
    const { powers, base } = make('graph');
    const map = await mapNodeModules(powers, new URL(expected.entry, base).href, expected.options);
    assert.deepEqual(map.entry, { compartment: new URL('app/', base).href, module: './main.js' });
    const actual = Object.values(map.compartments)
      .map(c => [c.label, c.name, c.version, c.location.slice(base.length)])
      .sort(([a], [b]) => (a < b ? -1 : 1));
    assert.deepEqual(actual, [...expected.compartments].sort(([a], [b]) => (a < b ? -1 : 1)));
    for (const c of Object.values(map.compartments)) assert.equal(c.location.endsWith('/'), true);
  });

  test(`graph fixture with ${kind} powers: links, scopes, patterns, types, parsers`, async () => {
    const { powers, base } = make('graph');
    const map = await mapNodeModules(powers, new URL(expected.entry, base).href, expected.options);
    const compartments = byLabel(map);
    for (const [label, modules] of Object.entries(expected.modules)) {
      const actual = links(map, compartments[label].modules);
      for (const [specifier, link] of Object.entries(modules)) assert.deepEqual(actual[specifier], link, `${label}: ${specifier}`);
    }
    for (const [label, modules] of Object.entries(expected.requireModules)) {
      assert.deepEqual(links(map, compartments[label].requireModules), modules, label);
    }
    for (const [label, names] of Object.entries(expected.scopes)) {
      assert.deepEqual(Object.keys(compartments[label].scopes).sort(), names, label);
    }
    for (const [label, patterns] of Object.entries(expected.patterns)) {
      assert.deepEqual(compartments[label].patterns.map(p => [p.from, p.to, labelOf(map, p.compartment)]), patterns, label);
    }
    for (const [label, types] of Object.entries(expected.types)) assert.deepEqual(compartments[label].types, types, label);
    for (const [label, parsers] of Object.entries(expected.parsers)) {
      for (const [extension, language] of Object.entries(parsers)) assert.equal(compartments[label].parsers[extension], language, `${label} .${extension}`);
    }
  });
}

test('without dev, the entry\'s devDependencies are not graphed', async () => {
  const map = await mapNodeModules(memoryPowers('graph'), 'file:///fixture/app/main.js');
  assert.equal(Object.values(map.compartments).some(c => c.label === 'devdep'), false);
  assert.equal(map.compartments['file:///fixture/app/'].dev, undefined);
});

test('the development condition implies dev; conditions are kept as tags', async () => {
  const map = await mapNodeModules(memoryPowers('graph'), 'file:///fixture/app/main.js', { conditions: new Set(['development']) });
  assert.equal(Object.values(map.compartments).some(c => c.label === 'devdep'), true);
  assert.deepEqual(map.tags, ['development']);
});

test('the map holds no absolute path of the building machine outside file URLs', async () => {
  const root = fixtureRoot('graph');
  const map = await mapNodeModules(nodePowers(), fixtureUrl('graph', 'app/main.js'), { dev: true });
  const text = JSON.stringify(map).replace(/"file:\/\/[^"]*"/g, '""');
  assert.equal(text.includes(root), false);
  assert.equal(text.includes(root.replace(/\/$/, '')), false);
});

test('a missing dependency: recorded for the loader, or with strict an error naming importer and dependency', async () => {
  const map = await mapNodeModules(memoryPowers('missing'), 'file:///fixture/app/index.js');
  assert.deepEqual(map.compartments['file:///fixture/app/'].missingDependencies, ['gone']);
  await assert.rejects(
    mapNodeModules(memoryPowers('missing'), 'file:///fixture/app/index.js', { strict: true }),
    error => error instanceof CordonError && error.code === 'CORDON_DEPENDENCY_NOT_FOUND' && error.specifier === 'gone' && error.package === 'app',
  );
});

test('a package.json that is not JSON is a CordonError naming the file and position', async () => {
  await assert.rejects(mapNodeModules(memoryPowers('bad-json'), 'file:///fixture/app/index.js'), error => {
    assert.ok(error instanceof CordonError);
    assert.equal(error.code, 'CORDON_INVALID_PACKAGE_JSON');
    assert.equal(error.file, 'file:///fixture/app/node_modules/broken/package.json');
    assert.equal(error.line, 3);
    return true;
  });
});

test('"exports" of the wrong type is a CordonError naming the file', async () => {
  await assert.rejects(
    mapNodeModules(nodePowers(), fixtureUrl('bad-exports', 'app/index.js')),
    error => error instanceof CordonError && error.code === 'CORDON_INVALID_PACKAGE_JSON' && error.file.endsWith('/weird/package.json') && /"exports"/.test(error.message),
  );
});

test('languageForExtension options: everywhere, by package type, and for workspace packages', async () => {
  const map = await mapNodeModules(memoryPowers('graph'), 'file:///fixture/app/main.js', {
    languageForExtension: { ts: 'mjs', md: 'json' },
    moduleLanguageForExtension: { mts: 'mjs' },
    commonjsLanguageForExtension: { cts: 'cjs' },
    workspaceLanguageForExtension: { ws: 'text' },
    workspaceCommonjsLanguageForExtension: { wcj: 'cjs' },
    workspaceModuleLanguageForExtension: { wmj: 'mjs' },
  });
  const c = byLabel(map);
  assert.equal(c.a.parsers.ts, 'mjs'); // the option wins over Cordon's TypeScript default
  assert.equal(c.a.parsers.cts, 'cjs');
  assert.equal(c.a.parsers.mts, 'mts'); // Cordon's TypeScript default: moduleLanguageForExtension is not for a CommonJS package
  assert.equal(c['@scope/c'].parsers.mts, 'mjs');
  assert.equal(c.a.parsers.ws, undefined);
  assert.equal(c.$root$.parsers.ws, 'text'); // outside node_modules
  assert.equal(c.ws.parsers.ws, 'text'); // a symlinked workspace package, at its real location
  assert.equal(c.ws.parsers.wmj, 'mjs');
  assert.equal(c.$root$.parsers.wcj, undefined); // the entry is type module
  assert.equal(c.$root$.parsers.md, 'text'); // the package's own parsers field wins
});

test('unknown options are an error', async () => {
  await assert.rejects(mapNodeModules(memoryPowers('graph'), 'file:///fixture/app/main.js', { devv: true }), error => error.code === 'CORDON_INVALID_ARGUMENT');
});

test('search finds the package of a module', async () => {
  const found = await search(memoryPowers('graph'), 'file:///fixture/app/src/internal.js');
  assert.equal(found.packageLocation, 'file:///fixture/app/');
  assert.equal(found.moduleSpecifier, './src/internal.js');
  assert.equal(found.packageDescriptorLocation, 'file:///fixture/app/package.json');
  assert.equal(JSON.parse(found.packageDescriptorText).name, 'app');
});
