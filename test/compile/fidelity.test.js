// Rewrites are unobservable: each case runs the same ES module once in plain Node (a temporary .mjs
// file) and once compiled by Cordon under real SES lockdown, each in a child process, and compares
// what the module observes (its exported `result`, serialised). Where SES itself forbids keeping
// something identical, docs/compile-fidelity.md says so and the case asserts the documented behaviour.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..', '..');

// Spelled apart so that no line of this file is itself censored text.
const IMPORT_CALL = 'imp' + 'ort(';
const OPEN = '<' + '!--';
const CLOSE = '--' + '>';
const EVAL_CALL = 'ev' + 'al(';

if (process.env.CORDON_FIDELITY_CHILD) {
  // A child: `node fidelity.test.js <node|cordon> <dir>` prints the entry's `result` as JSON.
  const [mode, dir] = process.argv.slice(2);
  const print = value => process.stdout.write(JSON.stringify(value));
  const failure = error => ({ threw: `${error?.name}: ${error?.code ?? ''} ${error?.message}` });
  if (mode === 'node') {
    try {
      const ns = await import(new URL('file://' + path.join(dir, 'main.mjs')));
      print({ result: await ns.result });
    } catch (error) {
      print(failure(error));
    }
  } else {
    await import('ses');
    lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });
    const { ModuleSource } = await import('cordon/module-source.js');
    try {
      const compartment = new Compartment({
        __options__: true,
        resolveHook: specifier => specifier.replace(/^\.\//, ''),
        importHook: async specifier => ({ source: new ModuleSource(fs.readFileSync(path.join(dir, specifier), 'utf8'), `file:///fidelity/${specifier}`) }),
      });
      const { namespace } = await compartment.import('main.mjs');
      print({ result: await namespace.result });
    } catch (error) {
      print(failure(error));
    }
  }
  process.exit(0);
}

const { default: test } = await import('node:test');
const { default: assert } = await import('node:assert/strict');

