// mapNodeModules on this repository's own installed tree (the real-world packages are
// devDependencies: express, yargs, ajv, axios, mocha, koa, winston, pino, react, …), checked against
// npm's own record of the tree, package-lock.json: every installed package appears once per location,
// with its version, and with the canonical name computed independently from the lockfile.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import url from 'node:url';
import crypto from 'node:crypto';
import path from 'node:path';
import { mapNodeModules } from 'cordon';
import { makeReadPowers } from 'cordon/node-powers.js';

const repo = url.fileURLToPath(new URL('../../', import.meta.url));
const lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8'));
const root = lock.packages[''];

// The packages npm installed here (optional ones for other platforms are in the lockfile but not on disk).
const installed = new Map(
  Object.entries(lock.packages).filter(([key]) => key !== '' && fs.existsSync(path.join(repo, key, 'package.json'))),
);

/** Node's lookup over lockfile paths: `from/node_modules/name`, then each ancestor's. */
const locate = (from, name) => {
  for (let dir = from; ; ) {
    const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (installed.has(candidate)) return candidate;
    if (dir === '') return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut === -1 ? '' : dir.slice(0, cut);
  }
};

const dependencyNames = (entry, isRoot) => [
  ...new Set([
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.peerDependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...(isRoot ? Object.keys(entry.devDependencies ?? {}) : []),
    ...Object.keys(entry.peerDependenciesMeta ?? {}),
  ]),
];

// Shortest dependency path from the root; ties: fewer characters, then alphabetical (LavaMoat's rule).
const better = (a, b) => a.length - b.length || a.join('').length - b.join('').length || (a.join('>') < b.join('>') ? -1 : 1);
const labels = new Map([['', []]]);
let layer = [''];
while (layer.length > 0) {
  const best = new Map();
  for (const from of layer) {
    const entry = from === '' ? root : installed.get(from);
    for (const name of dependencyNames(entry, from === '')) {
      const to = locate(from, name);
      if (to === undefined || labels.has(to)) continue;
      const candidate = [...labels.get(from), name];
      if (!best.has(to) || better(candidate, best.get(to)) < 0) best.set(to, candidate);
    }
  }
  for (const [to, names] of best) labels.set(to, names);
  layer = [...best.keys()];
}

test('this repository\'s tree: every installed package once, with its version and canonical name', async () => {
  const powers = makeReadPowers({ fs, url, crypto, path });
  const map = await mapNodeModules(powers, url.pathToFileURL(path.join(repo, 'package.json')).href, { dev: true });
  const base = url.pathToFileURL(repo).href;
  const actual = Object.values(map.compartments)
    .filter(c => c.label !== '$root$')
    .map(c => [c.location.slice(base.length).replace(/\/$/, ''), c.version, c.label])
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const wanted = [...labels]
    .filter(([key]) => key !== '')
    .map(([key, names]) => [key, installed.get(key).version, names.join('>')])
    .sort(([a], [b]) => (a < b ? -1 : 1));
  assert.ok(wanted.length > 250, `only ${wanted.length} packages installed`);
  assert.deepEqual(actual, wanted);
  // Every installed package is reached (nothing orphaned in the lockfile is left out).
  assert.equal(labels.size - 1, installed.size);
  for (const name of ['express', 'yargs', 'ajv', 'axios', 'mocha', 'koa', 'winston', 'pino', 'react', 'react-dom', 'zod', 'marked', 'jsonwebtoken', 'moment', 'dayjs', 'uuid', 'glob', 'yaml', 'js-yaml', 'qs', 'debug', 'body-parser', 'minimist']) {
    assert.ok(Object.values(map.compartments).some(c => c.label === name), name);
  }
});
