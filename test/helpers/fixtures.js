// Fixture trees (test/fixtures/<scenario>/) on disk, and the same trees as memory powers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import crypto from 'node:crypto';
import { makeMemoryPowers } from 'cordon';
import { makeReadPowers, makeReadNowPowers } from 'cordon/node-powers.js';

export const fixtureRoot = scenario => url.fileURLToPath(new URL(`../fixtures/${scenario}/`, import.meta.url));
export const fixtureUrl = (scenario, relative = '') => new URL(`../fixtures/${scenario}/${relative}`, import.meta.url).href;

/** Node powers over the real fixture folder. */
export const nodePowers = () => makeReadNowPowers({ fs, url, crypto, path });
export { makeReadPowers };

/**
 * Memory powers holding the fixture at `mountPath` (default `/fixture`): every file, and every
 * symbolic link as a memory symlink.
 */
export const memoryPowers = (scenario, mountPath = '/fixture') => {
  const root = fixtureRoot(scenario);
  const files = {};
  const symlinks = {};
  const walk = dir => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const mounted = `${mountPath}/${path.relative(root, full).split(path.sep).join('/')}`;
      if (entry.isSymbolicLink()) {
        const target = path.resolve(dir, fs.readlinkSync(full));
        symlinks[mounted] = `${mountPath}/${path.relative(root, target).split(path.sep).join('/')}`;
      } else if (entry.isDirectory()) {
        walk(full);
      } else {
        files[mounted] = fs.readFileSync(full);
      }
    }
  };
  walk(root);
  return makeMemoryPowers(files, { symlinks, computeSha512: bytes => crypto.createHash('sha512').update(bytes).digest('hex') });
};

/** A small tree in a fresh temporary folder: relative path → text. Returns the folder. */
export const writeTree = (files, prefix = 'cordon-tree-') => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
};
