// importLocation's options (Endo's names), on small in-memory apps under lockdown.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CordonError, importLocation, loadLocation, makeMemoryPowers } from 'cordon';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const app = (files, pkg = { name: 'app', version: '1.0.0', type: 'module' }) =>
  makeMemoryPowers({ '/app/package.json': JSON.stringify(pkg), ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`/app/${k}`, v])) });

test('unknown options are an error, not ignored', async () => {
  const powers = app({ 'main.js': 'export default 1;' });
  await assert.rejects(importLocation(powers, 'file:///app/main.js', { global: {} }), e => e instanceof CordonError && e.code === 'CORDON_INVALID_ARGUMENT' && /"global"/.test(e.message));
  const application = await loadLocation(powers, 'file:///app/main.js');
  await assert.rejects(application.import({ modulez: {} }), e => e.code === 'CORDON_INVALID_ARGUMENT');
});

test('globals reach every package; each package has its own global object', async () => {
  const powers = app(
    {
      'main.js': `import { read } from 'dep'; globalThis.mine = 1; export const own = typeof greeting; export const fromDep = read();`,
      'node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '1.0.0', type: 'module', exports: './i.js' }),
      'node_modules/dep/i.js': `export const read = () => [greeting, typeof mine];`,
    },
    { name: 'app', version: '1.0.0', type: 'module', dependencies: { dep: '1' } },
  );
  const { namespace } = await importLocation(powers, 'file:///app/main.js', { globals: { greeting: 'hi' } });
  assert.equal(namespace.own, 'string');
  assert.deepEqual(namespace.fromDep, ['hi', 'undefined']);
});

test('moduleSourceHook sees every module read, with its package\'s canonical name, and every exit', async () => {
  const events = [];
  const powers = app({ 'main.js': `import x from './x.json'; import fs from 'node:fs'; export { x, fs };`, 'x.json': '{"a":1}' });
  await importLocation(powers, 'file:///app/main.js', {
    modules: { 'node:fs': { readFileSync() {} } },
    moduleSourceHook: ({ moduleSource, canonicalName }) => events.push([canonicalName, moduleSource.exit ?? moduleSource.location, moduleSource.language]),
  });
  assert.deepEqual(events.sort(), [['$root$', 'file:///app/main.js', 'mjs'], ['$root$', 'file:///app/x.json', 'json'], ['$root$', 'node:fs', undefined]].sort());
});

test('moduleTransforms (async) and syncModuleTransforms rewrite a language before it is parsed', async () => {
  const powers = app({ 'main.js': `export const word = 'PLACEHOLDER';` });
  const replace = bytes => ({ bytes: new TextEncoder().encode(new TextDecoder().decode(bytes).replace('PLACEHOLDER', 'transformed')), parser: 'mjs' });
  const asyncResult = await importLocation(powers, 'file:///app/main.js', { moduleTransforms: { mjs: async bytes => replace(bytes) } });
  assert.equal(asyncResult.namespace.word, 'transformed');
  const syncResult = await importLocation(powers, 'file:///app/main.js', { syncModuleTransforms: { mjs: bytes => replace(bytes) } });
  assert.equal(syncResult.namespace.word, 'transformed');
});

test('searchSuffixes: Node\'s rules by default (ESM takes paths as written), Endo\'s search when given', async () => {
  const powers = app({ 'main.js': `import { v } from './lib'; export { v };`, 'lib/index.js': 'export const v = 1;' });
  await assert.rejects(importLocation(powers, 'file:///app/main.js'), e => e.code === 'CORDON_LOAD_FAILED' && e.errors[0].code === 'CORDON_MODULE_NOT_FOUND');
  const { namespace } = await importLocation(powers, 'file:///app/main.js', { searchSuffixes: ['.js', '/index.js'] });
  assert.equal(namespace.v, 1);
});

