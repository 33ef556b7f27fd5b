// The two policy formats (Endo's policy object, LavaMoat's policy.json): told apart by shape,
// validated with every problem at its JSON path, merged with an override as LavaMoat merges
// policy-override.json, normalised to the grants enforcement reads, checked for unknown names, and
// written as stable text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertPolicy,
  checkPolicyNames,
  detectPolicyFormat,
  EMPTY_GRANTS,
  findUnknownCanonicalNames,
  mergePolicies,
  normalizePolicy,
  parsePolicyText,
  stringifyPolicy,
  suggestName,
} from '../../dist/policy.js';

/** The `path: message` lines of the CORDON_INVALID_POLICY error `fn` throws. */
const problemsOf = fn => {
  try {
    fn();
  } catch (error) {
    assert.equal(error.code, 'CORDON_INVALID_POLICY', error.message);
    assert.ok(Array.isArray(error.problems), 'error.problems is an array');
    for (const { path, message } of error.problems) assert.ok(error.message.includes(`${path}: ${message}`), `the message lists ${path}`);
    return error.problems.map(({ path, message }) => `${path}: ${message}`);
  }
  assert.fail('expected CORDON_INVALID_POLICY');
};
const pathsOf = fn => problemsOf(fn).map(line => line.slice(0, line.indexOf(': ')));
const plain = value => JSON.parse(JSON.stringify(value));

const lavamoat = {
  resources: {
    'a>b': { globals: { 'process.env.NODE_ENV': true, console: 'write' }, builtin: { 'fs.readFile': true }, packages: { c: true }, native: true },
  },
  root: { usePolicy: 'a>b' },
  include: ['c', { name: 'd', entry: './x.js' }],
};
const endo = {
  defaultAttenuator: 'att',
  entry: { packages: 'any', globals: { console: true } },
  resources: { a: { packages: { b: true }, builtins: { fs: ['readFile'] }, globals: 'any', noGlobalFreeze: true, options: { x: [1] } } },
};

test('both formats are accepted and told apart by shape', () => {
  assert.equal(detectPolicyFormat(lavamoat), 'lavamoat');
  assert.equal(detectPolicyFormat(endo), 'endo');
  for (const [markers, format] of [
    [{ resources: {}, root: {} }, 'lavamoat'],
    [{ resources: {}, include: [] }, 'lavamoat'],
    [{ resources: { a: { native: false } } }, 'lavamoat'],
    [{ resources: { a: { meta: {} } } }, 'lavamoat'],
    [{ resources: { a: { globals: { x: 'redefine' } } } }, 'lavamoat'],
    [{ resources: { a: { builtin: {} } } }, 'lavamoat'],
    [{ resources: {}, entry: {} }, 'endo'],
    [{ resources: { a: { packages: 'any' } } }, 'endo'],
    [{ resources: { a: { globals: ['p'] } } }, 'endo'],
    [{ resources: { a: { globals: { attenuate: 'g' } } } }, 'endo'],
    [{ resources: { a: { builtins: {} } } }, 'endo'],
    [{ resources: { a: { noGlobalFreeze: false } } }, 'endo'],
  ]) {
    assert.equal(detectPolicyFormat(markers), format, JSON.stringify(markers));
    if (!Array.isArray(markers.resources.a?.globals)) assert.equal(normalizePolicy(markers).format, format, JSON.stringify(markers));
  }
  assert.equal(normalizePolicy({ resources: { a: { packages: { b: true } } } }).format, 'lavamoat', 'nothing tells: LavaMoat');
  assert.equal(normalizePolicy({ resources: { a: { packages: { b: true } } } }, { format: 'endo' }).format, 'endo', 'unless the caller says');
  const checked = assertPolicy(lavamoat, 'policy.json');
  assert.notEqual(checked, lavamoat, 'a copy');
  assert.deepEqual(plain(checked), lavamoat);
  assert.ok(Object.isFrozen(checked) && Object.isFrozen(checked.resources['a>b'].builtin), 'deeply frozen');
  assert.deepEqual(plain(assertPolicy(endo)), endo);
});

