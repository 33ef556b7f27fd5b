// The `browser` field's object form with the "browser" condition, for ES modules and CommonJS: the
// main replaced, files replaced (with or without their extension), files and builtins excluded (the
// empty module, `{}`), a dependency replaced by another. Without the condition, Node's files.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { importLocation } from 'cordon';
import { fixtureUrl, nodePowers } from '../helpers/fixtures.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });
const entry = fixtureUrl('browser-field', 'app/main.js');

test('with the browser condition, the object form replaces and excludes files and packages', async () => {
  const { namespace } = await importLocation(nodePowers(), entry, { conditions: ['browser'], modules: {} });
  assert.deepEqual(JSON.parse(JSON.stringify(namespace.result)), {
    cjs: { which: 'browser main', helper: 'browser-only', helperNoExtension: 'browser-only', server: '{}', fs: '{}', dep: 'dep-browser' },
    esm: { depWhich: 'dep-browser', helper: 'browser-only', which: 'browser main' },
  });
});

test('without it, the browser field is ignored (as Node does)', async () => {
  const { namespace } = await importLocation(nodePowers(), entry, {});
  assert.deepEqual(JSON.parse(JSON.stringify(namespace.result)), { cjs: { which: 'node main' }, esm: { which: 'node main' } });
});
