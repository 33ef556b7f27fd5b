// A reviewed archive, changed by whoever holds it: test/fixtures/policy/app/dynamic.js archived with
// makeArchive, then its compartment-map.json edited inside the zip (every other entry rezipped with its
// bytes unchanged), parsed with parseArchive(bytes, location, { computeSha512 }) and imported under the
// fixture's LavaMoat and Endo policies, at three locations. Each test runs the archive in a fresh process
// under real lockdown (test/helpers/archive-tamper-run.js), and each attack is also run with no policy,
// where it works: the refusals below are the policy's doing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const HELPER = new URL('../helpers/archive-tamper-run.js', import.meta.url).pathname;
const run = async spec => {
  const { stdout } = await promisify(execFile)(process.execPath, [HELPER, JSON.stringify(spec)], {
    encoding: 'utf8',
    cwd: spec.dir ?? process.cwd(),
    env: { ...process.env, CORDON_ALLOWED_KEY: 'yes', CORDON_SECRET_KEY: 'no' },
  });
  return JSON.parse(stdout);
};

const LOCATIONS = ['memory:app.zip', 'app.zip', 'file:///archives/app.zip'];
const POLICIES = ['lavamoat', 'endo'];
const DENIED = 'denied CORDON_POLICY_DENIED';
const POLYFILL_RAN = 'set by polyfill';
const keyOf = (policy, kind, name) => `resources["sneaky"].${kind === 'package' ? 'packages' : policy === 'lavamoat' ? 'builtin' : 'builtins'}["${name}"]`;

/** Refused at import(), before any compartment was made (so before any module ran). */
const assertRefusedBeforeAnything = (out, code, location) => {
  assert.equal(out.stage, 'import', JSON.stringify(out));
  assert.equal(out.error?.code, code, JSON.stringify(out.error));
  assert.ok(out.error.file?.startsWith(location), out.error.file);
  assert.deepEqual(out.made, [], 'no compartment was made');
  assert.equal(out.polyfillFlag, 'undefined', "the polyfill's top-level code did not run");
};

/** Ran to the end: every compartment made, the polyfill's top-level write happened. */
const assertRan = out => {
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  assert.equal(out.stage, 'done');
  // One compartment per package folder of the zip.
  assert.equal(out.made.length, new Set(out.names.filter(name => name.includes('/')).map(name => name.split('/')[0])).size, JSON.stringify(out.made));
  assert.equal(out.polyfillFlag, POLYFILL_RAN);
};

/** What the packages granted something report under the fixture's policy (as in attacks.test.js). */
const assertGrantsHold = result => {
  assert.deepEqual(result.reader.keys, ['readFileSync']);
  assert.equal(result.reader.read, 'the data');
  assert.equal(result.reader.sharedFlag, POLYFILL_RAN);
  assert.equal(result.logger.own, 'poisoned');
  assert.equal(result.envreader.allowed, 'yes');
  assert.equal(result.envreader.other, undefined);
};