test('a policy mixing the formats is refused, naming the keys of each', () => {
  const lines = problemsOf(() => assertPolicy({ resources: { a: { builtin: {}, builtins: {} } }, entry: {}, root: {} }, 'p.json'));
  assert.deepEqual(lines.sort(), [
    'entry: a key of Endo\'s format',
    'resources["a"].builtin: a key of LavaMoat\'s format',
    'resources["a"].builtins: a key of Endo\'s format',
    'root: a key of LavaMoat\'s format',
  ]);
  assert.throws(() => assertPolicy({ resources: {}, entry: {} }, 'p.json', { format: 'lavamoat' }), /expected LavaMoat's format, found Endo's keys \(entry\)/);
});

test('LavaMoat: every problem is listed with its JSON path', () => {
  const policy = {
    resources: {
      'a>b': { builtin: { 'fs.readFile': 'yes', fs: true, 'fs.x': true, 'a..b': true, 'fs/.x': true }, globals: { x: 1, 'p..q': true, process: 'read', 'process.env': true }, packages: { c: 'true', 'a>>c': true }, native: 'yes', meta: { k: () => 1 }, env: 'unfrozen' },
      'a>>b': {},
      '>x': [],
    },
    root: { usePolicy: 5, other: 1 },
    include: [3, { name: 'a' }, ''],
    extra: true,
  };
  assert.deepEqual(problemsOf(() => assertPolicy(policy, 'policy.json', { format: 'lavamoat' })), [
    '<policy>["extra"]: unknown key (expected one of resources, root, include, resolutions)',
    'resources["a>b"]["env"]: unknown key ("env" is read only by the classic lavamoat-node runtime; Cordon does not run packages unfrozen)',
    'resources["a>b"].builtin["fs.readFile"]: expected true or false, got "yes"',
    'resources["a>b"].builtin["a..b"]: the path "a..b" has an empty "." segment',
    'resources["a>b"].builtin["fs/.x"]: the builtin "fs/.x" has an empty "/" segment',
    'resources["a>b"].builtin["fs.x"]: "fs.x" is invalid when "fs" is also present and not false; set "fs" to false if you meant to allow less than all of it',
    'resources["a>b"].globals["x"]: expected true, false, "write", "redefine" or "read", got 1',
    'resources["a>b"].globals["p..q"]: the path "p..q" has an empty "." segment',
    'resources["a>b"].globals["process.env"]: "process.env" is invalid when "process" is also present and not false; set "process" to false if you meant to allow less than all of it',
    'resources["a>b"].packages["c"]: expected true or false, got "true"',
    'resources["a>b"].packages["a>>c"]: the canonical name "a>>c" has an empty ">" segment',
    'resources["a>b"].native: expected true or false, got "yes"',
    'resources["a>b"].meta["k"]: expected JSON data (null, a boolean, a number, a string, an array or an object), got a function',
    'resources["a>>b"]: the canonical name "a>>b" has an empty ">" segment',
    'resources[">x"]: the canonical name ">x" has an empty ">" segment',
    'resources[">x"]: expected an object, got an array',
    'root["other"]: unknown key (expected one of usePolicy, permissions)',
    'root.usePolicy: expected a non-empty string, got 5',
    'include[0]: expected an object, got 3',
    'include[1].entry: expected a non-empty string, got undefined',
    'include[2]: a canonical name may not be empty',
  ]);
  assert.deepEqual(problemsOf(() => assertPolicy({ root: {} })), ['resources: is required']);
  assert.deepEqual(problemsOf(() => assertPolicy({ resources: { a: { meta: 'x' } } })), ['resources["a"].meta: expected an object, got "x"']);
  assert.deepEqual(problemsOf(() => assertPolicy([])), ['<policy>: expected an object, got an array']);
  // a parent set to false makes its children meaningful
  assert.doesNotThrow(() => assertPolicy({ resources: { a: { builtin: { fs: false, 'fs.readFile': true }, globals: { process: false, 'process.env': true } } } }));
});

