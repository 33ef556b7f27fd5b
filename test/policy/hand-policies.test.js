// LavaMoat policies written by hand (test/fixtures/hand-policies/<pkg>.json, from reading each package's
// code) for packages of the real-world list installed in this repository: an application of its own for
// each (test/fixtures/hand-policies/apps/<pkg>/main.js, found in /work/main/node_modules as Node finds
// it) uses the package for real. Each run is a fresh process (test/helpers/hand-policy-run.js): plain
// Node for the answer to compare with; Cordon under real lockdown, importLocation, builtins through
// `modules`. Then each grant the package cannot do without is taken away, and the policy generator's
// answer for the same application is compared with the hand policy.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

const HELPER = new URL('../helpers/hand-policy-run.js', import.meta.url).pathname;
const runChild = (...args) => JSON.parse(execFileSync(process.execPath, [HELPER, ...args], { encoding: 'utf8' }));
const handPolicy = pkg => JSON.parse(fs.readFileSync(new URL(`../fixtures/hand-policies/${pkg}.json`, import.meta.url), 'utf8'));
const underCordon = (pkg, policy) => runChild('cordon', pkg, JSON.stringify(policy));
const without = (policy, resource, kind, key) => {
  const copy = structuredClone(policy);
  assert.ok(Object.hasOwn(copy.resources[resource]?.[kind] ?? {}, key), `the hand policy grants ${resource} ${kind} ${key}`);
  delete copy.resources[resource][kind][key];
  return copy;
};

/**
 * Per package: grants whose removal must deny (resource, kind, key → the denied resource), a member
 * grant whose removal leaves a view without it (the message of the TypeError the package then hits;
 * none for yaml, whose member grants are flags it reads guarded),
 * and what the generator grants beyond the hand policy (each checked in the report of this file).
 */
const PACKAGES = {
  dotenv: {
    removals: [['dotenv', 'builtin', 'fs.readFileSync', 'fs']],
    member: ['dotenv', 'globals', 'process.cwd', /process\.cwd is not a function/],
    // The generator stops a global's path at a method call's object (`process.cwd()` → `process`,
    // `console.log()` → `console`: src/compile/analyze.ts), where Cordon's dotted views bind methods.
    generatedBeyond: [],
  },
  debug: {
    removals: [
      ['debug', 'builtin', 'tty.isatty', 'tty'],
      ['debug', 'packages', 'debug>ms', 'debug>ms'],
    ],
    member: ['debug', 'builtin', 'util.inspect', /util\.inspect is not a function/],
    // `typeof process` and method calls give all of process and console; src/browser.js (required only
    // in a browser, never run on Node) gives document, localStorage, navigator; the optional peer
    // supports-color, which debug requires inside try/catch and does without, is granted with its tree.
    generatedBeyond: [
      'debug globals console',
      'debug globals document',
      'debug globals localStorage',
      'debug globals navigator',
      'debug globals process',
      'debug packages debug>supports-color',
      'debug>supports-color (resource)',
      'debug>supports-color globals process.env',
      'debug>supports-color globals process.platform',
      'debug>supports-color builtin os.release',
      'debug>supports-color builtin tty.isatty',
      'debug>supports-color packages debug>supports-color>has-flag',
      'debug>supports-color>has-flag (resource)',
      'debug>supports-color>has-flag globals process.argv',
    ],
  },
  yaml: {
    removals: [['yaml', 'builtin', 'buffer.Buffer', 'buffer']],
    // atob/btoa: the fallbacks of the binary tag when there is no Buffer (never reached on Node).
    generatedBeyond: ['yaml globals atob', 'yaml globals btoa'],
  },
  chalk: {
    removals: [
      ['chalk>supports-color', 'builtin', 'tty.isatty', 'tty'],
      ['chalk', 'packages', 'chalk>ansi-styles', 'chalk>ansi-styles'],
      ['chalk>ansi-styles>color-convert', 'packages', 'chalk>ansi-styles>color-convert>color-name', 'chalk>ansi-styles>color-convert>color-name'],
    ],
    member: ['chalk>supports-color', 'globals', 'process.env', /Cannot use 'in' operator to search for 'FORCE_COLOR'/],
    generatedBeyond: [],
  },
};

/** Whether `grants` (a globals or builtin record) covers `path` at `access`: the path or a parent, write covering read. */
const covers = (grants, path, access) =>
  Object.entries(grants ?? {}).some(([granted, level]) => level !== false && (granted === path || path.startsWith(`${granted}.`)) && (level === 'write' || access !== 'write'));