for (const location of LOCATIONS) {
  test(`${location}: the untouched archive runs; sneaky reaches fs and no 'secret' without a policy, and is denied fs under each policy`, async () => {
    const open = await run({ tamper: 'none', location, policy: 'none' });
    assertRan(open);
    assert.equal(open.mapChanged, false);
    assert.equal(open.result.sneaky.computedBuiltin, 'reached');
    assert.match(open.result.sneaky.computedRequire, /^denied CORDON_ARCHIVE_MODULE_MISSING/, 'the archive links no "secret" for sneaky');
    for (const policy of POLICIES) {
      const out = await run({ tamper: 'none', location, policy });
      assertRan(out);
      assertGrantsHold(out.result);
      assert.equal(out.result.sneaky.computedBuiltin, DENIED);
    }
    // Pinned to its own map's hash, it still runs (the mismatches below are the tampering's doing).
    assertRan(await run({ tamper: 'none', location, policy: 'lavamoat', pinned: true }));
  });

  // (a) An added link from sneaky to another package's compartment.
  for (const [tamper, target] of [
    ['link-to-validator', 'validator'],
    ['link-to-secret', 'sneaky>secret'],
  ]) {
    test(`${location}: a link added from sneaky to ${target} works without a policy`, async () => {
      const out = await run({ tamper, location, policy: 'none' });
      assertRan(out);
      assert.equal(out.mapChanged, true);
      assert.equal(out.result.sneaky.computedRequire, 'reached');
      assert.equal(out.result.sneaky.computedImport, 'reached');
      assert.equal(out.result.sneaky.computedResolve, 'reached');
    });
    for (const policy of POLICIES) {
      test(`${location}, ${policy} policy: a link added from sneaky to ${target} refuses the archive before anything runs (CORDON_ARCHIVE_POLICY_DENIED)`, async () => {
        const out = await run({ tamper, location, policy });
        assertRefusedBeforeAnything(out, 'CORDON_ARCHIVE_POLICY_DENIED', location);
        assert.deepEqual(out.error.errors, [{ code: 'CORDON_POLICY_DENIED', package: 'sneaky', resource: target, policyKey: keyOf(policy, 'package', target) }]);
      });
    }
  }

  // (b) An added exit: `{ "exit": "fs" }` under sneaky's "fs" (its computed require('fs') meets it).
  test(`${location}: an exit added to sneaky's modules works without a policy`, async () => {
    const out = await run({ tamper: 'exit-fs', location, policy: 'none' });
    assertRan(out);
    assert.equal(out.mapChanged, true);
    assert.equal(out.result.sneaky.computedBuiltin, 'reached');
  });
  for (const policy of POLICIES) {
    test(`${location}, ${policy} policy: an exit added to sneaky's modules refuses the archive before anything runs`, async () => {
      const out = await run({ tamper: 'exit-fs', location, policy });
      assertRefusedBeforeAnything(out, 'CORDON_ARCHIVE_POLICY_DENIED', location);
      assert.deepEqual(out.error.errors, [{ code: 'CORDON_POLICY_DENIED', package: 'sneaky', resource: 'fs', policyKey: keyOf(policy, 'builtin', 'fs') }]);
    });
  }

  // (c) An embedded grant: sneaky's compartment's `policy` field grants it fs (Endo's keys, LavaMoat's
  // keys); every other package's field holds the fixture's grants, so that without a host policy (when
  // the embedded policies are what restricts) the application still runs.
  for (const tamper of ['embedded-endo', 'embedded-lavamoat']) {
    test(`${location}: ${tamper}: with no host policy the embedded policies are in force, and give sneaky fs`, async () => {
      const out = await run({ tamper, location, policy: 'none' });
      assertRan(out);
      assert.equal(out.result.sneaky.computedBuiltin, 'reached');
      // The embedded policies restrict: the reader has only what its field grants.
      assertGrantsHold(out.result);
    });
    for (const policy of POLICIES) {
      test(`${location}, ${policy} policy: ${tamper}: the host policy still denies sneaky fs`, async () => {
        const out = await run({ tamper, location, policy });
        assertRan(out);
        assert.equal(out.result.sneaky.computedBuiltin, DENIED);
        assert.equal(out.result.sneaky.computedImportBuiltin.startsWith('denied '), true, out.result.sneaky.computedImportBuiltin);
        assertGrantsHold(out.result);
      });
    }
  }
  test(`${location}: only sneaky's compartment embedding a grant: the host policy denies sneaky fs; without one, the embedded policies only take away`, async () => {
    for (const policy of POLICIES) {
      const out = await run({ tamper: 'embedded-endo-sneaky-only', location, policy });
      assertRan(out);
      assert.equal(out.result.sneaky.computedBuiltin, DENIED);
      assertGrantsHold(out.result);
    }
    // The other packages' missing fields are empty policies: the plugin's link to the validator is denied.
    const open = await run({ tamper: 'embedded-endo-sneaky-only', location, policy: 'none' });
    assertRefusedBeforeAnything(open, 'CORDON_ARCHIVE_POLICY_DENIED', location);
    assert.ok(open.error.errors.some(e => e.package === 'plugin' && e.resource === 'validator'), JSON.stringify(open.error.errors));
  });

  // (d) Each change above, pinned to the reviewed archive's map.
  for (const tamper of ['link-to-validator', 'link-to-secret', 'exit-fs', 'embedded-endo', 'embedded-lavamoat', 'same-label', 'root-label-moved']) {
    test(`${location}: ${tamper} with expectedSha512 of the original map: CORDON_ARCHIVE_HASH_MISMATCH at parseArchive`, async () => {
      for (const policy of location === 'app.zip' ? ['lavamoat', 'none'] : ['endo']) {
        const out = await run({ tamper, location, policy, pinned: true });
        assert.equal(out.stage, 'parse', JSON.stringify(out));
        assert.equal(out.error?.code, 'CORDON_ARCHIVE_HASH_MISMATCH', JSON.stringify(out.error));
        assert.ok(out.error.file?.startsWith(location), out.error.file);
        assert.deepEqual(out.made, []);
        assert.equal(out.polyfillFlag, 'undefined');
      }
    });
  }

  // (e) Labels: sneaky takes the reader's name (and so its grants), or $root$.
  for (const tamper of ['same-label', 'root-label', 'root-label-moved']) {
    test(`${location}: ${tamper}: runs without a policy (labels are names for a policy), refused under each policy (CORDON_ARCHIVE_INVALID_MAP)`, async () => {
      assertRan(await run({ tamper, location, policy: 'none' }));
      for (const policy of POLICIES) {
        const out = await run({ tamper, location, policy });
        assertRefusedBeforeAnything(out, 'CORDON_ARCHIVE_INVALID_MAP', location);
        assert.match(out.error.message, tamper === 'root-label-moved' ? /"sneaky-v1\.0\.0" is labelled \$root\$ but is not the entry/ : /have one label/);
      }
    });
  }
  test(`${location}: sneaky taking the reader's name is refused under the archive's own embedded policies too`, async () => {
    const out = await run({ tamper: 'same-label-embedded', location, policy: 'none' });
    assertRefusedBeforeAnything(out, 'CORDON_ARCHIVE_INVALID_MAP', location);
  });
}

