// Small application trees for the bundle tests, written into a folder: `app` (ESM and CommonJS
// packages, JSON, a cycle, a live binding, comments), `simple` (what the incumbent's script formats
// can carry too) and `host` (a Node builtin).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

const APPS = {
  app: {
    'package.json': JSON.stringify({ name: 'bapp', version: '1.0.0', type: 'module', dependencies: { 'cjs-dep': '1.0.0', 'esm-dep': '1.0.0' } }),
    'main.js': [
      "// main: a line comment that says import('x') and <!-- html -->",
      "import { twice, label } from 'cjs-dep';",
      "import esm, { counter, bump } from 'esm-dep';",
      "import data from './data.json' with { type: 'json' };",
      "import { fromB } from './cycle-a.js';",
      '/* a block comment',
      '   over two lines */',
      '/*! kept banner */',
      'bump();',
      'export const answer = twice(data.n);',
      'export const cjsLabel = label;',
      'export const esmDefault = esm;',
      'export const live = counter;',
      'export const cycle = fromB();',
      "export const marker = 'MARKER';",
      'export const probe = source => new Compartment().evaluate(source);',
      'export const metaUrl = () => import.meta.url;',
      'export const textEncoder = typeof TextEncoder;',
      "export default 'main default';",
      '',
    ].join('\n'),
    'data.json': '{ "n": 21 }\n',
    'cycle-a.js': "import { b } from './cycle-b.js';\nexport const a = () => 'a';\nexport const fromB = () => b();\n",
    'cycle-b.js': "import { a } from './cycle-a.js';\nexport const b = () => `b+${a()}`;\n",
    'node_modules/cjs-dep/package.json': JSON.stringify({ name: 'cjs-dep', version: '1.0.0', main: 'index.js' }),
    'node_modules/cjs-dep/index.js': "// the CommonJS dependency\nconst helper = require('./lib/helper.js');\nexports.twice = n => helper.mul(n, 2);\nexports.label = `cjs ${helper.name}`;\n",
    'node_modules/cjs-dep/lib/helper.js': "module.exports = { mul: (a, b) => a * b, name: 'helper' };\n",
    'node_modules/esm-dep/package.json': JSON.stringify({ name: 'esm-dep', version: '1.0.0', type: 'module', exports: './index.js' }),
    'node_modules/esm-dep/index.js': "export let counter = 0;\nexport function bump() {\n  counter += 1; // a live binding\n}\nexport default 'esm default';\n",
  },
  simple: {
    'package.json': JSON.stringify({ name: 'simple', version: '1.0.0', type: 'module', dependencies: { dep: '1.0.0' } }),
    'main.js': "// simple\nimport dep, { twice } from 'dep';\nimport data from './data.json' with { type: 'json' };\nexport const answer = twice(data.n);\nexport const fromCjs = dep.name;\nexport default 'simple default';\n",
    'data.json': '{ "n": 21 }\n',
    'node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '1.0.0', main: 'index.js' }),
    'node_modules/dep/index.js': "exports.twice = n => n * 2;\nexports.name = 'dep';\n",
  },
  host: {
    'package.json': JSON.stringify({ name: 'hostapp', version: '1.0.0', type: 'module' }),
    'main.js': "import path from 'node:path';\nexport const joined = path.join('a', 'b');\n",
  },
};

/** Writes application `name` under `dir` (made if needed); returns the entry's path. */
export const writeApp = (dir, name = 'app') => {
  for (const [file, text] of Object.entries(APPS[name])) {
    const full = path.join(dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }
  return path.join(dir, 'main.js');
};

export const tempDir = prefix => fs.mkdtempSync(path.join(os.tmpdir(), `cordon-${prefix}-`));

export const computeSha512 = bytes => crypto.createHash('sha512').update(bytes).digest('hex');

/** A namespace as plain data (functions dropped). */
export const plain = value => JSON.parse(JSON.stringify(value));
