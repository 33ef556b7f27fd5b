// Table tests for the pure resolver: [comment, packageJson, specifier, conditions, expected | error code].
// `expected` is the first candidate path, `{ package }` for an `imports` target naming a package,
// `{ candidates }` for the whole candidate list, or `{ empty: true }`; a string starting with CORDON_
// is the code of the error expected. Rows marked (Endo …) are where Endo departs from Node.
import test from 'node:test';
import assert from 'node:assert/strict';
import { CordonError } from 'cordon';
import { conditionsFor, relativeCandidates, resolvePackageImport, resolvePackageSubpath, patternKeyCompare, specifierKind, splitPackageSpecifier, joinRelative } from '../../dist/resolve/index.js';

const I = ['import'];
const R = ['require'];

const rows = [
  // exports: string sugar and subpath maps
  ['string sugar exports the main', { exports: './main.js' }, '.', I, './main.js'],
  ['string sugar exports nothing else', { exports: './main.js' }, './x.js', I, 'CORDON_PACKAGE_PATH_NOT_EXPORTED'],
  ['subpath map', { exports: { '.': './i.js', './feature': './src/feature.js' } }, './feature', I, './src/feature.js'],
  ['subpath not listed', { exports: { '.': './i.js' } }, './other', I, 'CORDON_PACKAGE_PATH_NOT_EXPORTED'],
  ['conditions sugar at the top', { exports: { import: './a.mjs', require: './a.cjs' } }, '.', I, './a.mjs'],
  // conditions per import kind (Endo: import always, require never)
  ['require sees require', { exports: { import: './a.mjs', require: './a.cjs' } }, '.', R, './a.cjs'],
  ['first matching key in object order wins', { exports: { '.': { node: './node.js', import: './import.mjs' } } }, '.', I, './node.js'],
  ['default matches any kind', { exports: { '.': { browser: './b.js', default: './d.js' } } }, '.', R, './d.js'],
  ['user condition', { exports: { '.': { worker: './w.js', default: './d.js' } } }, '.', [...I, 'worker'], './w.js'],
  ['no condition matches, no default', { exports: { '.': { browser: './b.js' } } }, '.', I, 'CORDON_PACKAGE_PATH_NOT_EXPORTED'],
  // fall-through when a nested object matches nothing (Endo: stops at the first matching key)
  ['nested object with no match falls through', { exports: { '.': { node: { import: './n.mjs' }, default: './d.js' } } }, '.', R, './d.js'],
  ['nested object matching', { exports: { '.': { node: { import: './n.mjs' }, default: './d.js' } } }, '.', I, './n.mjs'],
  // arrays
  ['array: first valid entry', { exports: { '.': ['./a.js', './b.js'] } }, '.', I, './a.js'],
  ['array: condition object with no match is skipped', { exports: { '.': [{ worker: './w.js' }, './b.js'] } }, '.', I, './b.js'],
  ['array: invalid target is skipped', { exports: { '.': ['../bad.js', './good.js'] } }, '.', I, './good.js'],
  ['array: only invalid targets', { exports: { '.': ['../bad.js'] } }, '.', I, 'CORDON_INVALID_PACKAGE_TARGET'],
  ['empty array exports nothing', { exports: { '.': [] } }, '.', I, 'CORDON_PACKAGE_PATH_NOT_EXPORTED'],
  // null targets
  ['null blocks an exact subpath', { exports: { '.': './i.js', './secret': null } }, './secret', I, 'CORDON_PACKAGE_PATH_NOT_EXPORTED'],
  ['null pattern blocks against a ./* pattern', { exports: { './*': './*.js', './internal/*': null } }, './internal/x', I, 'CORDON_PACKAGE_PATH_NOT_EXPORTED'],
  ['./* still serves the rest', { exports: { './*': './*.js', './internal/*': null } }, './x', I, './x.js'],
  ['null in a condition blocks', { exports: { '.': { import: null, default: './d.js' } } }, '.', I, 'CORDON_PACKAGE_PATH_NOT_EXPORTED'],
  // * patterns
  ['pattern in key and target', { exports: { './features/*.js': './src/features/*.js' } }, './features/x.js', I, './src/features/x.js'],
  ['* matches across /', { exports: { './features/*.js': './src/features/*.js' } }, './features/a/b.js', I, './src/features/a/b.js'],
  ['* in target repeated', { exports: { './*': './dist/*/*.js' } }, './x', I, './dist/x/x.js'],
  ['longest prefix wins', { exports: { './*': './a/*', './b/*': './b/*' } }, './b/x', I, './b/x'],
  ['exact key beats a pattern', { exports: { './*': './a/*', './b': './exact.js' } }, './b', I, './exact.js'],
  ['pattern with trailer must end with it', { exports: { './*.js': './src/*.js' } }, './x.ts', I, 'CORDON_PACKAGE_PATH_NOT_EXPORTED'],
  ['pattern match may not climb out', { exports: { './*': './*' } }, './../x', I, 'CORDON_INVALID_SPECIFIER'],
  ['pattern match may not reach node_modules', { exports: { './*': './*' } }, './node_modules/x', I, 'CORDON_INVALID_SPECIFIER'],
  // invalid targets and configuration
  ['target must start with ./', { exports: { '.': 'main.js' } }, '.', I, 'CORDON_INVALID_PACKAGE_TARGET'],
  ['target may not climb out', { exports: { '.': './../x.js' } }, '.', I, 'CORDON_INVALID_PACKAGE_TARGET'],
  ['target may not go through node_modules', { exports: { '.': './node_modules/dep/x.js' } }, '.', I, 'CORDON_INVALID_PACKAGE_TARGET'],
  ['encoded node_modules is still node_modules', { exports: { '.': './node%5Fmodules/x.js' } }, '.', I, 'CORDON_INVALID_PACKAGE_TARGET'],
  ['absolute target', { exports: { '.': '/etc/passwd' } }, '.', I, 'CORDON_INVALID_PACKAGE_TARGET'],
  ['URL target', { exports: { '.': 'file:///etc/passwd' } }, '.', I, 'CORDON_INVALID_PACKAGE_TARGET'],
  ['bare target in exports', { exports: { '.': 'other-package' } }, '.', I, 'CORDON_INVALID_PACKAGE_TARGET'],
  ['number target', { exports: { '.': 42 } }, '.', I, 'CORDON_INVALID_PACKAGE_TARGET'],
  ['mixing subpaths and conditions', { exports: { '.': './i.js', import: './x.js' } }, '.', I, 'CORDON_INVALID_PACKAGE_JSON'],
  ['numeric condition keys', { exports: { '.': { 0: './x.js' } } }, '.', I, 'CORDON_INVALID_PACKAGE_JSON'],
  ['exports a number', { exports: 7 }, '.', I, 'CORDON_INVALID_PACKAGE_JSON'],
  // imports (#)
  ['# import to a file', { imports: { '#dep': './src/dep.js' } }, '#dep', I, './src/dep.js'],
  ['# import to a package', { imports: { '#dep': 'lodash' } }, '#dep', I, { package: 'lodash' }],
  ['# import to a package subpath with a pattern', { imports: { '#utils/*': 'lodash/*' } }, '#utils/chunk', I, { package: 'lodash/chunk' }],
  ['# import with conditions', { imports: { '#dep': { import: './esm.mjs', require: './cjs.cjs' } } }, '#dep', R, './cjs.cjs'],
  ['# import with a pattern', { imports: { '#internal/*': './src/internal/*.js' } }, '#internal/a', I, './src/internal/a.js'],
  ['# import not defined', { imports: { '#dep': './x.js' } }, '#other', I, 'CORDON_PACKAGE_IMPORT_NOT_DEFINED'],
  ['no imports field', {}, '#dep', I, 'CORDON_PACKAGE_IMPORT_NOT_DEFINED'],
  ['# alone', { imports: {} }, '#', I, 'CORDON_INVALID_SPECIFIER'],
  ['#/ prefix', { imports: { '#/x': './x.js' } }, '#/x', I, 'CORDON_INVALID_SPECIFIER'],
  ['# import to ../', { imports: { '#up': '../x.js' } }, '#up', I, 'CORDON_INVALID_PACKAGE_TARGET'],
  ['# import to an absolute path', { imports: { '#abs': '/x.js' } }, '#abs', I, 'CORDON_INVALID_PACKAGE_TARGET'],
  ['# import null', { imports: { '#gone': null } }, '#gone', I, 'CORDON_PACKAGE_IMPORT_NOT_DEFINED'],
  // main and the legacy fallbacks (no exports)
  ['main', { main: './lib/main.js' }, '.', I, './lib/main.js'],
  ['main without ./', { main: 'lib/main.js' }, '.', I, './lib/main.js'],
  ['main fallbacks as Node tries them', { main: 'lib' }, '.', I, { candidates: ['./lib', './lib.js', './lib.json', './lib.node', './lib/index.js', './lib/index.json', './lib/index.node', './index.js', './index.json', './index.node'] }],
  ['no main: index', {}, '.', R, { candidates: ['./index.js', './index.json', './index.node'] }],
  ['the module field is ignored, as Node does (Endo prefers it)', { main: './cjs.js', module: './esm.js' }, '.', I, './cjs.js'],
  ['deep import without exports, ESM: the path as written', {}, './lib/x', I, { candidates: ['./lib/x'] }],
  ['deep import without exports, require: file and index fallbacks', {}, './lib/x', R, { candidates: ['./lib/x', './lib/x.js', './lib/x.json', './lib/x.node', './lib/x/index.js', './lib/x/index.json', './lib/x/index.node'] }],
  // browser field (only with the browser condition)
  ['browser string replaces main', { main: './node.js', browser: './browser.js' }, '.', [...I, 'browser'], './browser.js'],
  ['browser ignored without the condition', { main: './node.js', browser: './browser.js' }, '.', I, './node.js'],
  ['browser object remaps main', { main: './node.js', browser: { './node.js': './browser.js' } }, '.', [...I, 'browser'], './browser.js'],
  ['browser object maps main to false', { main: './node.js', browser: { './node.js': false } }, '.', [...I, 'browser'], { empty: true }],
  ['browser object remaps a file', { browser: { './lib/fs.js': './lib/fs-browser.js' } }, './lib/fs.js', [...I, 'browser'], './lib/fs-browser.js'],
  ['exports beat browser', { exports: './e.js', browser: './b.js' }, '.', [...I, 'browser'], './e.js'],
];

