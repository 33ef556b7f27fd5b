// The attack classes of the policy issue, on a real package tree (test/fixtures/policy), each in a fresh
// process under real lockdown: importLocation and archive modes, Endo's and LavaMoat's formats, builtins
// through `modules` and through the hooks, and with only `globals` granted (no `globalsFor`). Every case is
// first run with no policy, where the attack succeeds: the assertions below are ones the enforcement
// makes true.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const run = (mode, policy, config, entry = 'main.js') =>
  JSON.parse(
    execFileSync(process.execPath, [new URL('../helpers/policy-run.js', import.meta.url).pathname, mode, policy, config, entry], {
      encoding: 'utf8',
      env: { ...process.env, CORDON_ALLOWED_KEY: 'yes', CORDON_SECRET_KEY: 'no' },
    }),
  );

const DENIED = 'denied CORDON_POLICY_DENIED';

/** What the reader, logger, grabby and envreader packages report under the fixture's policies. */
const checkGranted = (result, mode = 'location') => {
  assert.deepEqual(result.reader, {
    read: 'the data',
    keys: ['readFileSync'],
    promises: 'undefined',
    nullPrototype: true,
    constructor: 'undefined',
    defaultKeys: ['readFileSync'],
    frozen: true,
    inertFunction: 'threw TypeError',
    sharedFlag: 'set by polyfill',
  });
  // Its own copy of fs is poisoned; the reader above still read the file.
  assert.deepEqual(result.logger, { own: 'poisoned', console: 'object', sharedFlag: 'undefined', consoleWrite: 'done', ownConsole: 'poisoned' });
  assert.equal(result.consolePoisoned, false);
  assert.deepEqual(result.grabby, { process: 'object', cwd: 'string', binding: DENIED, dlopen: DENIED, getBuiltinModule: DENIED });
  assert.deepEqual(result.envreader, { allowed: 'yes', envKeys: ['CORDON_ALLOWED_KEY'], processKeys: ['env'], exit: 'undefined' });
  // The plugin cannot replace the validator's functions for everyone; configuring it still works.
  const WRITE_DENIED = 'denied CORDON_FOREIGN_EXPORT_WRITE';
  // From an archive, the computed path was never archived, and the subpath is archived as a deferred
  // error (Endo's format keeps only its message): both refused as missing (or, with an import hook to
  // ask, as a host module the policy does not grant).
  if (mode === 'archive') {
    assert.match(result.plugin.hiddenByPath, /^denied (CORDON_ARCHIVE_MODULE_MISSING|CORDON_POLICY_DENIED)$/);
    assert.match(result.plugin.hiddenBySubpath, /^denied (CORDON_ARCHIVE_MODULE_MISSING|CORDON_POLICY_DENIED)$/);
  }
  const archived = mode === 'archive' ? { hiddenByPath: DENIED, hiddenBySubpath: 'denied ERR_PACKAGE_PATH_NOT_EXPORTED' } : {};
  assert.deepEqual({ ...result.plugin, ...archived }, {
    replace: WRITE_DENIED,
    define: WRITE_DENIED,
    remove: WRITE_DENIED,
    prototype: WRITE_DENIED,
    // A file its package does not export: not by subpath (as in Node), and under a policy not by a path either.
    hiddenBySubpath: 'denied ERR_PACKAGE_PATH_NOT_EXPORTED',
    hiddenByPath: DENIED,
    configure: 'done',
  });
  // The validator changes its own exports: named imports keep what they linked (as in Node), the default follows.
  // The module builtin without what loads host modules outside the policy.
  assert.deepEqual(result.loaderUser, { isBuiltin: true, createRequire: 'denied TypeError', Module: 'denied TypeError', load: 'denied TypeError' });
  assert.deepEqual(result.validator, { poisoned: false, level: 2, named: false, viaDefault: 'swapped by its own package', later: 'added by its own package' });
};

const checkSneaky = (sneaky, mode) => {
  for (const key of ['computedRequire', 'computedBuiltin', 'computedPath', 'computedResolve', 'computedImport', 'computedImportBuiltin']) {
    assert.match(sneaky[key], /^denied /, `${key}: ${sneaky[key]}`);
  }
  assert.equal(sneaky.computedBuiltin, DENIED);
  // From an archive, SES reports a failed import() as its own TypeError ("Failed to load module … Policy denies …").
  if (mode === 'location') assert.equal(sneaky.computedImportBuiltin, DENIED);
  assert.deepEqual(
    { process: sneaky.process, globalProcess: sneaky.globalProcess, console: sneaky.console, sharedFlag: sneaky.sharedFlag },
    { process: 'undefined', globalProcess: 'undefined', console: 'undefined', sharedFlag: 'undefined' },
  );
  assert.equal(sneaky.functionThis, 'undefined');
  assert.equal(sneaky.evalThis, 'undefined');
  assert.equal(sneaky.asyncFunctionThis, 'denied TypeError');
  assert.equal(sneaky.hostFunction, 'denied TypeError');
  assert.equal(sneaky.compartment, 'undefined');
  assert.equal(sneaky.callSites, 'none');
};

