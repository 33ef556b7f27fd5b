// The contract's module-loading group over a driver: _resolveModule* agrees with Node's own resolution
// (require.resolve, import.meta.resolve) on a real tree, and gives the same answers over the in-memory
// driver holding a copy of that tree; _loadFile*, _moduleFormat.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeModuleLoadingBridge, makeRealDriver, makeMemoryDriver } from '../../dist/host.js';

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-modules-')));
process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));

const tree = {
  'package.json': { name: 'app', type: 'module', imports: { '#util': './src/util.js', '#dep': 'dep', '#pat/*': './src/lib/*.js' }, exports: { '.': './src/index.js', './feature': './src/feature.js' } },
  'src/index.js': '', 'src/util.js': '', 'src/feature.js': '', 'src/helper.js': '', 'src/data.json': '{}', 'src/lib/index.js': '', 'src/lib/more.js': '', 'src/x.cjs': '', 'src/y.mjs': '', 'src/z.ts': '',
  'node_modules/cjs-main/package.json': { main: 'lib/entry' }, 'node_modules/cjs-main/lib/entry.js': '',
  'node_modules/cjs-index/index.js': '',
  'node_modules/cond/package.json': { exports: { '.': { import: './esm.mjs', require: './cjs.cjs' }, './sub/*': './subs/*.js', './sub/private/*': null, './package.json': './package.json', './ms': { 'module-sync': './ms.js', default: './def.js' } } },
  'node_modules/cond/esm.mjs': '', 'node_modules/cond/cjs.cjs': '', 'node_modules/cond/subs/a.js': '', 'node_modules/cond/subs/private/b.js': '', 'node_modules/cond/ms.js': '', 'node_modules/cond/def.js': '',
  'node_modules/sugar/package.json': { exports: './main.js' }, 'node_modules/sugar/main.js': '', 'node_modules/sugar/other.js': '',
  'node_modules/@scope/pkg/package.json': { main: './main.js' }, 'node_modules/@scope/pkg/main.js': '', 'node_modules/@scope/pkg/extra.js': '',
  'node_modules/dep/package.json': { exports: { default: './d.js' } }, 'node_modules/dep/d.js': '',
  'node_modules/legacy/package.json': { main: 'lib' }, 'node_modules/legacy/lib/index.js': '',
  'node_modules/untyped/x.js': '',
  'vendor/linked/package.json': { main: 'index.js' }, 'vendor/linked/index.js': '',
  'nested/deep/keep': '', 'nested/node_modules/near/index.js': '',
};
for (const [name, content] of Object.entries(tree)) {
  const file = path.join(root, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
}
fs.symlinkSync('../vendor/linked', path.join(root, 'node_modules/linked'));
for (const dir of ['src', 'nested/deep']) fs.writeFileSync(path.join(root, dir, 'probe.mjs'), 'export const resolve = s => import.meta.resolve(s);\n');

/** The same tree in memory, at the same paths. */
const memory = makeMemoryDriver();
const copy = (from) => {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const at = path.join(from, entry.name);
    if (entry.isSymbolicLink()) memory.symlink(fs.readlinkSync(at), at);
    else if (entry.isDirectory()) { memory.mkdir(at, true); copy(at); }
    else memory.writeFile(at, fs.readFileSync(at));
  }
};
memory.mkdir(root, true);
copy(root);

const NOT_FOUND = new Set(['MODULE_NOT_FOUND', 'ERR_MODULE_NOT_FOUND', 'ERR_UNSUPPORTED_DIR_IMPORT']);
const outcome = (fn) => {
  try {
    const value = fn();
    return value === null ? { value: null } : { value };
  } catch (error) {
    return NOT_FOUND.has(error.code) ? { value: null } : { code: error.code };
  }
};
const nodeResolve = async (specifier, fromDir, mode) => {
  if (mode === 'require') return outcome(() => createRequire(path.join(fromDir, 'probe.mjs')).resolve(specifier));
  const probe = await import(pathToFileURL(path.join(fromDir, 'probe.mjs')).href);
  return outcome(() => {
    const url = probe.resolve(specifier);
    if (!url.startsWith('file:')) return url;
    // import.meta.resolve does not check that the file is there; the contract answers null for a missing file
    const file = fileURLToPath(url);
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ? fs.realpathSync(file) : null;
  });
};