const resolveRow = (packageJson, specifier, conditions) => {
  const [kind, ...user] = conditions;
  const set = conditionsFor(kind, user);
  return specifier.startsWith('#') ? resolvePackageImport(packageJson, specifier, set) : resolvePackageSubpath(packageJson, specifier, kind, set);
};

for (const [comment, packageJson, specifier, conditions, expected] of rows) {
  test(`${comment}: ${JSON.stringify(specifier)} [${conditions}]`, () => {
    if (typeof expected === 'string' && expected.startsWith('CORDON_')) {
      assert.throws(() => resolveRow(packageJson, specifier, conditions), error => error instanceof CordonError && error.code === expected);
      return;
    }
    const result = resolveRow(packageJson, specifier, conditions);
    if (typeof expected === 'string') assert.equal(result.candidates[0], expected);
    else if (expected.package) assert.equal(result.packageSpecifier, expected.package);
    else if (expected.empty) assert.equal(result.empty, true);
    else assert.deepEqual(result.candidates, expected.candidates);
  });
}

test('conditions per import kind: import sees import, require sees require; both see node and user conditions', () => {
  assert.deepEqual([...conditionsFor('import', ['worker'])].sort(), ['import', 'node', 'worker']);
  assert.deepEqual([...conditionsFor('require')].sort(), ['node', 'require']);
});

