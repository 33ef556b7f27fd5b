// The bridge contract: bridge-contract.json equals BRIDGE_CONTRACT (the TypeScript types' constant) and
// keeps every rule of the contract's shape.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { BRIDGE_CONTRACT, BRIDGE_CONTRACT_VERSION, bridgeGroupOf, makeFilesystemBridge, makeMemoryDriver, makeClockBridge, makeSnapshotFileStore, makePermissionBridge, makePermissionEngine, parsePermissionFlags } from '../../dist/host.js';

const require = createRequire(import.meta.url);
const fileContract = JSON.parse(fs.readFileSync(new URL('../../bridge-contract.json', import.meta.url), 'utf8'));

test('bridge-contract.json is the TypeScript contract, written out', () => {
  assert.deepEqual(fileContract, JSON.parse(JSON.stringify(BRIDGE_CONTRACT)));
  assert.equal(fileContract.version, BRIDGE_CONTRACT_VERSION);
  assert.match(fileContract.version, /^\d+\.\d+\.\d+$/);
});

test('the package exports bridge-contract.json and ships it', () => {
  const pkg = require('../../package.json');
  assert.equal(pkg.exports['./bridge-contract.json'], './bridge-contract.json');
  if (pkg.files) assert.ok(pkg.files.includes('bridge-contract.json'));
});

test('every group has the contract shape, names at least one method, and names are unique', () => {
  const seen = new Set();
  assert.deepEqual(Object.keys(fileContract).sort(), ['groups', 'version']);
  assert.ok(fileContract.groups.length > 0);
  for (const group of fileContract.groups) {
    assert.deepEqual(Object.keys(group).sort(), ['argumentTypes', 'convention', 'names', 'returnType']);
    assert.ok(['sync', 'async', 'syncPromise'].includes(group.convention), group.convention);
    assert.ok(Array.isArray(group.argumentTypes) && group.argumentTypes.every(t => typeof t === 'string' && /^[A-Za-z_$][\w$]*\??: \S/.test(t)), JSON.stringify(group.argumentTypes));
    // optional arguments only after the required ones
    const firstOptional = group.argumentTypes.findIndex(t => /^[\w$]+\?:/.test(t));
    if (firstOptional >= 0) assert.ok(group.argumentTypes.slice(firstOptional).every(t => /^[\w$]+\?:/.test(t)));
    assert.equal(typeof group.returnType, 'string');
    assert.ok(group.returnType.length > 0);
    assert.ok(Array.isArray(group.names) && group.names.length >= 1);
    for (const name of group.names) {
      assert.match(name, /^_[a-zA-Z]+$/);
      assert.ok(!seen.has(name), `${name} is listed twice`);
      seen.add(name);
    }
  }
  for (const convention of ['sync', 'async', 'syncPromise']) assert.ok(fileContract.groups.some(g => g.convention === convention), convention);
});

test('the module-loading groups are exactly as specified', () => {
  const moduleNames = new Set(['_resolveModule', '_resolveModuleSync', '_loadFile', '_loadFileSync', '_moduleFormat']);
  const groups = fileContract.groups.filter(g => g.names.some(n => moduleNames.has(n)));
  assert.deepEqual(groups, [
    { convention: 'syncPromise', argumentTypes: ['specifier: string', 'fromDir: string', 'mode?: "require" | "import"'], returnType: 'string | null', names: ['_resolveModule', '_resolveModuleSync'] },
    { convention: 'syncPromise', argumentTypes: ['path: string'], returnType: 'string | null', names: ['_loadFile', '_loadFileSync'] },
    { convention: 'syncPromise', argumentTypes: ['filename: string'], returnType: '"module" | "commonjs" | "json" | null', names: ['_moduleFormat'] },
  ]);
});

test('every contract area is present: filesystem, permissions, persistence, clock, random, events, execution', () => {
  const names = fileContract.groups.flatMap(g => g.names);
  for (const name of ['_fsReadFile', '_fsWriteFile', '_fsStat', '_fsLstat', '_fsReaddir', '_fsMkdir', '_fsRemoveFile', '_fsRemoveDir', '_fsRename', '_fsSymlink', '_fsReadlink', '_fsChmod', '_fsTruncate', '_fsExists',
    '_permissionFilesystem', '_permissionNetwork', '_permissionCommand', '_permissionEnvironment', '_persistenceLoad', '_persistenceFlush',
    '_clockWall', '_clockMonotonic', '_timerStart', '_timerClear', '_randomBytes', '_eventStructured', '_eventDiagnostic', '_eventLog', '_eventLifecycle',
    '_executionStart', '_executionStdinWrite', '_executionStdinClose', '_executionKill', '_executionPoll']) {
    assert.ok(names.includes(name), name);
  }
  assert.equal(bridgeGroupOf('_executionKill').argumentTypes[1], 'mode: KillMode');
  assert.equal(bridgeGroupOf('_nope'), undefined);
  assert.ok(Object.isFrozen(BRIDGE_CONTRACT) && Object.isFrozen(BRIDGE_CONTRACT.groups[0].names));
});

test('the host implementations provide exactly the methods of their groups, with the declared arity', () => {
  const fsBridge = makeFilesystemBridge(makeMemoryDriver());
  const clock = makeClockBridge();
  const store = makeSnapshotFileStore('/nonexistent/x.bin');
  const engine = makePermissionEngine(parsePermissionFlags({ allow: { env: ['HOME'] } }, { cwd: '/', pathVariable: '' }));
  const permissions = makePermissionBridge({ engine, canonicalName: '$root$', cwd: () => '/' });
  for (const implementation of [fsBridge, clock, permissions]) {
    for (const [name, fn] of Object.entries(implementation)) {
      const group = bridgeGroupOf(name);
      assert.ok(group, `${name} is in the contract`);
      assert.equal(typeof fn, 'function');
    }
  }
  assert.deepEqual(Object.keys(fsBridge).sort(), fileContract.groups.flatMap(g => g.names).filter(n => n.startsWith('_fs')).sort());
  assert.ok(['_persistenceLoad', '_persistenceFlush'].every(n => typeof store[n] === 'function'));
  assert.deepEqual(permissions._permissionEnvironment({ operation: 'read', key: 'HOME' }), { verdict: 'allow' });
  assert.equal(permissions._permissionEnvironment({ operation: 'read', key: 'SECRET' }).verdict, 'deny');
  assert.equal(permissions._permissionFilesystem({ operation: 'read', path: '/etc/passwd' }).verdict, 'deny');
  assert.equal(permissions._permissionNetwork({ operation: 'connect', host: 'example.com', port: 443 }).verdict, 'deny');
  assert.equal(clock._randomBytes(16).byteLength, 16);
  assert.equal(typeof clock._clockWall(), 'number');
  assert.ok(clock._clockMonotonic() >= 0);
});

test('timers: a started timer fires, a cleared one settles false', async () => {
  const clock = makeClockBridge();
  const fired = clock._timerStart(1, 1);
  const cleared = clock._timerStart(2, 60_000);
  clock._timerClear(2);
  assert.equal(await fired, true);
  assert.equal(await cleared, false);
});