test('Endo: every problem is listed with its JSON path; resources required, extra keys and dynamic refused', () => {
  const policy = {
    entry: { packages: 'all', dynamic: true },
    defaultAttenuator: '',
    resources: {
      a: { builtins: { fs: 3, path: { attenuate: '', extra: 1 }, 'node:': true, os: [] }, globals: [], noGlobalFreeze: 'yes', defaultAttenuator: 7 },
      b: { globals: { x: 'readonly' }, packages: { 'c>': true } },
    },
    extra: 1,
  };
  assert.deepEqual(problemsOf(() => assertPolicy(policy, undefined, { format: 'endo' })), [
    '<policy>["extra"]: unknown key (expected one of resources, entry, defaultAttenuator)',
    'entry["dynamic"]: unknown key ("dynamic" is in Endo\'s types but its validator refuses it, and so does Cordon)',
    'entry.packages: expected an object, got "all"',
    'defaultAttenuator: expected a non-empty string, got ""',
    'resources["a"].builtins["fs"]: expected true, false or an attenuation definition, got 3',
    'resources["a"].builtins["path"]["extra"]: unknown key (expected one of attenuate, params)',
    'resources["a"].builtins["path"].attenuate: expected a non-empty string, got ""',
    'resources["a"].builtins["node:"]: "node:" is not a builtin module specifier',
    'resources["a"].builtins["os"]: an implicit attenuation definition needs at least one param',
    'resources["a"].globals: an implicit attenuation definition needs at least one param',
    'resources["a"].noGlobalFreeze: expected true or false, got "yes"',
    'resources["a"].defaultAttenuator: expected a non-empty string, got 7',
    'resources["b"].globals["x"]: expected true, false or "write", got "readonly"',
    'resources["b"].packages["c>"]: the canonical name "c>" has an empty ">" segment',
  ]);
  assert.deepEqual(problemsOf(() => assertPolicy({ entry: {} })), ['resources: is required']);
});

test('non-plain values, accessors, symbols and the limits are refused', () => {
  class Resource {}
  const accessor = { resources: {} };
  Object.defineProperty(accessor.resources, 'a', { get: () => ({}), enumerable: true });
  const withSymbol = { resources: { a: { packages: { [Symbol('s')]: true } } } };
  assert.deepEqual(pathsOf(() => assertPolicy({ resources: { a: new Resource(), b: new Map(), c: Object.create({ packages: {} }) } })), ['resources["a"]', 'resources["b"]', 'resources["c"]']);
  assert.match(problemsOf(() => assertPolicy(accessor))[0], /^resources\["a"\]: is an accessor property/);
  assert.match(problemsOf(() => assertPolicy(withSymbol))[0], /^resources\["a"\]\.packages: has the symbol key Symbol\(s\)/);
  assert.deepEqual(problemsOf(() => assertPolicy({ resources: { a: { globals: { [`x${'y'.repeat(1000)}`]: true } } } })), [
    `resources["a"].globals["x${'y'.repeat(1000)}"]: the key is 1001 characters long (at most 1000)`,
  ]);
  const many = { resources: Object.fromEntries(Array.from({ length: 100_001 }, (_, i) => [`p${i}`, {}])) };
  assert.deepEqual(problemsOf(() => assertPolicy(many)), ['resources: has 100001 entries (at most 100000)']);
  delete many.resources.p0;
  assert.equal(Object.keys(assertPolicy(many).resources).length, 100_000, '100,000 is allowed');
  const deep = { resources: { a: { meta: {} } } };
  let cursor = deep.resources.a.meta;
  for (let i = 0; i < 120; i += 1) cursor = cursor.x = {};
  assert.match(problemsOf(() => assertPolicy(deep))[0], /is nested more than 100 levels deep/);
});

test('prototype keys are refused anywhere (from JSON text, where __proto__ is an own key)', () => {
  for (const [text, path] of [
    ['{"resources": {"__proto__": {}}}', 'resources["__proto__"]'],
    ['{"resources": {"a": {"globals": {"__proto__": true}}}}', 'resources["a"].globals["__proto__"]'],
    ['{"resources": {"a": {"packages": {"constructor": true}}}}', 'resources["a"].packages["constructor"]'],
    ['{"resources": {"a": {"meta": {"x": [{"prototype": 1}]}}}}', 'resources["a"].meta["x"][0]["prototype"]'],
    ['{"__proto__": {"polluted": true}, "resources": {}}', '<policy>["__proto__"]'],
    ['{"resources": {"a": {"builtins": {"fs": {"attenuate": "x", "params": [{"constructor": {}}]}}}}}', 'resources["a"].builtins["fs"].params[0]["constructor"]'],
  ]) {
    const lines = problemsOf(() => parsePolicyText(text, 'p.json'));
    assert.deepEqual(lines, [`${path}: the key ${JSON.stringify(path.match(/"([^"]+)"\]$/)[1])} is not allowed (prototype keys are refused)`], text);
  }
  assert.equal({}.polluted, undefined);
});

