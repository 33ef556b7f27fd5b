// Read powers over Node's fs and over memory: the same answers.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import url from 'node:url';
import crypto from 'node:crypto';
import path from 'node:path';
import { makeReadNowPowers, makeReadPowers, makeWritePowers } from 'cordon/node-powers.js';
import { fixtureUrl, memoryPowers } from '../helpers/fixtures.js';

const node = () => makeReadNowPowers({ fs, url, crypto, path });
const kinds = { node: () => [node(), fixtureUrl('graph')], memory: () => [memoryPowers('graph'), 'file:///fixture/'] };

for (const [kind, make] of Object.entries(kinds)) {
  test(`${kind} powers: read, maybeRead, maybeReadNow, canonical, computeSha512`, async () => {
    const [powers, base] = make();
    const at = relative => new URL(relative, base).href;
    const bytes = await powers.read(at('app/main.js'));
    assert.equal(new TextDecoder().decode(bytes), 'export {};\n');
    assert.equal(await powers.maybeRead(at('app/nope.js')), undefined);
    assert.equal(await powers.maybeRead(at('app/main.js/under-a-file')), undefined);
    assert.equal(await powers.maybeRead(at('app/src/')), undefined);
    assert.equal(powers.maybeReadNow(at('app/nope.js')), undefined);
    assert.deepEqual(powers.maybeReadNow(at('app/main.js')), bytes);
    await assert.rejects(powers.read(at('app/nope.js')), error => error.code === 'ENOENT');
    // A symlinked directory resolves to its target and keeps its trailing slash.
    assert.equal(await powers.canonical(at('app/node_modules/ws/')), at('packages/ws/'));
    assert.equal(await powers.canonical(at('app/node_modules/ws/index.js')), at('packages/ws/index.js'));
    assert.equal(powers.computeSha512(bytes), crypto.createHash('sha512').update(bytes).digest('hex'));
    assert.equal(powers.fileURLToPath(at('app/main.js')).endsWith('/app/main.js'), true);
    assert.equal(powers.isAbsolute(powers.fileURLToPath(at('app/main.js'))), true);
  });
}

test('node powers read with the readFileSync captured when they were made (a later replacement on the host fs changes nothing), reads issued together all settle', async () => {
  let calls = 0;
  const host = { ...fs, readFileSync: (...args) => { calls += 1; return fs.readFileSync(...args); } };
  const powers = makeReadPowers({ fs: host, url });
  host.readFileSync = () => { throw new Error('replaced after the powers were made'); };
  const files = await Promise.all(['app/main.js', 'app/package.json', 'app/src/internal.js'].map(f => powers.read(fixtureUrl('graph', f))));
  assert.equal(calls, 3);
  assert.deepEqual(files.map(bytes => bytes.length > 0), [true, true, true]);
});

test('"not found" is decided by error code, not message', async () => {
  const odd = { ...fs, readFileSync: () => { throw Object.assign(new Error('something unusual'), { code: 'ENOENT' }); } };
  assert.equal(await makeReadPowers({ fs: odd, url }).maybeRead(fixtureUrl('graph', 'app/main.js')), undefined);
  const denied = { ...fs, readFileSync: () => { throw Object.assign(new Error('no such file (but really denied)'), { code: 'EACCES' }); } };
  await assert.rejects(makeReadPowers({ fs: denied, url }).maybeRead(fixtureUrl('graph', 'app/main.js')), error => error.code === 'EACCES');
});

test('write powers write files', async () => {
  const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'cordon-write-'));
  const target = url.pathToFileURL(path.join(dir, 'out.bin')).href;
  await makeWritePowers({ fs, url }).write(target, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...fs.readFileSync(path.join(dir, 'out.bin'))], [1, 2, 3]);
});

test('requireResolve uses host resolution from a location', () => {
  const resolved = node().requireResolve(fixtureUrl('graph', 'app/main.js'), './src/internal.js');
  assert.equal(resolved, path.join(url.fileURLToPath(fixtureUrl('graph')), 'app/src/internal.js'));
});
