import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { CordonError, errorCodes, nodeShapedCodes } from 'cordon';

test('every error code has a page under docs/errors/', () => {
  const missing = Object.keys(errorCodes).filter(code => !fs.existsSync(new URL(`../../docs/errors/${code}.md`, import.meta.url)));
  assert.deepEqual(missing, []);
});

test('every page under docs/errors/ names a registered code (or a Node code Cordon throws in Node\'s shape)', () => {
  const pages = fs.readdirSync(new URL('../../docs/errors/', import.meta.url)).map(f => f.replace(/\.md$/, ''));
  assert.deepEqual(pages.filter(page => !(page in errorCodes) && !nodeShapedCodes.includes(page)), []);
  for (const code of nodeShapedCodes) assert.ok(pages.includes(code), `docs/errors/${code}.md`);
});

test('CordonError carries code, hint and the structured where', () => {
  const error = new CordonError('CORDON_SYNTAX_ERROR', 'Cannot parse', { file: 'file:///a.js', line: 3, column: 4, specifier: './a.js', package: 'a>b' });
  assert.equal(error.code, 'CORDON_SYNTAX_ERROR');
  assert.equal(error.hint, errorCodes.CORDON_SYNTAX_ERROR.hint);
  assert.equal(error.message, 'Cannot parse (at file:///a.js:3:5, specifier "./a.js", package a>b)');
  assert.deepEqual([error.file, error.line, error.column, error.specifier, error.package], ['file:///a.js', 3, 4, './a.js', 'a>b']);
  assert.ok(error instanceof Error);
});