test('parsePolicyText: bad JSON names the file with line and column; the size limit; a BOM', () => {
  const error = (() => {
    try {
      parsePolicyText('{\n  "resources": {,}\n}', 'lavamoat/node/policy.json');
    } catch (caught) {
      return caught;
    }
  })();
  assert.equal(error?.code, 'CORDON_INVALID_POLICY');
  assert.match(error.message, /^Invalid policy lavamoat\/node\/policy\.json: not valid JSON: /);
  assert.equal(error.file, 'lavamoat/node/policy.json');
  assert.deepEqual([error.line, error.column], [2, 16]);
  assert.match(problemsOf(() => parsePolicyText(' '.repeat(64 * 1024 * 1024 + 1), 'big.json'))[0], /^<policy>: the text is 67108865 characters long/);
  assert.deepEqual(plain(parsePolicyText('\ufeff{"resources": {"a": {}}}', 'bom.json')), { resources: { a: {} } });
  const invalid = (() => {
    try {
      parsePolicyText('{"resources": {"a": {"native": 1}}}', 'p.json');
    } catch (caught) {
      return caught;
    }
  })();
  assert.equal(invalid.file, 'p.json');
  assert.match(invalid.message, /^Invalid policy p\.json: 1 problem\n {2}resources\["a"\]\.native: expected true or false, got 1/);
});

test('merge (LavaMoat): the override wins per field, native from the override, include de-duplicated, root shallow-merged', () => {
  const policy = {
    resources: {
      a: { globals: { console: true, fetch: true }, packages: { b: true, c: true }, native: true, meta: { k: 'p', j: 'p' } },
      keep: { packages: { x: true } },
    },
    root: { usePolicy: 'a' },
    include: ['a', { name: 'b', entry: './b.js' }],
  };
  const override = {
    resources: { a: { globals: { fetch: false, setTimeout: true }, packages: { c: false }, native: false, meta: { k: 'o' } }, added: { native: true } },
    include: ['a', 'c', { name: 'b', entry: './b.js' }, { name: 'b', entry: './other.js' }],
  };
  assert.deepEqual(plain(mergePolicies(policy, override)), {
    resources: {
      a: { globals: { console: true, fetch: false, setTimeout: true }, packages: { b: true, c: false }, native: false, meta: { k: 'o', j: 'p' } },
      keep: { packages: { x: true } },
      added: { native: true },
    },
    root: { usePolicy: 'a' },
    include: ['a', { name: 'b', entry: './b.js' }, 'c', { name: 'b', entry: './other.js' }],
  });
  const merged = mergePolicies({ resources: { a: { native: true } } }, { resources: { a: { packages: { b: true } } }, root: { usePolicy: 'a' } });
  assert.deepEqual(plain(merged), { resources: { a: { packages: { b: true }, native: true } }, root: { usePolicy: 'a' } }, 'native kept when the override has none');
  assert.ok(Object.isFrozen(merged.resources.a));
});