/** Runs `files` (`main.mjs` is the entry) in Node and through Cordon; returns both observations. */
const observe = files => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-fidelity-'));
  try {
    for (const [name, text] of Object.entries(typeof files === 'string' ? { 'main.mjs': files } : files)) fs.writeFileSync(path.join(dir, name), text);
    const run = mode =>
      JSON.parse(execFileSync(process.execPath, [self, mode, dir], { cwd: root, encoding: 'utf8', env: { ...process.env, CORDON_FIDELITY_CHILD: '1' } }));
    return { node: run('node'), cordon: run('cordon') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

/** Asserts that Cordon observes exactly what Node does (and that Node ran the case without throwing). */
const same = files => {
  const { node, cordon } = observe(files);
  assert.equal(node.threw, undefined, `the case itself fails in Node: ${node.threw}`);
  assert.deepEqual(cordon, node);
  return node.result;
};

test('template literals: String.raw and a tag\'s strings.raw keep censored text', () => {
  same(`
    const tag = (strings, ...values) => ({ cooked: [...strings], raw: [...strings.raw], values });
    export const result = [
      String.raw\`a ${IMPORT_CALL}x) b\`,
      String.raw\`${OPEN} html ${CLOSE}\`,
      String.raw\`${EVAL_CALL}1) and \\x41 \${1} ${CLOSE}\`,
      tag\`p ${IMPORT_CALL} \${1} q ${CLOSE} \${2} ${OPEN}\`,
      tag\`\\u0041 ${IMPORT_CALL}\\n\`,
    ];
  `);
});

test('template literals: the template object of a censored site is frozen, shaped as usual, one per site', () => {
  same(`
    const get = strings => strings;
    const site = () => get\`x ${IMPORT_CALL} y\`;
    const other = () => get\`x ${IMPORT_CALL} y\`;
    const a = site();
    const d = Object.getOwnPropertyDescriptor(a, 'raw');
    const seen = new Set();
    for (let i = 0; i < 3; i += 1) seen.add(get\`loop ${CLOSE}\`);
    export const result = {
      sameSite: site() === a,
      otherSite: other() === a,
      loop: seen.size,
      frozen: [Object.isFrozen(a), Object.isFrozen(a.raw), Array.isArray(a), Array.isArray(a.raw)],
      raw: [d.writable, d.enumerable, d.configurable],
      keys: Reflect.ownKeys(a).map(String),
      rawKeys: Reflect.ownKeys(a.raw).map(String),
      proto: Object.getPrototypeOf(a) === Array.prototype,
    };
  `);
});

test('template literals: cooked values of untagged templates, a member tag keeps its this, new with a tag', () => {
  same(`
    const x = 'X';
    const o = { tag(strings, v) { return [this === o, strings.raw[0], v]; } };
    // \`new K\`…\`()\` is \`new (K\`…\`)()\`: the tag's result is constructed.
    const K = strings => function () { this.raw = strings.raw[0]; };
    export const result = [
      \`\\x41 ${IMPORT_CALL}\${x}) ${CLOSE} ${OPEN}\`,
      o.tag\`${CLOSE}\${x}\`,
      new K\`${IMPORT_CALL}\`().raw,
    ];
  `);
});

test('regular expression literals: source, flags, String(re) and matching keep censored text', () => {
  same(`
    const make = () => /a${CLOSE}b/g;
    export const result = [
      /${IMPORT_CALL}x)/.source,
      String(/${OPEN}/i),
      make().flags,
      make() === make(),
      /${EVAL_CALL}x)/u.test('evalx'),
      /${OPEN}>/.source,
      'xa${CLOSE}ba${CLOSE}b'.replace(make(), '_'),
      String(/\\/${IMPORT_CALL}[/])/),
      Object.getPrototypeOf(make()) === RegExp.prototype,
    ];
  `);
});

test('code: i-->0, a<!--b and friends compile and run', () => {
  same(`
    export let live = 3;
    let i = 4, n = 0, m = 0, j = 2;
    while (i${CLOSE}0) n++;
    for (let k = 3; k${CLOSE}0;) m++;
    while (live${CLOSE}0);
    const f = v => { let c = 0; while (v ${CLOSE} 0) c++; return c; };
    const obj = { k: 2 };
    while (obj.k${CLOSE}0);
    export const result = [n, m, live, f(5), obj.k, \`\${i${CLOSE}-5}\`, i];
  `);
});

test('documented: <!-- in module code is < ! -- as the Module goal reads it; Node refuses the module', () => {
  const { node, cordon } = observe(`let j = 2;\nexport const result = [1${OPEN}j, j, j${OPEN}j];\n`);
  assert.match(node.threw, /^SyntaxError/);
  assert.deepEqual(cordon.result, [false, 1, false]);
});

test('string literals keep their value', () => {
  same(`
    const o = { '${IMPORT_CALL}': 1, "${CLOSE}": 2, [\`${OPEN}\`]: 3 };
    export const result = ['${IMPORT_CALL}x)', "${OPEN}", '${CLOSE}', '${EVAL_CALL}', '\\u0069mport(', Object.keys(o), 'imp\\
ort(', '${OPEN}>', "${IMPORT_CALL}${IMPORT_CALL}", '${EVAL_CALL}${EVAL_CALL}', \`${OPEN}>\`, '${CLOSE}${CLOSE}'];
  `);
});

test('overlapping tokens (<!-->, import(import(, eval(eval() in comments and code are never refused', () => {
  same(`
    // ${OPEN}> ${IMPORT_CALL}${IMPORT_CALL} ${EVAL_CALL}${EVAL_CALL}
    /* ${OPEN}> */
    export const result = [${EVAL_CALL}${EVAL_CALL}'"1 + 1"')), typeof ${IMPORT_CALL}${IMPORT_CALL}'x')).catch(() => {})];
  `);
});

test('Function.prototype.toString gives the original text of functions, classes and methods', () => {
  same({
    'main.mjs': `
      import d, { named, Klass } from './lib.mjs';
      function plain(a, b) { return a + b; }
      const arrow = (x) => x * 2;
      class C { m() { return 1; } static s() {} get g() { return 2; } }
      export function exported() { /* body */ }
      export let counter = 0;
      export const result = [plain, arrow, C, C.prototype.m, C.s, Object.getOwnPropertyDescriptor(C.prototype, 'g').get, exported, d, named, Klass]
        .map(f => [f.name, String(f)]);
    `,
    'lib.mjs': `export default function () { return 'anonymous default'; }
export function named() {}
export class Klass { constructor() { this.k = 1; } }`,
  });
  same({
    'main.mjs': `import g from './gen.mjs'; import a from './async.mjs'; import c from './class.mjs';
      export const result = [g, a, c].map(f => [f.name, String(f)]);`,
    'gen.mjs': 'export default function* () { yield 1; }',
    'async.mjs': 'export default async function () {}',
    'class.mjs': 'export default class { static x = 1; }',
  });
});

test('documented: a function whose text holds censored tokens shows them disguised (docs/compile-fidelity.md)', () => {
  const { node, cordon } = observe(`
    function f(i) { while (i${CLOSE}0); return '${IMPORT_CALL}' + /${OPEN}/.source; }
    export const result = [f(2), String(f)];
  `);
  assert.equal(cordon.result[0], node.result[0]);
  // SES rejects any evaluated text holding the tokens, and toString returns the evaluated text.
  assert.equal(cordon.result[1], node.result[1].replace(CLOSE, '-- >').replace(IMPORT_CALL, 'i\\x6dport(').replace(`/${OPEN}/`, '$cordon_re("\\u003c!--","")'));
});

test('documented: a function that reads an imported binding shows the binding read through its getter', () => {
  const { node, cordon } = observe({
    'main.mjs': `import { x } from './lib.mjs';\nfunction f() { return x; }\nexport const result = [f(), String(f)];`,
    'lib.mjs': 'export const x = 1;',
  });
  assert.equal(cordon.result[0], node.result[0]);
  assert.equal(cordon.result[1], node.result[1].replace('x;', '$cordon_g_x();'));
});

test('documented: eval( in code is the compartment\'s eval, which is indirect', () => {
  const { node, cordon } = observe(`const local = 1;\nexport const result = ${EVAL_CALL}'typeof local');`);
  assert.equal(node.result, 'number');
  assert.equal(cordon.result, 'undefined');
});
