// Shared set-up of the fs bridge tests: a real temp tree with an allowed directory and secrets outside it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { makePermissionEngine, parsePermissionFlags, makeHostBridge } from '../../dist/host.js';

const require = createRequire(import.meta.url);

/**
 * dir/
 *   data/a.txt        'A'      (reader may read and write data/)
 *   data/sub/b.txt    'B'
 *   ro/r.txt          'R'      (reader may read ro/, not write it)
 *   wo/                        (reader may write wo/, not read it)
 *   secret.txt        'SECRET' (nobody's)
 *   outside/s.txt     'S2'
 */
export const makeTree = () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-fs-')));
  const at = (...parts) => path.join(dir, ...parts);
  fs.mkdirSync(at('data', 'sub'), { recursive: true });
  fs.mkdirSync(at('ro'));
  fs.mkdirSync(at('wo'));
  fs.mkdirSync(at('outside'));
  fs.writeFileSync(at('data', 'a.txt'), 'A');
  fs.writeFileSync(at('data', 'sub', 'b.txt'), 'B');
  fs.writeFileSync(at('ro', 'r.txt'), 'R');
  fs.writeFileSync(at('secret.txt'), 'SECRET');
  fs.writeFileSync(at('outside', 's.txt'), 'S2');
  return { dir, at, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
};

/** The bridge over `dir` with `flags` (default: reader reads data/ and ro/, writes data/ and wo/; trusted reads all). */
export const makeFs = (dir, flags, cwd = () => dir) => {
  const given = flags ?? {
    allow: {
      read: ['reader=./data', 'reader=./ro', 'trusted=*'],
      write: ['reader=./data', 'reader=./wo', 'trusted=*'],
    },
  };
  const set = parsePermissionFlags(given, { cwd: dir, pathVariable: process.env.PATH });
  const engine = makePermissionEngine(set);
  const bridge = makeHostBridge({ engine, hostBuiltin: name => require(`node:${name}`), env: process.env, cwd });
  return { bridge, fs: bridge.builtinFor('reader', 'fs'), trusted: bridge.builtinFor('trusted', 'fs') };
};

export const denied = error => error?.code === 'ERR_ACCESS_DENIED';

/** Calls a callback-form function; resolves with [error, ...results] and whether the callback ran synchronously. */
export const viaCallback = (fn, ...args) =>
  new Promise(resolve => {
    let returned = false;
    fn(...args, (error, ...results) => resolve({ error, results, sync: !returned }));
    returned = true;
  });
