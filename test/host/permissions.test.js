// The permission engine, its flags and resources: deny by default, per package, per resource, deny
// wins, one spelling per resource, symlinks resolved at each request, policy-file grants.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  checkRulePackages,
  makePermissionEngine,
  normalizeHostPort,
  parsePermissionFlags,
  permissionsFromPolicy,
  resolvePath,
  unitePermissionSets,
} from '../../dist/host.js';
import { mergePolicies, validatePolicy } from '../../dist/policy.js';

const tree = () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-perm-')));
  fs.mkdirSync(path.join(dir, 'data'));
  fs.writeFileSync(path.join(dir, 'data', 'a.txt'), 'a');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 's');
  return dir;
};

const engineFor = (flags, dir, options) => makePermissionEngine(parsePermissionFlags(flags, { cwd: dir, pathVariable: process.env.PATH }), options);

const denied = (fn, pattern) =>
  assert.throws(fn, error => {
    assert.equal(error.code, 'ERR_ACCESS_DENIED');
    if (pattern) assert.match(error.message, pattern);
    return true;
  });

test('nothing is allowed without a flag; a bare flag allows all of its kind; -A everything', () => {
  const dir = tree();
  const none = engineFor({}, dir).forPackage('reader');
  for (const [permission, resource] of [['read', path.join(dir, 'data/a.txt')], ['write', dir], ['net', '127.0.0.1:80'], ['run', '/bin/sh'], ['env', 'HOME']]) {
    assert.equal(none.allows(permission, resource), false, permission);
    denied(() => none.check(permission, resource));
  }
  const bare = engineFor({ allow: { read: [true] } }, dir).forPackage('reader');
  assert.equal(bare.allows('read', '/etc/passwd'), true);
  assert.equal(bare.allows('read', undefined), true, 'a bare flag covers a request for all of the kind');
  assert.equal(bare.allows('write', '/tmp/x'), false);
  const all = engineFor({ allowAll: true }, dir).forPackage('x');
  assert.equal(all.allows('run', undefined), true);
  assert.equal(all.allows('env', 'PATH'), true);
});

test('a path grants its subtree, relative to the working directory, with symlinks resolved at each request', () => {
  const dir = tree();
  const access = engineFor({ allow: { read: ['./data'] } }, dir).forPackage('reader');
  const ask = p => access.allows('read', resolvePath(p, dir));
  assert.equal(ask('data/a.txt'), true);
  assert.equal(ask('data'), true);
  assert.equal(ask('data/../secret.txt'), false, '../ is folded before the check');
  assert.equal(ask(path.join(dir, 'data-other')), false, 'a sibling with the same prefix is not inside');
  assert.equal(ask('secret.txt'), false);
  // A link planted in the allowed folder pointing out is resolved: the target is what is checked.
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(dir, 'data', 'link'));
  assert.equal(ask('data/link'), false);
  // Swapped after a check: the next request resolves it again.
  fs.unlinkSync(path.join(dir, 'data', 'link'));
  fs.symlinkSync(path.join(dir, 'data', 'a.txt'), path.join(dir, 'data', 'link'));
  assert.equal(ask('data/link'), true);
  fs.unlinkSync(path.join(dir, 'data', 'link'));
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(dir, 'data', 'link'));
  assert.equal(ask('data/link'), false);
  // A file that does not exist yet is checked by its existing parent's real path.
  assert.equal(ask('data/new/deeper.txt'), true);
});

test('PKG=RESOURCE is for that package only: its name (every package of that name) or its canonical name', () => {
  const dir = tree();
  const engine = engineFor({ allow: { read: ['reader=./data', 'a>b=./secret.txt'], env: ['app=HOME'] } }, dir, { rootName: 'app' });
  const data = path.join(dir, 'data', 'a.txt');
  assert.equal(engine.forPackage('reader').allows('read', data), true);
  assert.equal(engine.forPackage('x>reader').allows('read', data), true, 'every package named reader');
  assert.equal(engine.forPackage('other').allows('read', data), false);
  assert.equal(engine.forPackage('reader>other').allows('read', data), false);
  assert.equal(engine.forPackage('a>b').allows('read', path.join(dir, 'secret.txt')), true);
  assert.equal(engine.forPackage('c>b').allows('read', path.join(dir, 'secret.txt')), false, 'a canonical name is that one package');
  assert.equal(engine.forPackage('$root$').allows('env', 'HOME'), true, "the app's own package answers to its name");
  denied(() => engine.forPackage('other').check('read', data, 'fs.readFileSync'), /^Package other may not read .*a\.txt \(fs\.readFileSync\): access denied; run with --allow-read=other=.*a\.txt to allow it$/);
});

test('deny wins over allow, for the resource and for a request of all of the kind', () => {
  const dir = tree();
  const engine = engineFor({ allow: { read: [true], net: ['127.0.0.1'] }, deny: { read: ['./secret.txt'], net: ['127.0.0.1:22'] } }, dir);
  const access = engine.forPackage('p');
  assert.equal(access.allows('read', path.join(dir, 'data/a.txt')), true);
  assert.equal(access.allows('read', path.join(dir, 'secret.txt')), false);
  assert.equal(access.allows('read', undefined), false, 'all files would include the denied one');
  assert.equal(access.allows('net', '127.0.0.1:8080'), true);
  assert.equal(access.allows('net', '127.0.0.1:22'), false);
  assert.equal(access.allows('net', '127.0.0.1'), false, 'a request for any port of the host includes the denied port');
});

