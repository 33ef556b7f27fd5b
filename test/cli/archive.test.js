// `cordon pack`, `cordon run app.zip`, `cordon verify`, `cordon inspect`, spawned. The CLI names
// archives by path, so its kinds of location are an absolute path, a bare name (relative to the working
// directory) and a path whose file: URL needs escaping (a space and a #); each is a file: URL inside.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const demo = fileURLToPath(new URL('../../examples/demo-app/main.js', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-cli-archive-'));
const cordon = (...args) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: tmp, env: { ...process.env, NO_COLOR: '1' } });
const archive = path.join(tmp, 'demo.zip');
fs.mkdirSync(path.join(tmp, 'odd dir #1'));
const KINDS = [
  { kind: 'absolute path', file: archive },
  { kind: 'bare name', file: 'bare.zip' },
  { kind: 'path needing escapes', file: path.join(tmp, 'odd dir #1', 'demo #2.zip') },
];

test('cordon pack writes an archive and prints its sha512; packing again gives the same bytes', () => {
  const packed = cordon('pack', demo, '-o', archive);
  assert.equal(packed.status, 0, packed.stderr);
  assert.match(packed.stdout, /^[0-9a-f]{128}\n$/);
  const again = path.join(tmp, 'again.zip');
  assert.equal(cordon('pack', demo, '-o', again).stdout, packed.stdout);
  assert.deepEqual(fs.readFileSync(again), fs.readFileSync(archive));
  // Written atomically: no temporary file is left beside it.
  assert.deepEqual(fs.readdirSync(tmp).sort(), ['again.zip', 'demo.zip', 'odd dir #1']);
  fs.rmSync(again);
  for (const { kind, file } of KINDS.slice(1)) {
    const packedThere = cordon('pack', demo, '-o', file);
    assert.equal(packedThere.status, 0, `${kind}: ${packedThere.stderr}`);
    assert.equal(packedThere.stdout, packed.stdout, kind);
    assert.deepEqual(fs.readFileSync(path.resolve(tmp, file)), fs.readFileSync(archive), kind);
  }
});

for (const { kind, file } of KINDS) {
  test(`cordon run app.zip runs the archive as the entry would run (${kind})`, () => {
    const result = cordon('run', file);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /nothing \(undefined\)/);
    assert.match(result.stdout, /refused: CORDON_UNDECLARED_DEPENDENCY/);
    assert.match(result.stdout, /Hello, Ada!/);
  });

  test(`cordon verify and inspect read the archive (${kind})`, () => {
    const ok = cordon('verify', file);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\#]/g, '\\$&')} is a valid archive`));
    const json = JSON.parse(cordon('inspect', file, '--json').stdout);
    assert.equal(json.entry.module, './main.js');
  });
}

test('cordon verify checks the expected sha512', () => {
  const sha512 = cordon('pack', demo, '-o', path.join(tmp, 'v.zip')).stdout.trim();
  fs.rmSync(path.join(tmp, 'v.zip'));
  const ok = cordon('verify', archive, '--sha512', sha512);
  assert.equal(ok.status, 0, ok.stderr);
  const wrong = cordon('verify', archive, '--sha512', 'f'.repeat(128));
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /CORDON_ARCHIVE_HASH_MISMATCH/);
  const tampered = path.join(tmp, 'tampered.zip');
  const bytes = fs.readFileSync(archive);
  const at = bytes.indexOf('Hello, ');
  bytes[at] = 'J'.charCodeAt(0);
  fs.writeFileSync(tampered, bytes);
  const refused = cordon('verify', tampered);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /CORDON_ARCHIVE_HASH_MISMATCH/);
  fs.rmSync(tampered);
});

test('cordon inspect shows compartments, modules, sizes, exits and the hash', () => {
  const text = cordon('inspect', archive);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /sha512 +[0-9a-f]{128}/);
  assert.match(text.stdout, /snoop-v1\.0\.0 +\(snoop; 1 modules/);
  const json = JSON.parse(cordon('inspect', archive, '--json').stdout);
  assert.deepEqual(json.compartments.map(c => c.name).sort(), ['config-store-v1.0.0', 'demo-app-v1.0.0', 'greeter-v1.0.0', 'snoop-v1.0.0']);
  assert.deepEqual(json.exits, []);
  assert.equal(json.entry.module, './main.js');
});
