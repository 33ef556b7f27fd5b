// SES's evaluator rejects any text holding `import(` or an HTML comment token. The compilers rewrite
// such text into equivalent code; these tests run the results under lockdown and compare values.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { ModuleSource } from 'cordon/module-source.js';
import { compileCommonJs } from 'cordon';
import { importMemory } from '../helpers/memory-link.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const IMPORT_CALL = 'imp' + 'ort(';
const OPEN = '<' + '!--';
const CLOSE = '--' + '>';
const rejected = text => /(^|[^.]|\.\.\.)\bimport(\s*(?:\(|\/[/*]))/.test(text) || /(^|[^.])\beval\s*\(/.test(text) || text.includes(OPEN) || text.includes(CLOSE);

const esmBody = `
  // a comment mentioning ${IMPORT_CALL}x) and ${OPEN} and ${CLOSE}
  /* block: import/* ${CLOSE} */
  export const strings = ['${IMPORT_CALL}x)', "${OPEN} html ${CLOSE}", 'import /*', \`tpl ${IMPORT_CALL}\${1}) ${CLOSE}\`];
  export const regexes = [/${IMPORT_CALL}x)/.test('importx'), /a${CLOSE}b/.test('a${CLOSE}b'), /${OPEN}/.test('x${OPEN}y')];
  let i = 3, steps = 0;
  while (i${CLOSE}0) steps++;
  let j = 1;
  export const html = [steps, 2<!--j, j];
  const obj = { import(x) { return 'method ' + x; }, 'imp': 1 };
  export const members = [obj.import('m'), obj. import('spaced'), obj?.import('optional')];
`;

test('ESM: censored text in comments, strings, templates, regexes and code is rewritten with the same meaning', async () => {
  const record = new ModuleSource(esmBody);
  assert.equal(rejected(record.__syncModuleProgram__), false);
  const ns = await importMemory({ './main.js': esmBody });
  assert.deepEqual(ns.strings, [`${IMPORT_CALL}x)`, `${OPEN} html ${CLOSE}`, 'import /*', `tpl ${IMPORT_CALL}1) ${CLOSE}`]);
  assert.deepEqual(ns.regexes, [true, true, true]);
  assert.deepEqual(ns.html, [3, false, 0]);
  assert.deepEqual(ns.members, ['method m', 'method spaced', 'method optional']);
});

test('ESM: line numbers survive the rewriting', () => {
  const text = `const a = "${OPEN}";\nconst b = '${IMPORT_CALL}';\nexport const line = new Error().stack;\n`;
  const program = new ModuleSource(text).__syncModuleProgram__;
  assert.equal(program.split('\n').length, text.split('\n').length + 1);
});

const cjsBody = `
${CLOSE} an HTML-like close comment at the start of a line (script goal only)
x = 1; ${OPEN} an HTML-like open comment
// ${IMPORT_CALL}'in a comment')
const s = "${IMPORT_CALL}'in a string') ${CLOSE}";
let n = 2, count = 0;
while (n${CLOSE}0) count++;
exports.s = s;
exports.count = count;
exports.load = () => ${IMPORT_CALL}'./dyn.mjs');
`;

test('CommonJS: the same rewriting, plus HTML-like comments, plus import() to the compartment', async () => {
  const compiled = compileCommonJs(cjsBody.replace('x = 1;', 'var x = 1;'));
  assert.equal(rejected(compiled.source), false);
  assert.ok(compiled.source.includes('$cordon_import'));
  const ns = await importMemory({
    './main.mjs': `import lib from './lib.cjs'; export const got = [lib.s, lib.count]; export const dyn = lib.load();`,
    './lib.cjs': cjsBody.replace('x = 1;', 'var x = 1;'),
    './dyn.mjs': 'export default "dynamic";',
  }, './main.mjs');
  assert.deepEqual(ns.got, [`${IMPORT_CALL}'in a string') ${CLOSE}`, 2]);
  assert.equal((await ns.dyn).default, 'dynamic');
});

test('text without censored tokens is left exactly as it was', () => {
  const text = 'exports.a = function () { return 1; };\n';
  assert.ok(compileCommonJs(text).source.includes(text));
});

test('a censored word at the end of a comment never changes the next line (regression)', async () => {
  const text = [
    '// the last word of this comment is import',
    '// and this line is another comment',
    'const a = 1; // ends with eval',
    '(function () {})();',
    'export const value = a;',
  ].join('\n');
  const record = new ModuleSource(text);
  assert.equal(rejected(record.__syncModuleProgram__), false);
  assert.equal(/\beval\s*\(/.test(record.__syncModuleProgram__), false);
  const ns = await importMemory({ './main.js': text });
  assert.equal(ns.value, 1);
});

test('eval( in code becomes a call of the compartment\'s own eval (indirect), in strings it keeps its value', async () => {
  const ns = await importMemory({
    './main.js': `const local = 'module scope';\nexport const viaEval = eval('typeof local');\nexport const text = 'eval(x)';\n`,
  });
  assert.equal(ns.viaEval, 'undefined'); // global scope: the module's locals are not visible
  assert.equal(ns.text, 'eval(x)');
});

test('overlapping tokens (<!-->, import(import(, eval(eval() are all rewritten, in ESM and CommonJS alike', async () => {
  const strings = `['${OPEN}>', "${IMPORT_CALL}${IMPORT_CALL}", 'ev' + 'al(' + "${'ev' + 'al('}${'ev' + 'al('}"]`;
  const esm = `// ${OPEN}> ${IMPORT_CALL}${IMPORT_CALL}\nexport const s = ${strings};\n`;
  const cjs = `// ${OPEN}> ${IMPORT_CALL}${IMPORT_CALL}\nexports.s = ${strings};\n`;
  assert.equal(rejected(new ModuleSource(esm).__syncModuleProgram__), false);
  assert.equal(rejected(compileCommonJs(cjs).source), false);
  const ns = await importMemory({ './main.js': esm, './lib.cjs': cjs, './both.js': `import lib from './lib.cjs'; export const s = lib.s;` });
  const expected = [`${OPEN}>`, `${IMPORT_CALL}${IMPORT_CALL}`, `${'ev' + 'al('}${'ev' + 'al('}${'ev' + 'al('}`];
  assert.deepEqual(ns.s, expected);
  assert.deepEqual((await importMemory({ './both.js': `import lib from './lib.cjs'; export const s = lib.s;`, './lib.cjs': cjs }, './both.js')).s, expected);
});