/** Every grant of `policy` that `other` does not cover, as 'resource kind key' lines. */
const grantsBeyond = (policy, other) => {
  const out = [];
  for (const [name, resource] of Object.entries(policy.resources)) {
    const theirs = other.resources[name];
    if (theirs === undefined) out.push(`${name} (resource)`);
    for (const kind of ['globals', 'builtin']) {
      for (const [path, access] of Object.entries(resource[kind] ?? {})) if (!covers(theirs?.[kind], path, access)) out.push(`${name} ${kind} ${path}`);
    }
    for (const [pkg, granted] of Object.entries(resource.packages ?? {})) if (granted && !theirs?.packages?.[pkg]) out.push(`${name} packages ${pkg}`);
    if (resource.native && !theirs?.native) out.push(`${name} native`);
  }
  return out.sort();
};

test('grantsBeyond sees what a policy grants beyond another (so the comparisons below can fail)', () => {
  const hand = { resources: { a: { globals: { 'process.env': true, w: 'write' }, builtin: { fs: true }, packages: { b: true } } } };
  assert.deepEqual(grantsBeyond(hand, hand), []);
  assert.deepEqual(grantsBeyond({ resources: { a: { globals: { 'process.env.HOME': true, w: true }, builtin: { 'fs.readFileSync': true } } } }, hand), []);
  assert.deepEqual(
    grantsBeyond({ resources: { a: { globals: { process: true, 'w.x': 'write', y: 'write' }, builtin: { os: true }, packages: { b: true, c: true }, native: true }, d: {} } }, { resources: { a: { globals: { y: true }, packages: { b: true } } } }),
    ['a builtin os', 'a globals process', 'a globals w.x', 'a globals y', 'a native', 'a packages c', 'd (resource)'],
  );
});

for (const [pkg, { removals, member, generatedBeyond }] of Object.entries(PACKAGES)) {
  const policy = handPolicy(pkg);

  test(`${pkg}: under the hand policy the application works and gives Node's answer`, () => {
    const node = runChild('node', pkg);
    assert.equal(node.error, undefined, JSON.stringify(node.error));
    const cordon = underCordon(pkg, policy);
    assert.equal(cordon.error, undefined, JSON.stringify(cordon.error));
    assert.deepEqual(cordon.result, node.result);
  });

  for (const [resource, kind, key, denied] of removals) {
    test(`${pkg}: without ${resource}'s ${kind} grant ${JSON.stringify(key)} the run fails with CORDON_POLICY_DENIED naming ${resource} and ${denied}`, () => {
      const { error, result } = underCordon(pkg, without(policy, resource, kind, key));
      assert.equal(result, undefined);
      assert.equal(error?.code, 'CORDON_POLICY_DENIED', JSON.stringify(error));
      assert.equal(error.package, resource);
      assert.equal(error.resource, denied);
      assert.equal(error.policyKey, `resources[${JSON.stringify(resource)}].${kind}[${JSON.stringify(denied)}]`);
    });
  }

  if (member) {
    test(`${pkg}: without ${member[0]}'s member grant ${member[2]} the package's view lacks that member (the package then fails as it would without it)`, () => {
      const { error, result } = underCordon(pkg, without(policy, member[0], member[1], member[2]));
      assert.equal(result, undefined);
      assert.match(error?.message ?? '', member[3]);
      assert.notEqual(error.code, 'CORDON_POLICY_DENIED');
    });
  }

  test(`${pkg}: generatePolicy grants nothing beyond the hand policy but what is recorded (and the hand policy nothing beyond it)`, () => {
    const generated = runChild('generate', pkg);
    assert.equal(generated.error, undefined, JSON.stringify(generated.error));
    // The hand policy names the application's canonical names, nothing else.
    for (const name of Object.keys(policy.resources)) assert.ok(generated.canonicalNames.includes(name), `${name} in ${generated.canonicalNames}`);
    assert.deepEqual(grantsBeyond(generated.policy, policy), [...generatedBeyond].sort());
    assert.deepEqual(grantsBeyond(policy, generated.policy), []);
    // And the generated policy runs the application too.
    const cordon = underCordon(pkg, generated.policy);
    assert.equal(cordon.error, undefined, JSON.stringify(cordon.error));
    assert.deepEqual(cordon.result, runChild('node', pkg).result);
  });
}