const CASES = {
  src: {
    require: ['./helper', './helper.js', './data', './lib', './lib/', '../src/lib', './missing', 'cjs-main', 'cjs-index', 'cond', 'cond/sub/a', 'cond/sub/private/b', 'cond/ms', 'cond/package.json', 'cond/nope',
      'sugar', 'sugar/other.js', '@scope/pkg', '@scope/pkg/extra', 'dep', 'linked', 'legacy', '#util', '#dep', '#pat/more', '#missing', 'app', 'app/feature', 'app/nope', 'fs', 'node:fs', 'fs/promises', 'node:test', 'missing-pkg', '@scope', path.join(root, 'src/helper')],
    import: ['./helper.js', './helper', './lib', './lib/index.js', './missing.js', 'cond', 'cond/sub/a', 'cond/sub/private/b', 'cond/ms', 'sugar', 'sugar/other.js', '@scope/pkg', '@scope/pkg/extra.js', '@scope/pkg/extra',
      'dep', 'linked', 'legacy', 'cjs-main', 'cjs-index', '#util', '#dep', '#pat/more', 'app', 'app/feature', 'fs', 'node:path', 'missing-pkg', pathToFileURL(path.join(root, 'src/helper.js')).href, './a%20b.js', path.join(root, 'src/util.js')],
  },
  'nested/deep': {
    require: ['near', 'cjs-main', '../../src/helper', '#util'],
    import: ['near', 'cond', '../../src/helper.js'],
  },
};

for (const [from, modes] of Object.entries(CASES)) {
  for (const [mode, specifiers] of Object.entries(modes)) {
    test(`${mode} from ${from}: the same answers as Node, over the real and the in-memory driver`, async () => {
      const fromDir = path.join(root, from);
      const real = makeModuleLoadingBridge(makeRealDriver());
      const inMemory = makeModuleLoadingBridge(memory);
      let found = 0;
      for (const specifier of specifiers) {
        const expected = await nodeResolve(specifier, fromDir, mode);
        if (expected.value) found += 1;
        assert.deepEqual(outcome(() => real._resolveModuleSync(specifier, fromDir, mode)), expected, `${mode} ${specifier} (real)`);
        assert.deepEqual(outcome(() => inMemory._resolveModuleSync(specifier, fromDir, mode)), expected, `${mode} ${specifier} (memory)`);
      }
      assert.ok(found >= specifiers.length / 2, 'most cases resolve to something');
    });
  }
}

test('_resolveModule is the promise form, and require is the default mode', async () => {
  const bridge = makeModuleLoadingBridge(memory);
  const fromDir = path.join(root, 'src');
  assert.equal(await bridge._resolveModule('cond', fromDir), path.join(root, 'node_modules/cond/cjs.cjs'));
  assert.equal(await bridge._resolveModule('cond', fromDir, 'import'), path.join(root, 'node_modules/cond/esm.mjs'));
  assert.equal(bridge._resolveModuleSync('linked', fromDir), path.join(root, 'vendor/linked/index.js'));
  assert.equal(await bridge._resolveModule('nowhere', fromDir), null);
});

test('_loadFile and _loadFileSync read text; a directory or missing file is null', async () => {
  for (const bridge of [makeModuleLoadingBridge(memory), makeModuleLoadingBridge(makeRealDriver())]) {
    assert.equal(bridge._loadFileSync(path.join(root, 'src/data.json')), '{}');
    assert.equal(await bridge._loadFile(path.join(root, 'src/probe.mjs')), 'export const resolve = s => import.meta.resolve(s);\n');
    assert.equal(bridge._loadFileSync(path.join(root, 'src')), null);
    assert.equal(await bridge._loadFile(path.join(root, 'nope.js')), null);
  }
});

test('_moduleFormat: by extension, then the nearest package.json type (a scope ends at node_modules)', () => {
  for (const bridge of [makeModuleLoadingBridge(memory), makeModuleLoadingBridge(makeRealDriver())]) {
    const at = (p) => bridge._moduleFormat(path.join(root, p));
    assert.equal(at('src/index.js'), 'module');
    assert.equal(at('src/y.mjs'), 'module');
    assert.equal(at('src/x.cjs'), 'commonjs');
    assert.equal(at('src/data.json'), 'json');
    assert.equal(at('src/z.ts'), null);
    assert.equal(at('node_modules/cjs-main/lib/entry.js'), 'commonjs');
    assert.equal(at('node_modules/untyped/x.js'), 'commonjs');
    assert.equal(at('node_modules/cond/esm.mjs'), 'module');
    assert.equal(at('nested/deep/keep'), 'module');
  }
  const lone = makeModuleLoadingBridge(makeMemoryDriver());
  assert.equal(lone._moduleFormat('/a/b.js'), 'commonjs');
});