test('merge (LavaMoat): nested entries under a present broader one are dropped, except those the override allows', () => {
  const generated = { resources: { a: { builtin: { 'fs.readFile': true, 'fs.writeFile': true, 'node:path.join': true }, globals: { 'process.env': true, 'process.argv': true } } } };
  const narrowed = mergePolicies(generated, { resources: { a: { builtin: { fs: false, 'fs.readFile': true }, globals: { process: false } } } });
  assert.deepEqual(plain(narrowed.resources.a), { builtin: { fs: false, 'fs.readFile': true, 'path.join': true }, globals: { process: false } });
  assert.deepEqual([...normalizePolicy(narrowed).grantsFor('a', false).builtins], [['fs', { kind: 'members', members: ['readFile'] }], ['path', { kind: 'members', members: ['join'] }]], 'sorted by module');
  const widened = mergePolicies(generated, { resources: { a: { builtin: { 'node:fs': true }, globals: { process: true } } } });
  assert.deepEqual(plain(widened.resources.a), { builtin: { fs: true, 'path.join': true }, globals: { process: true } });
  const conflict = problemsOf(() => mergePolicies({ resources: { a: { builtin: { fs: true } } } }, { resources: { a: { builtin: { 'fs.readFile': true } } } }, { policy: 'policy.json', override: 'policy-override.json' }));
  assert.deepEqual(conflict, ['resources["a"].builtin["fs.readFile"]: "fs.readFile" is invalid when "fs" is also present and not false; set "fs" to false if you meant to allow less than all of it']);
  assert.throws(
    () => mergePolicies({ resources: { a: { builtin: { fs: true } } } }, { resources: { a: { builtin: { 'fs.readFile': true } } } }, { policy: 'policy.json', override: 'policy-override.json' }),
    /^CordonError: Invalid policy policy\.json \+ policy-override\.json: 1 problem/,
  );
});

test('merge (Endo): records shallow-merged, \'any\' wins, entry merged; mixed formats refused', () => {
  const policy = {
    entry: { packages: { a: true }, globals: { console: true } },
    resources: { a: { packages: 'any', globals: { x: true, y: true }, builtins: { fs: true, path: true }, noGlobalFreeze: true }, b: { globals: ['p'], defaultAttenuator: 'att' } },
  };
  const override = {
    entry: { packages: { b: true } },
    defaultAttenuator: 'top',
    resources: { a: { packages: { c: false }, globals: { y: false }, builtins: { fs: { attenuate: 'fs-att', params: [1] } } }, b: { globals: { z: 'write' } } },
  };
  assert.deepEqual(plain(mergePolicies(policy, override)), {
    entry: { packages: { a: true, b: true }, globals: { console: true } },
    defaultAttenuator: 'top',
    resources: {
      a: { packages: 'any', globals: { x: true, y: false }, builtins: { fs: { attenuate: 'fs-att', params: [1] }, path: true }, noGlobalFreeze: true },
      b: { globals: { z: 'write' }, defaultAttenuator: 'att' },
    },
  });
  assert.equal(mergePolicies({ resources: { a: { globals: { x: true } } }, entry: {} }, { resources: { a: { globals: 'any' } } }).resources.a.globals, 'any');
  // an override with nothing format-specific takes its policy's format
  assert.deepEqual(plain(mergePolicies(policy, { resources: { c: { packages: { d: true } } } }).resources.c), { packages: { d: true } });
  const lines = problemsOf(() => mergePolicies(policy, { resources: {}, root: {} }, { policy: 'policy.js', override: 'policy-override.json' }));
  assert.deepEqual(lines, ["<policy>: policy.js is in Endo's format", "<policy>: policy-override.json is in LavaMoat's format"]);
  assert.throws(() => mergePolicies(policy, { resources: {}, root: {} }), /must both use one format/);
});