test('relative specifiers: ESM takes the path as written; require tries extensions and index', () => {
  assert.deepEqual(relativeCandidates('./a/b', 'import'), ['./a/b']);
  assert.deepEqual(relativeCandidates('./a/b', 'require').slice(0, 4), ['./a/b', './a/b.js', './a/b.json', './a/b.node']);
});

test('PATTERN_KEY_COMPARE orders as Node does', () => {
  assert.deepEqual(['./*', './a/*', './a/b*', './a/b', './a/*.js'].sort(patternKeyCompare), ['./a/b*', './a/*.js', './a/*', './a/b', './*']);
});

test('specifier kinds, package names and relative joins', () => {
  assert.deepEqual(['./x', '../x', '/x', 'node:fs', 'host:thing', '#x', 'lodash', '@s/p/x', 'C:\\x'].map(specifierKind), ['relative', 'relative', 'absolute', 'url', 'url', 'hash', 'bare', 'bare', 'bare']);
  assert.deepEqual(splitPackageSpecifier('@scope/pkg/a/b'), { name: '@scope/pkg', subpath: './a/b' });
  assert.deepEqual(splitPackageSpecifier('pkg'), { name: 'pkg', subpath: '.' });
  assert.equal(splitPackageSpecifier('@scope'), undefined);
  assert.equal(joinRelative('./lib/a.js', '../b.js'), './b.js');
  assert.equal(joinRelative('./a.js', '../b.js'), undefined);
});
