// Endo's attenuators (test/fixtures/attenuators/app): the entry depends on `my-attenuator`, which exports
// attenuateModule(params, ns) (an object holding only the params' names of ns, marked `attenuatedBy`) and
// attenuateGlobals(params, originals, globalThis) (defines only the params' names, read-only), but never
// imports it; the package `user` requires 'fs' and reads globals. Under an Endo policy that attenuates
// user's fs to ['readFileSync'] and its globals to ['console'] (explicitly, through the policy's
// defaultAttenuator, or through the package's own), user sees only those, in importLocation mode and from
// an archive. Each run is a fresh process under real lockdown (test/helpers/attenuators-run.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const run = (mode, policy, entry = 'main.js') =>
  JSON.parse(execFileSync(process.execPath, [new URL('../helpers/attenuators-run.js', import.meta.url).pathname, mode, policy, entry], { encoding: 'utf8' }));

const ATTENUATED = {
  fsKeys: ['readFileSync'],
  read: 'the attenuated data',
  writeFileSync: 'undefined',
  promises: 'undefined',
  // The attenuator's object, not Cordon's member picker (which is frozen, with no prototype).
  attenuatedBy: 'my-attenuator',
  plainPrototype: true,
  frozen: false,
  // console only, as the attenuator defined it (read-only).
  console: 'object',
  consoleLog: 'function',
  consoleWritable: false,
  process: 'undefined',
  setTimeout: 'undefined',
  Buffer: 'undefined',
  fetch: 'undefined',
};

/** The member picker: the same names, a frozen object of no prototype, and console a plain grant. */
const PICKED = { ...ATTENUATED, attenuatedBy: 'none', plainPrototype: false, frozen: true, consoleWritable: true };

for (const mode of ['location', 'archive']) {
  test(`${mode}: without a policy user gets all of fs and every global (so the checks below can fail)`, () => {
    const { result, error } = run(mode, 'none');
    assert.equal(error, undefined, JSON.stringify(error));
    assert.ok(result.fsKeys.length > 20 && result.fsKeys.includes('writeFileSync'), JSON.stringify(result.fsKeys));
    assert.equal(result.attenuatedBy, 'none');
    assert.equal(result.consoleWritable, true);
    assert.deepEqual([result.process, result.setTimeout, result.Buffer, result.fetch], ['object', 'function', 'function', 'function']);
  });

  test(`${mode}: builtins ['readFileSync'] with no attenuator anywhere are Cordon's member picker`, () => {
    const { result, error } = run(mode, 'picker');
    assert.equal(error, undefined, JSON.stringify(error));
    assert.deepEqual(result, PICKED);
  });

  for (const [policy, how] of [
    ['explicit', "{ attenuate: 'my-attenuator', params: [...] }"],
    ['default', "the policy's defaultAttenuator and implicit [...params]"],
    ['package-default', "the package's own defaultAttenuator and implicit [...params]"],
  ]) {
    test(`${mode}: attenuated through ${how}: user sees only fs.readFileSync and only console`, () => {
      const { result, error, archived } = run(mode, policy);
      if (mode === 'archive') {
        // makeArchive given the policy archives the attenuator package (the entry never imports it).
        assert.deepEqual(archived.compartments, ['app', 'my-attenuator', 'user']);
        assert.ok(archived.files.includes('my-attenuator-v1.0.0/index.js'), JSON.stringify(archived.files));
      }
      assert.equal(error, undefined, JSON.stringify(error));
      assert.deepEqual(result, ATTENUATED);
    });
  }
}

test('archive made without the policy: the attenuator is not archived, and user never runs with fs unattenuated', () => {
  for (const policy of ['explicit', 'default']) {
    const { result, error, archived } = run('archive-without-policy', policy);
    assert.deepEqual(archived.compartments, ['app', 'user']);
    assert.equal(result, undefined, JSON.stringify(result));
    assert.equal(error?.code, 'CORDON_LOAD_FAILED', JSON.stringify(error));
    assert.match(error.message, /my-attenuator/);
  }
});

// The entry importing the attenuator itself links it in the archive: the globals attenuation must still
// apply to user's compartment, which an archive makes only when user is first reached.
for (const mode of ['location', 'archive']) {
  test(`${mode}, an entry that imports the attenuator too: user sees only fs.readFileSync and only console`, () => {
    for (const policy of ['explicit', 'default']) {
      const { result, error } = run(mode, policy, 'imports-attenuator.js');
      assert.equal(error, undefined, JSON.stringify(error));
      assert.deepEqual(result, ATTENUATED, policy);
    }
  });
}
