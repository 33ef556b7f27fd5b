// Top-level await ordering cases: each is a small ES module tree whose entry is `main.mjs`. Node's own
// output of `node main.mjs` (stdout lines) is the reference; Cordon must print the same lines in the
// same order in every mode. Modules log with console.log and wait with promises, microtasks and
// timers (bounded: every timer is at most 20 ms).
const pkg = '{"name":"tla-case","version":"1.0.0","type":"module"}';

export const TLA_CASES = {
  // An awaiting module delays its importers; a sibling that does not depend on it runs meanwhile.
  sibling: {
    'main.mjs': "import './a.mjs';\nimport './b.mjs';\nimport { y } from './c.mjs';\nconsole.log('main', y());\n",
    'a.mjs': "console.log('a start');\nawait new Promise(r => setTimeout(r, 10));\nconsole.log('a end');\nexport const x = 1;\n",
    'b.mjs': "console.log('b');\n",
    'c.mjs': "import { x } from './a.mjs';\nconsole.log('c', x);\nexport function y() { return 'y' + x; }\n",
  },
  // Microtask interleaving between an awaiting module and a synchronous sibling.
  microtasks: {
    'main.mjs': "import './a.mjs';\nimport './b.mjs';\nconsole.log('main');\n",
    'a.mjs': "console.log('a1');\nawait 0;\nconsole.log('a2');\nawait null;\nconsole.log('a3');\n",
    'b.mjs': "queueMicrotask(() => console.log('b micro'));\nPromise.resolve().then(() => console.log('b then')).then(() => console.log('b then 2'));\nconsole.log('b');\n",
  },
  // A chain: b awaits and imports a, which awaits; main waits for both; c waits for b only.
  chain: {
    'main.mjs': "import { b } from './b.mjs';\nimport { c } from './c.mjs';\nconsole.log('main', b, c);\n",
    'a.mjs': "console.log('a start');\nawait new Promise(r => setTimeout(r, 5));\nexport const a = 'A';\nconsole.log('a end');\n",
    'b.mjs': "import { a } from './a.mjs';\nconsole.log('b start', a);\nawait Promise.resolve();\nexport const b = a + 'B';\nconsole.log('b end');\n",
    'c.mjs': "import { b } from './b.mjs';\nexport const c = b + 'C';\nconsole.log('c', c);\n",
  },
  // Two modules wait for the same one: they run in the order they began to wait.
  'shared-wait': {
    'main.mjs': "import './p.mjs';\nimport './q.mjs';\nimport './r.mjs';\nconsole.log('main');\n",
    'slow.mjs': "console.log('slow start');\nawait new Promise(r => setTimeout(r, 10));\nconsole.log('slow end');\nexport const v = 1;\n",
    'p.mjs': "import { v } from './slow.mjs';\nconsole.log('p', v);\n",
    'q.mjs': "console.log('q (no wait)');\n",
    'r.mjs': "import { v } from './slow.mjs';\nawait 0;\nconsole.log('r', v);\n",
  },
  // A binding assigned after an await is seen by importers with its final value; `for await` and
  // an `await` inside a top-level block are top-level awaits too.
  bindings: {
    'main.mjs': "import { value, items, later } from './m.mjs';\nconsole.log('main', value, items.join(','), later());\n",
    'm.mjs':
      "export let value = 'before';\nexport const items = [];\nasync function* gen() { yield 1; yield 2; }\nfor await (const item of gen()) items.push(item);\nif (items.length) { await null; value = 'after'; }\nexport function later() { return value + '!'; }\nconsole.log('m done');\n",
  },
  // A rejection fails exactly the modules that wait on it; an independent sibling still runs; a later
  // import of the failed module fails again with the same error.
  rejection: {
    'main.mjs':
      "try {\n  await import('./x.mjs');\n  console.log('x loaded?');\n} catch (error) {\n  console.log('x failed:', error.message);\n}\nconst y = await import('./y.mjs');\nconsole.log('y', y.ok);\ntry {\n  await import('./bad.mjs');\n} catch (error) {\n  console.log('bad again:', error.message);\n}\n",
    'x.mjs': "import './bad.mjs';\nimport './q.mjs';\nconsole.log('x body (never)');\n",
    'bad.mjs': "console.log('bad start');\nawait 0;\nthrow new Error('boom');\n",
    'q.mjs': "console.log('q runs');\nexport const q = 1;\n",
    'y.mjs': "import { q } from './q.mjs';\nexport const ok = q === 1;\n",
  },
  // A synchronous module whose turn comes after an await throws: its importers fail, not its siblings.
  'late-throw': {
    'main.mjs': "try {\n  await import('./top.mjs');\n} catch (error) {\n  console.log('top failed:', error.message);\n}\nconsole.log('main end');\n",
    'top.mjs': "import './thrower.mjs';\nimport './fine.mjs';\nconsole.log('top body (never)');\n",
    'slow.mjs': "await new Promise(r => setTimeout(r, 5));\nconsole.log('slow done');\n",
    'thrower.mjs': "import './slow.mjs';\nconsole.log('thrower runs');\nthrow new TypeError('late');\n",
    'fine.mjs': "import './slow.mjs';\nconsole.log('fine runs');\n",
  },
  // Cycles through an awaiting module: a ↔ b with b awaiting; c imports both.
  cycle: {
    'main.mjs': "import { a } from './a.mjs';\nimport { c } from './c.mjs';\nconsole.log('main', a, c);\n",
    'a.mjs': "import { b } from './b.mjs';\nconsole.log('a', b);\nexport const a = 'A';\n",
    'b.mjs': "import './a.mjs';\nconsole.log('b start');\nawait new Promise(r => setTimeout(r, 5));\nexport const b = 'B';\nconsole.log('b end');\n",
    'c.mjs': "import { a } from './a.mjs';\nimport { b } from './b.mjs';\nexport const c = a + b;\nconsole.log('c', c);\n",
  },
  // A cycle of modules without await in an application that has one: hoisted functions are
  // available before the module's body runs, as in Node.
  'sync-cycle': {
    'main.mjs': "import './wait.mjs';\nimport { even } from './even.mjs';\nconsole.log('main', even(4), even(3));\n",
    'wait.mjs': "await 0;\nconsole.log('wait done');\n",
    'even.mjs': "import { odd } from './odd.mjs';\nexport function even(n) { return n === 0 ? true : odd(n - 1); }\nconsole.log('even', odd(1));\n",
    'odd.mjs': "import { even } from './even.mjs';\nexport function odd(n) { return n === 0 ? false : even(n - 1); }\nconsole.log('odd sees', typeof even);\n",
  },
  // import() of a module that awaits resolves after it has evaluated; CommonJS beside it.
  dynamic: {
    'main.mjs': "console.log('main start');\nconst ns = await import('./slow.mjs');\nconsole.log('main got', ns.value);\nimport cjs from './lib.cjs';\nconsole.log('cjs', cjs.name);\n",
    'slow.mjs': "import cjs from './lib.cjs';\nawait new Promise(r => setTimeout(r, 5));\nexport const value = 'slow ' + cjs.name;\nconsole.log('slow done');\n",
    'lib.cjs': "console.log('lib runs');\nmodule.exports = { name: 'lib' };\n",
  },
  // require() of an ES module graph that awaits fails with Node's code; one without await is required.
  'require-async': {
    'main.mjs': "import lib from './lib.cjs';\nconsole.log('main', lib.sync, lib.failed);\n",
    'lib.cjs':
      "let failed;\ntry {\n  require('./tla.mjs');\n} catch (error) {\n  failed = error.code;\n}\nconsole.log('lib', failed);\nmodule.exports = { sync: require('./plain.mjs').v, failed };\n",
    'tla.mjs': "await 0;\nexport const v = 'tla';\n",
    'plain.mjs': "export const v = 'plain';\n",
  },
  // import() from CommonJS of a module that awaits resolves once it has evaluated.
  'cjs-import': {
    'main.mjs': "import lib from './lib.cjs';\nconsole.log('main', await lib.load());\n",
    'lib.cjs': "exports.load = async () => {\n  const ns = await import('./slow.mjs');\n  console.log('lib got', ns.value);\n  return ns.value + '!';\n};\n",
    'slow.mjs': "await new Promise(r => setTimeout(r, 5));\nexport let value = 'early';\nawait null;\nvalue = 'slow';\n",
  },
  // import() from CommonJS of a module whose await rejected fails each time, as in Node.
  'cjs-import-rejected': {
    'main.mjs': "import lib from './lib.cjs';\nconsole.log('first:', await lib.load());\nconsole.log('again:', await lib.load());\n",
    'lib.cjs': "exports.load = () => import('./bad.mjs').then(ns => 'loaded ' + Object.keys(ns), error => 'failed ' + error.message);\n",
    'bad.mjs': "await 0;\nthrow new Error('bad await');\nexport const never = 1;\n",
  },
};

/** The case's files, with its package.json. */
export const caseFiles = name => ({ 'package.json': pkg, ...TLA_CASES[name] });
