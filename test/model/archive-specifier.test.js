// archiveSpecifier's fast path (`./name` of plain segments) gives what segment-by-segment joining gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archiveSpecifier } from '../../dist/model/archive.js';

const bySegments = (referrer, specifier) => {
  if (!(specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..')) return specifier;
  const parts = referrer.split('/');
  parts.pop();
  for (const segment of specifier.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  const joined = parts.join('/');
  return joined.startsWith('.') ? joined : `./${joined}`;
};

test('archiveSpecifier joins a relative specifier to its referrer, by segments, and leaves others', () => {
  const referrers = ['./a/b.js', './b.js', 'x', 'x/y.js', '.', './', '../up/a.js', './.hidden/a.js', 'a', './@scope/pkg/index.js'];
  const specifiers = ['./c.js', './d/e.js', '../f.js', '.', '..', './', './x/', './.hid.js', './a//b.js', './a/./b.js', '.x', '..x/y', 'pkg', './a/../b.js', '.hidden', './.', 'node:fs', '@scope/pkg'];
  for (const referrer of referrers) for (const specifier of specifiers) assert.equal(archiveSpecifier(referrer, specifier), bySegments(referrer, specifier), `${specifier} from ${referrer}`);
  assert.equal(archiveSpecifier('./lib/a.js', './b.js'), './lib/b.js');
  assert.equal(archiveSpecifier('./lib/a.js', '../b.js'), './b.js');
});