// (f) Zip-slip: an entry whose name climbs out of, or starts above, the archive. The archive is written to
// a fresh directory two levels down, and the child runs there; afterwards that tree holds app.zip alone.
const listTree = root => fs.readdirSync(root, { recursive: true }).map(p => p.split(path.sep).join('/')).sort();
for (const tamper of ['zip-slip-dotdot', 'zip-slip-absolute', 'zip-slip-nested']) {
  test(`${tamper}: refused at parseArchive with CORDON_ARCHIVE_UNSAFE_NAME at each location, with or without a policy, nothing written`, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-zip-slip-'));
    try {
      const dir = path.join(root, 'a', 'b');
      fs.mkdirSync(dir, { recursive: true });
      const fileLocation = url.pathToFileURL(path.join(dir, 'app.zip')).href;
      for (const location of ['memory:app.zip', 'app.zip', fileLocation]) {
        for (const policy of ['lavamoat', 'none']) {
          const out = await run({ tamper, location, policy, dir });
          assert.ok(out.names.some(name => name.includes('..') || name.startsWith('/')), `the zip carries the unsafe name: ${JSON.stringify(out.names)}`);
          assert.equal(out.stage, 'parse', JSON.stringify(out));
          assert.equal(out.error?.code, 'CORDON_ARCHIVE_UNSAFE_NAME', JSON.stringify(out.error));
          assert.ok(out.error.file?.startsWith(location), out.error.file);
          assert.deepEqual(out.made, []);
          assert.equal(out.escaped, 'undefined');
          assert.deepEqual(listTree(root), ['a', 'a/b', 'a/b/app.zip']);
          assert.equal(fs.existsSync('/abs.js'), false);
          assert.equal(fs.existsSync(path.join(root, 'evil.js')), false);
        }
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
}