test('normalise LavaMoat: builtin members per module, node: stripped, whole module wins, globals access, root.usePolicy', () => {
  const policy = normalizePolicy({
    resources: {
      a: {
        builtin: { 'node:fs.readFileSync': true, 'fs.promises.readFile': true, 'fs/promises.readFile': true, 'node:http': true, crypto: false, os: false, 'os.cpus': true, 'url.URL': false },
        globals: { 'process.env.NODE_ENV': true, console: 'read', x: 'write', y: 'redefine', z: false },
        packages: { b: true, c: false },
        native: true,
      },
      b: { builtin: { path: true, 'util.inspect': true, 'node:path': true } },
    },
    root: { usePolicy: 'a' },
    include: ['inc', { name: 'inc2', entry: './x.js' }],
  }, { source: 'policy.json' });
  const a = policy.grantsFor('a', false);
  assert.deepEqual([...a.builtins], [
    ['fs', { kind: 'members', members: ['promises.readFile', 'readFileSync'] }],
    ['fs/promises', { kind: 'members', members: ['readFile'] }],
    ['http', { kind: 'all' }],
    ['os', { kind: 'members', members: ['cpus'] }],
  ]);
  assert.deepEqual([...a.globals], [['console', 'read'], ['process.env.NODE_ENV', 'read'], ['x', 'write'], ['y', 'write']]);
  assert.deepEqual([...a.packages], ['b']);
  assert.deepEqual([a.native, a.noGlobalFreeze, a.source], [true, false, 'policy.json']);
  assert.deepEqual([...policy.grantsFor('b', false).builtins], [['path', { kind: 'all' }], ['util', { kind: 'members', members: ['inspect'] }]]);
  assert.equal(policy.grantsFor('$root$', true), a, 'root.usePolicy applies to the entry');
  assert.equal(policy.grantsFor('missing', false), EMPTY_GRANTS, 'a missing resource gets nothing');
  assert.deepEqual(policy.names, ['a', 'b', 'c', 'inc', 'inc2']);
  assert.deepEqual([policy.attenuators, policy.defaultAttenuator], [[], undefined]);
  const unrestricted = normalizePolicy({ resources: { a: { builtin: { 'fs/promises': true, fs: true } } } });
  assert.equal(unrestricted.grantsFor('$root$', true), undefined, 'no root.usePolicy: the root is unrestricted');
  assert.deepEqual([...unrestricted.grantsFor('a', false).builtins], [['fs', { kind: 'all' }], ['fs/promises', { kind: 'all' }]]);
  assert.equal(normalizePolicy({ resources: {}, root: { usePolicy: 'gone' } }).grantsFor('$root$', true), EMPTY_GRANTS);
});

test('normalise Endo: absent entry unrestricted, missing resource nothing, any, globals, builtins, attenuators', () => {
  const policy = normalizePolicy({
    defaultAttenuator: 'top-att',
    resources: {
      a: { packages: 'any', globals: 'any', builtins: 'any', noGlobalFreeze: true },
      b: { packages: { c: true, d: false }, globals: { console: true, x: 'write', y: false }, builtins: { 'node:fs': true, path: false, os: { attenuate: 'os-att', params: ['cpus'] }, url: ['URL'] } },
      c: { defaultAttenuator: 'pkg-att', globals: ['g1'], builtins: { fs: ['readFile'] } },
      d: { globals: { attenuate: 'globals-att' } },
    },
  });
  assert.equal(policy.grantsFor('$root$', true), undefined, 'no entry: unrestricted');
  assert.equal(policy.grantsFor('e', false), EMPTY_GRANTS);
  const a = policy.grantsFor('a', false);
  assert.deepEqual([a.packages, a.globals, a.builtins, a.noGlobalFreeze, a.native], ['any', 'any', 'any', true, false]);
  const b = policy.grantsFor('b', false);
  assert.deepEqual([...b.packages], ['c']);
  assert.deepEqual([...b.globals], [['console', 'read'], ['x', 'write']]);
  assert.deepEqual([...b.builtins], [
    ['fs', { kind: 'all' }],
    ['os', { kind: 'attenuate', call: { attenuate: 'os-att', params: ['cpus'] } }],
    ['url', { kind: 'attenuate', call: { attenuate: 'top-att', params: ['URL'] } }],
  ]);
  const c = policy.grantsFor('c', false);
  assert.deepEqual(c.globalsAttenuator, { attenuate: 'pkg-att', params: ['g1'] });
  assert.deepEqual([...c.builtins], [['fs', { kind: 'attenuate', call: { attenuate: 'pkg-att', params: ['readFile'] } }]]);
  assert.deepEqual(policy.grantsFor('d', false).globalsAttenuator, { attenuate: 'globals-att', params: [] });
  assert.equal(policy.grantsFor('d', false).globals.size, 0);
  assert.deepEqual([policy.defaultAttenuator, policy.attenuators, policy.names], ['top-att', ['globals-att', 'os-att', 'pkg-att', 'top-att'], ['a', 'b', 'c', 'd']]);
  const attenuators = policy.grantsFor('<ATTENUATORS>', false);
  assert.deepEqual([attenuators.packages, attenuators.globals.size, attenuators.builtins.size], ['any', 0, 0]);
  const named = normalizePolicy({ resources: { a: { globals: { attenuate: true } } } }, { format: 'endo' });
  assert.deepEqual([[...named.grantsFor('a', false).globals], named.grantsFor('a', false).globalsAttenuator, named.attenuators], [[['attenuate', 'read']], undefined, []], 'a global named attenuate is a global');
  const entry = normalizePolicy({ entry: { packages: { a: true }, globals: { console: true } }, resources: {} }).grantsFor('$root$', true);
  assert.deepEqual([[...entry.packages], [...entry.globals]], [['a'], [['console', 'read']]]);
});