test('hosts have one spelling: IP literals in any form, IPv4-mapped IPv6, case and trailing dots', () => {
  for (const alias of ['127.0.0.1', '2130706433', '0x7f000001', '127.1', '0177.0.0.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]']) {
    assert.equal(normalizeHostPort(`${alias}:80`), '127.0.0.1:80', alias);
  }
  assert.equal(normalizeHostPort('[0:0:0:0:0:0:0:1]:443'), '[::1]:443');
  assert.equal(normalizeHostPort('::1'), '[::1]');
  assert.equal(normalizeHostPort('Example.COM.'), 'example.com');
  assert.equal(normalizeHostPort('127.0.0.2'), '127.0.0.2');
  assert.throws(() => normalizeHostPort('h:99999'), /invalid port/);
  const dir = tree();
  const access = engineFor({ deny: { net: ['127.0.0.1'] }, allow: { net: [true] } }, dir).forPackage('p');
  assert.equal(access.allows('net', normalizeHostPort('2130706433:80')), false, 'a decimal alias does not dodge the denial');
  assert.equal(access.allows('net', normalizeHostPort('127.0.0.2:80')), true, '127.0.0.2 is another host');
});

test('programs are found on PATH when the flag is read; environment keys match exactly or by a trailing *', () => {
  const dir = tree();
  const engine = engineFor({ allow: { run: ['sh'], env: ['AWS_*', 'HOME'] } }, dir);
  const access = engine.forPackage('p');
  const sh = fs.realpathSync(fs.existsSync('/bin/sh') ? '/bin/sh' : '/usr/bin/sh');
  assert.equal(access.allows('run', sh), true);
  assert.equal(access.allows('run', '/usr/bin/env'), false);
  assert.equal(access.allows('env', 'AWS_SECRET'), true);
  assert.equal(access.allows('env', 'HOMEX'), false);
});

test('malformed flags and unknown packages are clear errors', () => {
  const dir = tree();
  assert.throws(() => parsePermissionFlags({ allow: { net: ['127.0.0.1:99999'] } }, { cwd: dir }), e => e.code === 'CORDON_INVALID_PERMISSION_FLAG' && /--allow-net=127\.0\.0\.1:99999/.test(e.message));
  assert.throws(() => parsePermissionFlags({ allow: { read: ['a,,b'] } }, { cwd: dir }), e => e.code === 'CORDON_INVALID_PERMISSION_FLAG');
  assert.throws(() => parsePermissionFlags({ allow: { read: ['x\0y'] } }, { cwd: dir }), e => e.code === 'CORDON_INVALID_PERMISSION_FLAG');
  const set = parsePermissionFlags({ allow: { read: ['raeder=./data'] } }, { cwd: dir });
  assert.throws(
    () => checkRulePackages(set, ['$root$', 'reader', 'reader>util'], 'app'),
    e => e.code === 'CORDON_UNKNOWN_PACKAGE' && /"raeder".*app, reader, reader>util/.test(e.message),
  );
  checkRulePackages(parsePermissionFlags({ allow: { read: ['util=./data', 'app=./data'] } }, { cwd: dir }), ['$root$', 'reader', 'reader>util'], 'app');
});

test('a prompt decides what no rule does: yes once, no, always (remembered and reported)', () => {
  const dir = tree();
  const answers = ['yes', 'no', 'always'];
  const asked = [];
  const remembered = [];
  const engine = engineFor({}, dir, { prompt: request => (asked.push(request), answers.shift()), remember: request => remembered.push(request) });
  const access = engine.forPackage('p');
  const file = path.join(dir, 'secret.txt');
  access.check('read', file, 'fs.readFileSync');
  denied(() => access.check('read', file));
  access.check('read', file);
  access.check('read', file);
  assert.equal(asked.length, 3, 'after "always" the grant stands');
  assert.deepEqual(remembered.map(r => [r.package, r.permission, r.resource]), [['p', 'read', file]]);
  assert.equal(asked[0].what, 'fs.readFileSync');
});

test('a policy file grants per package (resources[pkg].permissions, root.permissions), merged from the override', () => {
  const dir = tree();
  const policy = { resources: { reader: { permissions: { read: ['./data'], net: ['127.0.0.1:8080'] } } }, root: { permissions: { env: ['HOME'] } } };
  assert.doesNotThrow(() => validatePolicy(policy));
  assert.throws(() => validatePolicy({ resources: { reader: { permissions: { read: [7], fly: ['x'] } } } }), e => e.code === 'CORDON_INVALID_POLICY' && /permissions/.test(e.message));
  const merged = mergePolicies(policy, { resources: { reader: { permissions: { read: ['./secret.txt'] } } } });
  assert.deepEqual([...merged.resources.reader.permissions.read], ['./data', './secret.txt']);
  const set = permissionsFromPolicy(merged, { cwd: dir });
  const engine = makePermissionEngine(unitePermissionSets(set, parsePermissionFlags({}, { cwd: dir })), { rootName: 'app' });
  assert.equal(engine.forPackage('reader').allows('read', path.join(dir, 'secret.txt')), true);
  assert.equal(engine.forPackage('x>reader').allows('read', path.join(dir, 'secret.txt')), false, 'a policy key is one canonical name');
  assert.equal(engine.forPackage('$root$').allows('env', 'HOME'), true);
  assert.equal(engine.forPackage('reader').allows('env', 'HOME'), false);
});
