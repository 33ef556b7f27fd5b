// Node's syntax detection (≥ 20.19): a `.js` or extensionless file whose nearest package.json has no
// `type` is an ES module when it holds import/export statements; an explicit `"type": "commonjs"` keeps
// it CommonJS (and such a file then fails, as in Node). Compared with Node's own import() of the tree.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import { importLocation } from 'cordon';
import { nodePowers, writeTree } from '../helpers/fixtures.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const tree = files => writeTree(files, 'cordon-detect-');

const nodeAnswer = file =>
  JSON.parse(
    execFileSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', `import(${JSON.stringify(url.pathToFileURL(file).href)}).then(ns => process.stdout.write(JSON.stringify(ns)), e => process.stdout.write(JSON.stringify({ error: e.name })))`], {
      encoding: 'utf8',
    }),
  );

test('an ES module in a package without "type" is detected as Node detects it; CommonJS beside it stays CommonJS', async () => {
  const root = tree({
    'package.json': '{"name":"app","version":"1.0.0","type":"module","dependencies":{"typeless":"1.0.0"}}',
    'main.js': "import { esm, viaRequire } from 'typeless';\nimport cjs from 'typeless/old.js';\nimport nested from 'typeless/sub/inner.js';\nexport { esm, viaRequire, cjs, nested };\n",
    'node_modules/typeless/package.json': '{"name":"typeless","version":"1.0.0","main":"index.js"}',
    'node_modules/typeless/index.js': "import old from './old.js';\nexport const esm = 'esm in a typeless package';\nexport const viaRequire = old.kind;\n",
    'node_modules/typeless/old.js': "exports.kind = 'commonjs beside it';\n",
    // A nested package.json without "type" is ambiguous too.
    'node_modules/typeless/sub/package.json': '{}',
    'node_modules/typeless/sub/inner.js': "export default 'nested typeless esm';\n",
  });
  const entry = path.join(root, 'main.js');
  const expected = nodeAnswer(entry);
  assert.deepEqual(expected, { cjs: { kind: 'commonjs beside it' }, esm: 'esm in a typeless package', nested: 'nested typeless esm', viaRequire: 'commonjs beside it' });
  const { namespace } = await importLocation(nodePowers(), url.pathToFileURL(entry).href);
  assert.deepEqual(JSON.parse(JSON.stringify(namespace)), expected);
});

test('"type": "commonjs" is not ambiguous: ES syntax there fails, as in Node', async () => {
  const root = tree({
    'package.json': '{"name":"app","version":"1.0.0","type":"module","dependencies":{"explicit":"1.0.0"}}',
    'main.js': "export { value } from 'explicit';\n",
    'node_modules/explicit/package.json': '{"name":"explicit","version":"1.0.0","type":"commonjs","main":"index.js"}',
    'node_modules/explicit/index.js': "export const value = 1;\n",
  });
  const entry = path.join(root, 'main.js');
  assert.equal(nodeAnswer(entry).error, 'SyntaxError');
  await assert.rejects(importLocation(nodePowers(), url.pathToFileURL(entry).href), /export/);
});
