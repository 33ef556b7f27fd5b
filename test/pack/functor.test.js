// Scripts and functors (makeScript, makeFunctor, the FromMap forms) against Node's own import() of the
// same tree (test/fixtures/scripts): live bindings, cycles with TDZ, a module that reassigns its exported
// let, `var x; export { x as y }`, one exit imported by two modules of a package, JSON, text and bytes.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import { CordonError, importLocation, mapNodeModules } from 'cordon';
import { makeScript } from 'cordon/script.js';
import { makeFunctor } from 'cordon/functor.js';
import { makeScriptFromMap } from 'cordon/script-lite.js';
import { makeFunctorFromMap } from 'cordon/functor-lite.js';
import { fixtureRoot, fixtureUrl, nodePowers, writeTree } from '../helpers/fixtures.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const hostRequire = createRequire(import.meta.url);
const entry = fixtureUrl('scripts', 'app/main.js');
const plain = value => JSON.parse(JSON.stringify(value));

/** Node's answer, in a fresh process without SES. */
const nodeAnswer = file =>
  JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(url.pathToFileURL(file).href)}).then(ns => process.stdout.write(JSON.stringify(ns)))`], { encoding: 'utf8' }));

const evaluateScript = (script, globals = {}) => new Compartment({ globals, __options__: true }).evaluate(script);

const VARIANTS = {
  "format: 'cjs'": { format: 'cjs' },
  "useEvaluate, format: 'cjs'": { format: 'cjs', useEvaluate: true },
  "useEvaluate, format: 'cjs', sourceUrlPrefix": { format: 'cjs', useEvaluate: true, sourceUrlPrefix: '/bundled-source/.../' },
};

test('scripts agree with Node and importLocation on live bindings, cycles, TDZ, re-exports, JSON and an exit shared by two modules', async () => {
  const expected = nodeAnswer(path.join(fixtureRoot('scripts'), 'app/main.js'));
  assert.equal(expected.tdzResult, 'ReferenceError');
  assert.equal(expected.live, 2);
  const viaLocation = plain((await importLocation(nodePowers(), entry, { modules: { 'node:path': hostRequire('node:path') } })).namespace);
  assert.deepEqual(viaLocation, expected, 'importLocation');
  for (const [name, options] of Object.entries(VARIANTS)) {
    const script = await makeScript(nodePowers(), entry, options);
    const namespace = evaluateScript(script, { require: hostRequire });
    assert.deepEqual(plain(namespace), expected, name);
    assert.equal(Object.prototype.toString.call(namespace), '[object Module]', name);
    assert.ok(Object.isFrozen(namespace), name);
  }
});

test('a functor takes runtime options (require) and each call runs the application afresh', async () => {
  const functorText = await makeFunctor(nodePowers(), entry, { format: 'cjs' });
  const functor = evaluateScript(functorText);
  assert.equal(typeof functor, 'function');
  const first = functor({ require: hostRequire });
  const second = functor({ require: hostRequire });
  assert.equal(first.live, 2);
  assert.equal(second.live, 2, 'a second call has its own instances, not the first call\'s counter');
  assert.notEqual(first, second);
  // Without a require, the host module cannot be reached: the message says which.
  assert.throws(() => functor({}), /Cannot import host module: node:path/);
});

test('the FromMap forms take a compartment map', async () => {
  const map = await mapNodeModules(nodePowers(), entry);
  const script = await makeScriptFromMap(nodePowers(), map, { format: 'cjs' });
  assert.equal(evaluateScript(script, { require: hostRequire }).live, 2);
  const functor = evaluateScript(await makeFunctorFromMap(nodePowers(), map, { format: 'cjs', useEvaluate: true }));
  assert.equal(functor({ require: hostRequire }).cycleResult, 'b sees a');
});

test('without format: cjs an ES import of a host module fails at bundle time, naming it', async () => {
  await assert.rejects(makeScript(nodePowers(), entry), error => {
    assert.ok(error instanceof CordonError);
    assert.equal(error.code, 'CORDON_BUNDLE_HOST_MODULE');
    assert.match(error.message, /node:path/);
    assert.match(error.message, /twice-v1\.0\.0\/one\.js/);
    return true;
  });
});

test('text and bytes modules are carried as importLocation gives them; censored text survives', async () => {
  const assets = fixtureUrl('scripts', 'app/assets.js');
  const expected = plain((await importLocation(nodePowers(), assets)).namespace);
  assert.equal(expected.note, 'a note <!-- with import(x) -->\n');
  assert.deepEqual(expected.blob, [0, 1, 254, 255, 65, 66, 67]);
  assert.equal(expected.isBytes, true);
  for (const useEvaluate of [false, true]) {
    const namespace = evaluateScript(await makeScript(nodePowers(), assets, { useEvaluate }));
    assert.deepEqual(plain(namespace), expected, `useEvaluate: ${useEvaluate}`);
  }
});

const tree = files => writeTree(files, 'cordon-functor-');

test('useEvaluate keeps each module\'s lines: a stack names the module under the sourceURL prefix at its line', async () => {
  const root = tree({
    'package.json': '{"name":"lines","version":"2.0.0","type":"module"}',
    'main.js': "import { where } from './deep/where.js';\nexport const stack = where();\n",
    'deep/where.js': '// line 1\n\nexport const where = () =>\n  new Error("here").stack;\n',
  });
  const script = await makeScript(nodePowers(), url.pathToFileURL(path.join(root, 'main.js')).href, { useEvaluate: true, sourceUrlPrefix: 'bundle:///lines/' });
  const { stack } = evaluateScript(script);
  assert.match(stack, /bundle:\/\/\/lines\/lines-v2\.0\.0\/deep\/where\.js:4:/);
});

test('the same application at two paths gives the same script, with no path of the machine in it', async () => {
  const files = {
    'package.json': '{"name":"same","version":"1.0.0","dependencies":{"d":"1.0.0"}}',
    'main.js': "const d = require('d'); module.exports = { d, file: __filename };\n",
    'node_modules/d/package.json': '{"name":"d","version":"1.0.0"}',
    'node_modules/d/index.js': "module.exports = 'd';\n",
  };
  const one = tree(files);
  const two = tree(files);
  for (const options of [{}, { useEvaluate: true }, { format: 'cjs' }]) {
    const a = await makeScript(nodePowers(), url.pathToFileURL(path.join(one, 'main.js')).href, options);
    const b = await makeScript(nodePowers(), url.pathToFileURL(path.join(two, 'main.js')).href, options);
    assert.equal(a, b);
    assert.ok(!a.includes(one) && !a.includes(os.tmpdir()), 'no absolute path');
    const { default: value } = evaluateScript(a);
    assert.deepEqual(plain(value), { d: 'd', file: '/bundled-source/same-v1.0.0/main.js' });
  }
});

test('a module that throws fails its importer with its own error', async () => {
  const root = tree({
    'package.json': '{"name":"throws","version":"1.0.0","type":"module"}',
    'main.js': "import './bad.js';\nexport const never = 1;\n",
    'bad.js': "throw new RangeError('bad module');\n",
  });
  const functor = evaluateScript(await makeFunctor(nodePowers(), url.pathToFileURL(path.join(root, 'main.js')).href));
  assert.throws(() => functor(), { name: 'RangeError', message: 'bad module' });
});

test('unknown options and a wrong format are refused', async () => {
  await assert.rejects(makeScript(nodePowers(), entry, { formats: 'cjs' }), { code: 'CORDON_INVALID_ARGUMENT' });
  await assert.rejects(makeScript(nodePowers(), entry, { format: 'esm' }), { code: 'CORDON_INVALID_ARGUMENT' });
});