test('normalise Endo: with no defaultAttenuator, a builtin list picks members and a globals list is an error', () => {
  const policy = normalizePolicy({ resources: { a: { builtins: { fs: ['writeFile', 'promises.readFile', 'writeFile'], 'node:fs': true } } } });
  assert.deepEqual([...policy.grantsFor('a', false).builtins], [['fs', { kind: 'all' }]], 'fs and node:fs: the whole module wins');
  const picked = normalizePolicy({ resources: { a: { builtins: { 'node:fs': ['writeFile', 'promises.readFile', 'writeFile'] } } } });
  assert.deepEqual([...picked.grantsFor('a', false).builtins], [['fs', { kind: 'members', members: ['promises.readFile', 'writeFile'] }]]);
  assert.deepEqual(problemsOf(() => normalizePolicy({ resources: { a: { globals: ['x'], builtins: { fs: [1, 'a..b'] } } } })), [
    'resources["a"].globals: an implicit attenuation definition ([params…]) needs a defaultAttenuator, in the package policy or at the top of the policy',
    'resources["a"].builtins["fs"][0]: expected a member name (with no defaultAttenuator, the params of a builtin are the members it may use), got 1',
    'resources["a"].builtins["fs"][1]: the path "a..b" has an empty "." segment',
  ]);
  assert.match(problemsOf(() => normalizePolicy({ resources: { a: { builtins: { fs: true, 'node:fs': { attenuate: 'x' } } } } }))[0], /given twice/);
});

test('normalised grants are frozen and read-only', () => {
  const policy = normalizePolicy({ resources: { a: { packages: { b: true }, globals: { x: true }, builtin: { fs: true } } } });
  const grants = policy.grantsFor('a', false);
  for (const value of [policy, policy.names, policy.original, policy.original.resources.a, grants, grants.builtins.get('fs'), EMPTY_GRANTS]) assert.ok(Object.isFrozen(value));
  assert.equal(Object.getPrototypeOf(grants), null);
  assert.equal(grants.packages.add, undefined, 'no add');
  assert.throws(() => Set.prototype.add.call(grants.packages, 'evil'), TypeError);
  assert.throws(() => Map.prototype.set.call(grants.globals, 'evil', 'write'), TypeError);
  assert.throws(() => {
    'use strict';
    grants.native = true;
  }, TypeError);
  assert.equal(grants.packages.has('evil'), false);
  assert.deepEqual([EMPTY_GRANTS.packages.size, EMPTY_GRANTS.globals.size, EMPTY_GRANTS.builtins.size, EMPTY_GRANTS.native], [0, 0, 0, false]);
});