test('without a policy every attack of the fixture succeeds (so the tests below can fail)', () => {
  const result = run('location', 'none', 'modules');
  assert.equal(result.evil.require, 'reached');
  assert.equal(result.evil.fs, 'reached');
  assert.equal(result.evil.moduleBuiltin, 'reached');
  assert.equal(result.sneaky.computedRequire, 'reached');
  assert.equal(result.sneaky.process, 'object');
  assert.equal(result.reader.read, 'poisoned', "the logger poisons the host's fs for everyone");
  assert.notDeepEqual(result.reader.keys, ['readFileSync']);
  assert.equal(result.grabby.binding, 'reached');
  assert.equal(result.envreader.other, 'no');
  assert.equal(result.plugin.replace, 'done');
  assert.equal(result.plugin.hiddenByPath, 'done', 'Node lets a path reach into another package');
  assert.equal(result.consolePoisoned, true, "the logger poisons the host's console for everyone");
  assert.equal(result.loaderUser.createRequire, 'reached');
  assert.equal(result.evil.importsAlias, 'reached');
  assert.equal(result.validator.poisoned, true, "the plugin poisons the validator's API for everyone");
  assert.equal(result.validator.named, false, 'a named import of CommonJS keeps what it linked, as in Node');
  assert.equal(result.reader.sharedFlag, undefined, 'without a policy a global write stays in the writer');
});

for (const policy of ['lavamoat', 'endo']) {
  for (const config of ['modules', 'importHook', 'importNowHook', 'globals-only']) {
    test(`importLocation, ${policy} policy, builtins through ${config}: every way in is denied, every grant holds`, () => {
      const result = run('location', policy, config);
      assert.equal(result.error, undefined, JSON.stringify(result.error));
      checkGranted(result);
      checkSneaky(result.sneaky, 'location');
      const { evil } = result;
      for (const key of ['require', 'pathIntoPackage', 'importsAlias', 'requireResolve', 'moduleRequire', 'import', 'fs', 'nodeFs', 'upperScheme', 'fsPromises', 'childProcess', 'moduleBuiltin', 'importFs']) {
        assert.equal(evil[key], DENIED, `evil.${key}`);
      }
      assert.match(evil.phantom, /^denied /);
    });
  }

  test(`archive at memory:app.zip, ${policy} policy: a static link the host policy denies refuses the archive before anything runs`, () => {
    const { error } = run('archive', policy, 'modules');
    assert.equal(error?.code, 'CORDON_ARCHIVE_POLICY_DENIED', JSON.stringify(error));
    assert.deepEqual([...new Set(error.errors.map(e => `${e.package} → ${e.resource}`))], ['evil → evil>secret']);
    assert.equal(error.errors[0].policyKey, `resources["evil"].packages["evil>secret"]`);
  });

  test(`archive at memory:app.zip, ${policy} policy: a static require of a denied builtin fails the load before anything runs`, () => {
    const { error } = run('archive', policy, 'modules', 'statics.js');
    assert.equal(error?.code, 'CORDON_LOAD_FAILED', JSON.stringify(error));
    const denied = error.errors.filter(e => e.code === 'CORDON_POLICY_DENIED').map(e => `${e.package} → ${e.resource}`);
    assert.deepEqual([...new Set(denied)], ['statics → child_process']);
    // Without the policy the same archive runs.
    assert.deepEqual(run('archive', 'none', 'modules', 'statics.js'), { statics: 'function' });
  });

  for (const config of ['modules', 'importHook', 'globals-only']) {
    test(`archive at memory:app.zip, ${policy} policy, builtins through ${config}: computed ways in denied, grants hold`, () => {
      const result = run('archive', policy, config, 'dynamic.js');
      assert.equal(result.error, undefined, JSON.stringify(result.error));
      checkGranted(result, 'archive');
      checkSneaky(result.sneaky, 'archive');
    });
  }
}
