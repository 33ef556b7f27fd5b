// Locations are names: joined and resolved by string rules unless they are hierarchical URLs, where
// the URL parser's answer is the rule. Checked against `new URL` and `path.posix` on the cases where
// each is the authority.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { dirnameOfLocation, isHierarchicalUrl, joinLocation, resolveLocation, schemeOf } from '../../dist/model/location.js';

test('schemeOf and isHierarchicalUrl: special schemes and scheme:/ are hierarchical; opaque schemes, bare names and drives are not', () => {
  assert.equal(schemeOf('memory:app.zip'), 'memory:');
  assert.equal(schemeOf('app.zip'), '');
  assert.equal(schemeOf('C:/dir/app.zip'), '', 'a drive letter is not a scheme');
  for (const location of ['file:///app.zip', 'https://example.com/app.zip', 'HTTP://example.com/a', 'memory:/app.zip', 'ws://h/x']) assert.equal(isHierarchicalUrl(location), true, location);
  for (const location of ['memory:app.zip', 'app.zip', '/srv/app.zip', '<unknown>', 'urn:isbn:123', 'C:\\dir\\app.zip']) assert.equal(isHierarchicalUrl(location), false, location);
});

test('joinLocation: base, one slash, the path; under a hierarchical URL the path is escaped as the URL parser would', () => {
  assert.equal(joinLocation('memory:app.zip', 'pkg-v1.0.0/lib/a.js'), 'memory:app.zip/pkg-v1.0.0/lib/a.js');
  assert.equal(joinLocation('app.zip', 'pkg-v1.0.0/a.js'), 'app.zip/pkg-v1.0.0/a.js');
  assert.equal(joinLocation('app.zip/', 'a.js'), 'app.zip/a.js');
  assert.equal(joinLocation('/', 'a.js'), '/a.js');
  assert.equal(joinLocation('memory:app.zip', 'a b#c?.js'), 'memory:app.zip/a b#c?.js', 'a name is kept as it is');
  assert.equal(joinLocation('https://example.com/app.zip', '@scope/pkg-v1.0.0/a.js'), 'https://example.com/app.zip/@scope/pkg-v1.0.0/a.js');
  for (const file of ['a b.js', 'x#y.js', 'q?.js', '100%.js', 'é.js', 'a"b`{c}.js']) {
    const joined = joinLocation('file:///srv/app.zip', `pkg/${file}`);
    assert.equal(joined, new URL(`pkg/${encodeURIComponent(file)}`, 'file:///srv/app.zip/').href, file);
    assert.equal(decodeURIComponent(new URL(joined).pathname), `/srv/app.zip/pkg/${file}`, file);
  }
});

test('resolveLocation under hierarchical URLs is the URL parser', () => {
  const cases = [
    ['./b.js', 'file:///srv/app.zip/pkg/a.js'],
    ['../other/c.js', 'https://example.com/app.zip/pkg/lib/a.js'],
    ['../../../../x.js', 'file:///srv/a.js'],
    ['/root.js', 'https://example.com/app.zip/pkg/a.js'],
    ['.', 'memory:/app.zip/pkg/a.js'],
    ['https://elsewhere.example/x.js', 'file:///a.js'],
  ];
  for (const [reference, base] of cases) assert.equal(resolveLocation(reference, base), new URL(reference, base).href, `${reference} against ${base}`);
});

test('resolveLocation under opaque schemes: string rules, never above the scheme', () => {
  assert.equal(resolveLocation('./b.js', 'memory:app.zip/pkg/a.js'), 'memory:app.zip/pkg/b.js');
  assert.equal(resolveLocation('../other/c.js', 'memory:app.zip/pkg/lib/a.js'), 'memory:app.zip/pkg/other/c.js');
  assert.equal(resolveLocation('../../../../x.js', 'memory:app.zip/pkg/a.js'), 'memory:x.js');
  assert.equal(resolveLocation('./', 'memory:app.zip/pkg/a.js'), 'memory:app.zip/pkg/');
  assert.equal(resolveLocation('..', 'memory:app.zip/pkg/a.js'), 'memory:app.zip/');
  assert.equal(resolveLocation('/x.js', 'memory:app.zip/pkg/a.js'), 'memory:/x.js');
  assert.equal(resolveLocation('other:thing', 'memory:app.zip/a.js'), 'other:thing', 'a reference with a scheme stands alone');
  assert.throws(() => new URL('./b.js', 'memory:app.zip/pkg/a.js'), /Invalid URL/, 'what the URL parser says of these');
});

test('resolveLocation under bare names and paths: path.posix rules (a relative name keeps its leading ..)', () => {
  const cases = [
    ['./b.js', 'app.zip/pkg/a.js'],
    ['../c.js', 'app.zip/pkg/lib/a.js'],
    ['../../../x.js', 'app.zip/a.js'],
    ['./x/./y/../z.js', 'app.zip/pkg/a.js'],
    ['../../x.js', '/srv/a.js'],
    ['./b.js', '/srv/app.zip/a.js'],
    ['/abs.js', 'app.zip/a.js'],
  ];
  for (const [reference, base] of cases) {
    const expected = path.posix.normalize(path.posix.join(path.posix.dirname(base), reference));
    assert.equal(resolveLocation(reference, base), reference.startsWith('/') ? reference : expected, `${reference} against ${base}`);
  }
  assert.equal(resolveLocation('./a.js', '<unknown>'), 'a.js');
});

test('dirnameOfLocation: the directory without its slash, a root keeping its own', () => {
  assert.equal(dirnameOfLocation('memory:app.zip/pkg-v1.0.0/lib/a.js'), 'memory:app.zip/pkg-v1.0.0/lib');
  assert.equal(dirnameOfLocation('app.zip/pkg/a.js'), 'app.zip/pkg');
  assert.equal(dirnameOfLocation('https://example.com/app.zip/a.js'), 'https://example.com/app.zip');
  assert.equal(dirnameOfLocation('file:///a.js'), 'file:///');
  assert.equal(dirnameOfLocation('memory:/a.js'), 'memory:/');
  assert.equal(dirnameOfLocation('/a.js'), '/');
  assert.equal(dirnameOfLocation('a.js'), '.');
  assert.equal(dirnameOfLocation('memory:a.js'), 'memory:');
  assert.equal(dirnameOfLocation('pkg/dir/'), 'pkg');
});