test('parserForLanguage adds a language that a package\'s parsers field can name', async () => {
  const powers = app({ 'main.js': `import doc from './readme.md'; export { doc };`, 'readme.md': '# Title' }, { name: 'app', version: '1.0.0', type: 'module', parsers: { md: 'markdown' } });
  const markdown = {
    synchronous: true,
    heuristicImports: false,
    parse: bytes => ({
      parser: 'markdown',
      bytes,
      record: { imports: [], exports: ['default'], execute: target => { target.default = new TextDecoder().decode(bytes).replace(/^# /, 'heading: '); } },
    }),
  };
  const { namespace } = await importLocation(powers, 'file:///app/main.js', { parserForLanguage: { markdown } });
  assert.equal(namespace.doc, 'heading: Title');
});

test('Compartment: a subclass is used for every package', async () => {
  const made = [];
  class Counting extends Compartment {
    constructor(options) {
      super(options);
      made.push(options.name);
    }
  }
  const powers = app(
    { 'main.js': `import 'dep';`, 'node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '1.0.0' }), 'node_modules/dep/index.js': '' },
    { name: 'app', version: '1.0.0', type: 'module', dependencies: { dep: '1' } },
  );
  await importLocation(powers, 'file:///app/main.js', { Compartment: Counting });
  assert.deepEqual(made.sort(), ['$root$', 'dep']);
});

test('importHook and importNowHook serve host modules, also to a dynamic require', async () => {
  const powers = app({ 'main.cjs': `const name = 'host:' + 'clock'; module.exports = { stat: require('host:static').v, dyn: require(name).v };` });
  const { namespace } = await importLocation(powers, 'file:///app/main.cjs', {
    importHook: async specifier => (specifier === 'host:static' ? { namespace: { v: 'static' } } : undefined),
    importNowHook: specifier => (specifier === 'host:clock' ? { namespace: { v: 'dynamic' } } : undefined),
  });
  assert.deepEqual({ ...namespace.default }, { stat: 'static', dyn: 'dynamic' });
});

test('a dynamic require without synchronous read powers fails at the require, with a precise error', async () => {
  const files = makeMemoryPowers({
    '/app/package.json': JSON.stringify({ name: 'app', version: '1.0.0' }),
    '/app/main.js': `const n = 'x'; try { require('./' + n); module.exports = 'no error'; } catch (e) { module.exports = e.code; }`,
    '/app/x.js': 'module.exports = 1;',
  });
  const asyncOnly = { read: files.read, maybeRead: files.maybeRead, canonical: files.canonical };
  const { namespace } = await importLocation(asyncOnly, 'file:///app/main.js');
  assert.equal(namespace.default, 'CORDON_DYNAMIC_REQUIRE_UNAVAILABLE');
});

test('without SES (no Compartment), a precise error', () => {
  const script = `
    const { importLocation, makeMemoryPowers } = await import('cordon');
    const powers = makeMemoryPowers({ '/a/package.json': '{"name":"a"}', '/a/m.js': '' });
    try { await importLocation(powers, 'file:///a/m.js'); } catch (e) { process.stdout.write(e.code); }
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(result.stdout, 'CORDON_NO_COMPARTMENT');
});

test('module code runs under SES\'s rules for transforms: __shimTransforms__ apply to modules, a compartment\'s transforms do not', async () => {
  const powers = app({ 'main.js': `export const word = 'PLACEHOLDER'; export const stack = new Error('here').stack;` });
  const replace = source => source.replace("'PLACEHOLDER'", "'transformed'");
  const plain = await importLocation(powers, 'file:///app/main.js');
  assert.equal(plain.namespace.word, 'PLACEHOLDER');
  // The functor made by the compartment's own evaluator keeps the module's location in its stack.
  assert.match(plain.namespace.stack, /file:\/\/\/app\/main\.js:1/);
  const shim = await importLocation(powers, 'file:///app/main.js', { __shimTransforms__: [replace] });
  assert.equal(shim.namespace.word, 'transformed');
  const global = await importLocation(powers, 'file:///app/main.js', { transforms: [replace] });
  assert.equal(global.namespace.word, 'PLACEHOLDER');
});
