/**
 * `cordon run --fs=memory [--snapshot FILE]` in one object: an in-memory filesystem (loaded from the
 * snapshot file when it exists), the Node-`fs`-shaped facade over it, a `hostBuiltin` for the host
 * bridge that hands that facade out as the host's `fs` and `fs/promises` (so each package's
 * permission-checked `fs` wraps the memory, not the disk), and `flush()` that writes the snapshot back.
 */
import { makeMemoryDriver, type MemoryDriverOptions } from './memory.js';
import { makeNodeFs } from './node-fs.js';
import { makeSnapshotFileStore } from '../contract-host.js';
import type { PersistentFilesystemDriver } from './types.js';

export interface MemoryFsHostOptions extends MemoryDriverOptions {
  /** The snapshot file: loaded at once if it exists, written by `flush()`. */
  readonly snapshot?: string | undefined;
  /** The guest's working directory (read at each call); made in memory at start, so relative paths work. */
  readonly cwd: () => string;
  /** Every other builtin, by name without `node:` (the host's real ones). */
  readonly fallback: (name: string) => unknown;
  /** Directories made at start besides the working directory (`os.tmpdir()` …). */
  readonly directories?: readonly string[];
}

export interface MemoryFsHost {
  readonly driver: PersistentFilesystemDriver;
  /** The facade: what `require('fs')` is on the host side of the bridge. */
  readonly fs: Record<string, any>;
  /** For `makeHostBridge({ hostBuiltin })`: `fs` and `fs/promises` from memory, the rest from `fallback`. */
  hostBuiltin(name: string): unknown;
  /** Writes the snapshot file (atomically); does nothing without one. Synchronous: safe in `process.on('exit')`. */
  flush(): void;
}

export const makeMemoryFsHost = (options: MemoryFsHostOptions): MemoryFsHost => {
  const { snapshot, cwd, fallback } = options;
  const driver = makeMemoryDriver({ ...(options.now ? { now: options.now } : {}), umask: options.umask ?? process.umask() });
  const store = snapshot === undefined ? undefined : makeSnapshotFileStore(snapshot);
  const loaded = store?.loadSync();
  if (loaded) driver.load(loaded);
  for (const dir of [cwd(), ...(options.directories ?? [])]) driver.mkdir(dir, true);
  const facade = makeNodeFs(driver, { cwd });
  return Object.freeze({
    driver,
    fs: facade,
    hostBuiltin: (name: string): unknown => (name === 'fs' ? facade : name === 'fs/promises' ? facade.promises : fallback(name)),
    flush: (): void => {
      if (store) store.flushSync(driver.flush());
    },
  });
};
