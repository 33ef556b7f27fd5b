// A package's process.env (src/host/builtins/process.ts): only the keys it may read (--allow-env) exist
// for it; writing or deleting any other key is denied. Through builtinFor(pkg, 'process') and through
// the `process` global the bridge gives the package.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { makePermissionEngine, parsePermissionFlags, makeHostBridge } from '../../dist/host.js';

const require = createRequire(import.meta.url);

const SECRET = 'CORDON_TEST_SECRET';
const SHOWN = 'CORDON_TEST_SHOWN';
const SHARED = 'CORDON_TEST_SHARED';

const bridgeWith = (allow, deny = {}) => {
  const set = parsePermissionFlags({ allow, deny }, { cwd: process.cwd(), pathVariable: process.env.PATH });
  return makeHostBridge({ engine: makePermissionEngine(set), hostBuiltin: id => require(`node:${id}`), env: process.env, cwd: () => process.cwd() });
};

const deniedEnv = (pkg, key) => error => {
  assert.equal(error.code, 'ERR_ACCESS_DENIED', error.stack);
  assert.equal(error.permission, 'Environment');
  assert.equal(error.package, pkg);
  assert.equal(error.resource, key);
  return true;
};

test.beforeEach(() => {
  process.env[SECRET] = 'hunter2';
  process.env[SHOWN] = 'visible';
  process.env[SHARED] = 'both';
});
test.afterEach(() => {
  delete process.env[SECRET];
  delete process.env[SHOWN];
  delete process.env[SHARED];
});

/** Every way a package could read `env` whole. */
const exposed = (env, key) => ({
  get: env[key],
  keys: Object.keys(env).includes(key),
  names: Object.getOwnPropertyNames(env).includes(key),
  in: key in env,
  hasOwn: Object.hasOwn(env, key),
  descriptor: Object.getOwnPropertyDescriptor(env, key) !== undefined,
  json: JSON.stringify(env).includes(key) || JSON.stringify(env).includes(process.env[key]),
  spread: Object.hasOwn({ ...env }, key),
  assign: Object.hasOwn(Object.assign({}, env), key),
  entries: Object.entries(env).some(([name]) => name === key),
  forIn: (() => { for (const name in env) if (name === key) return true; return false; })(),
});

const NOTHING = { get: undefined, keys: false, names: false, in: false, hasOwn: false, descriptor: false, json: false, spread: false, assign: false, entries: false, forIn: false };

test('a key the package may not read is absent by every way of looking; an allowed key is there', () => {
  const env = bridgeWith({ env: [`reader=${SHOWN}`, `reader=${SHARED}`] }).builtinFor('reader', 'process').env;
  assert.deepEqual(exposed(env, SECRET), NOTHING);
  const shown = exposed(env, SHOWN);
  assert.equal(shown.get, 'visible');
  assert.ok(Object.entries(shown).every(([, value]) => value !== false), JSON.stringify(shown));
});

test('writing or deleting a key the package may not read throws ERR_ACCESS_DENIED, and the host env is unchanged', () => {
  const env = bridgeWith({ env: [`reader=${SHOWN}`] }).builtinFor('reader', 'process').env;
  assert.throws(() => { env[SECRET] = 'replaced'; }, deniedEnv('reader', SECRET));
  assert.throws(() => { delete env[SECRET]; }, deniedEnv('reader', SECRET));
  assert.throws(() => Object.defineProperty(env, SECRET, { value: 'x', enumerable: true, configurable: true, writable: true }), deniedEnv('reader', SECRET));
  assert.throws(() => Object.assign(env, { CORDON_TEST_NEW: 'new' }), deniedEnv('reader', 'CORDON_TEST_NEW'));
  assert.equal(process.env[SECRET], 'hunter2');
  assert.equal(process.env.CORDON_TEST_NEW, undefined);
  env[SHOWN] = 'changed';
  assert.equal(process.env[SHOWN], 'changed');
  delete env[SHOWN];
  assert.equal(process.env[SHOWN], undefined);
});

test('grants are per package: --allow-env=a=KEY shows KEY to a alone', () => {
  const bridge = bridgeWith({ env: [`a=${SHOWN}`, SHARED] });
  const a = bridge.builtinFor('a', 'process').env;
  const b = bridge.builtinFor('b', 'process').env;
  assert.equal(a[SHOWN], 'visible');
  assert.equal(b[SHOWN], undefined);
  assert.equal(Object.keys(b).includes(SHOWN), false);
  assert.equal(JSON.stringify(b).includes('visible'), false);
  assert.equal(a[SHARED], 'both');
  assert.equal(b[SHARED], 'both');
  assert.equal(a[SECRET], undefined);
  // A prefix rule, and a denial that wins over a bare --allow-env.
  const prefixed = bridgeWith({ env: ['p=CORDON_TEST_S*'] }).builtinFor('p', 'process').env;
  assert.deepEqual([prefixed[SECRET], prefixed[SHOWN], prefixed[SHARED]], ['hunter2', 'visible', 'both']);
  const denyWins = bridgeWith({ env: [true] }, { env: [SECRET] }).builtinFor('d', 'process').env;
  assert.equal(denyWins[SECRET], undefined);
  assert.equal(denyWins[SHOWN], 'visible');
});

test('the process global a package gets filters its env the same way, and cannot be swapped for the host\'s', () => {
  const bridge = bridgeWith({ env: [`reader=${SHOWN}`] });
  const descriptors = { process: Object.getOwnPropertyDescriptor(globalThis, 'process') };
  const own = bridge.globals('reader', descriptors);
  const guestProcess = own.process.get();
  assert.equal(guestProcess.env[SECRET], undefined);
  assert.equal(guestProcess.env[SHOWN], 'visible');
  assert.equal(Object.keys(guestProcess.env).includes(SECRET), false);
  assert.throws(() => { guestProcess.env[SECRET] = 'x'; }, deniedEnv('reader', SECRET));
  // process.env cannot be replaced by one the package builds, nor by the host's.
  assert.equal(Reflect.set(guestProcess, 'env', process.env), false);
  assert.equal(guestProcess.env[SECRET], undefined);
  assert.equal(Object.getOwnPropertyDescriptor(guestProcess, 'env').value[SECRET], undefined);
  // Another package's global is its own.
  const other = bridge.globals('other', descriptors).process.get();
  assert.equal(other.env[SHOWN], undefined);
});