test('findUnknownCanonicalNames, suggestName and checkPolicyNames', () => {
  const policy = { resources: { 'expres>body-parser': {}, express: { packages: { 'expres>body-parser': true, debug: true, 'qs-x': true } }, 'c>ms': {} } };
  const known = ['express', 'express>body-parser', 'a>b>debug', 'debug', 'qs', 'q', 'a>ms'];
  assert.deepEqual(findUnknownCanonicalNames(policy, known), ['c>ms', 'expres>body-parser', 'qs-x']);
  assert.deepEqual(findUnknownCanonicalNames(normalizePolicy(policy), known), ['c>ms', 'expres>body-parser', 'qs-x'], 'a normalised policy too');
  assert.deepEqual(findUnknownCanonicalNames({ resources: { $root$: {}, '<ATTENUATORS>': {} } }, []), [], '$root$ and <ATTENUATORS> are always known');
  assert.equal(suggestName('expres>body-parser', known), 'express>body-parser');
  assert.equal(suggestName('qs-x', known), 'qs', 'the nearest (qs is 2 away, q 3)');
  assert.equal(suggestName('lodash', ['lodasy', 'lodasX', 'lodas']), 'lodas', 'the smallest distance wins');
  assert.equal(suggestName('lodash', ['lodasy', 'lodasX']), 'lodasX', 'ties: the first in code-point order');
  assert.equal(suggestName('c>ms', known), 'a>ms', 'a distance of 2 is within reach of a short name');
  assert.equal(suggestName('zz>yy>debug', known), 'a>b>debug', 'the same last segment when nothing is near');
  assert.equal(suggestName('totally-else', known), undefined);
  assert.equal(suggestName('abcdefghijkl', ['abcdefgXXXXX']), undefined, 'five edits in twelve is too far (twelve / 3 = 4)');
  assert.equal(suggestName('abcdefghijkl', ['abcdefghXXXX']), 'abcdefghXXXX', 'four edits in twelve is near');
  let error;
  try {
    checkPolicyNames(policy, known);
  } catch (caught) {
    error = caught;
  }
  assert.equal(error?.code, 'CORDON_UNKNOWN_POLICY_NAME');
  assert.deepEqual(error.unknownNames, ['c>ms', 'expres>body-parser', 'qs-x']);
  assert.equal(
    error.message,
    'The policy names 3 packages the application does not have:\n  "c>ms" (did you mean "a>ms"?)\n  "expres>body-parser" (did you mean "express>body-parser"?)\n  "qs-x" (did you mean "qs"?)',
  );
  assert.doesNotThrow(() => checkPolicyNames(policy, [...known, 'c>ms', 'expres>body-parser', 'qs-x']));
});

test('stringifyPolicy: sorted, stable, diff-friendly', () => {
  const one = { root: { usePolicy: 'b' }, resources: { b: { native: true, packages: { z: true, 10: true, 9: true }, globals: { 'b.c': true, a: 'write' } }, a: { meta: { y: 1, x: [2, 1] }, builtin: { path: true, 'fs.readFile': true } } }, include: ['z', 'a'] };
  const two = { include: ['a', 'z'], resources: { a: { builtin: { 'fs.readFile': true, path: true }, meta: { x: [2, 1], y: 1 } }, b: { globals: { a: 'write', 'b.c': true }, packages: { 9: true, z: true, 10: true }, native: true } }, root: { usePolicy: 'b' } };
  const text = stringifyPolicy(one);
  assert.equal(stringifyPolicy(two), text);
  assert.equal(
    text,
    `{
  "resources": {
    "a": {
      "builtin": {
        "fs.readFile": true,
        "path": true
      },
      "meta": {
        "x": [
          2,
          1
        ],
        "y": 1
      }
    },
    "b": {
      "globals": {
        "a": "write",
        "b.c": true
      },
      "packages": {
        "10": true,
        "9": true,
        "z": true
      },
      "native": true
    }
  },
  "root": {
    "usePolicy": "b"
  },
  "include": [
    "a",
    "z"
  ]
}
`,
  );
  assert.deepEqual(JSON.parse(text), plain(assertPolicy(two)), 'the same policy (include sorted)');
  const endoText = stringifyPolicy({ resources: { a: { options: { b: 1, a: 2 }, packages: 'any', builtins: { os: { params: ['b', 'a'], attenuate: 'x' } }, globals: ['z', 'y'] } }, entry: {}, defaultAttenuator: 'd' });
  assert.deepEqual(Object.keys(JSON.parse(endoText)), ['defaultAttenuator', 'entry', 'resources']);
  assert.deepEqual(Object.keys(JSON.parse(endoText).resources.a), ['globals', 'builtins', 'packages', 'options']);
  assert.match(endoText, /"globals": \[\n {8}"z",\n {8}"y"\n {6}\]/, 'params keep their order');
  assert.match(endoText, /"os": \{\n {10}"attenuate": "x",\n {10}"params": \[\n {12}"b",\n {12}"a"/);
  assert.match(endoText, /"options": \{\n {8}"a": 2,\n {8}"b": 1\n {6}\}/);
  assert.equal(stringifyPolicy({ resources: { '\u{1F600}': {}, '\uFFFF': {} } }).indexOf('\uFFFF') < stringifyPolicy({ resources: { '\u{1F600}': {}, '\uFFFF': {} } }).indexOf('\u{1F600}'), true, 'code-point order, not UTF-16');
});
