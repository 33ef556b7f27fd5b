// The host bridge in every way Endo's users call Cordon, not only through `cordon run`: builtins through
// `modules`, `importHook`, `importNowHook`, only `globals` granted, and archives at memory:, bare and
// file: locations. Real lockdown in a child process; the granted package reads, nothing granted denies.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('the bridge checks reader\'s fs in every host configuration and archive location', () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-bridge-hosts-')));
  fs.cpSync(fileURLToPath(new URL('../fixtures/host-cli/app/', import.meta.url)), dir, { recursive: true });
  const script = fileURLToPath(new URL('../helpers/bridge-hosts-run.js', import.meta.url));
  const result = spawnSync(process.execPath, [script, dir], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, result.stderr);
  const results = JSON.parse(result.stdout);
  assert.deepEqual(Object.keys(results), ['modules', 'importHook', 'importNowHook', 'globals-only', 'archive memory:app.zip', 'archive app.zip', 'archive file:']);
  for (const [config, { granted, denied }] of Object.entries(results)) {
    assert.deepEqual(granted, { ok: 'a note' }, config);
    assert.deepEqual(denied, { code: 'ERR_ACCESS_DENIED', package: 'reader' }, config);
  }
});
