/**
 * Node's store for the compile cache (`compile/cache.ts`): one JSON file per compiled module under a
 * folder (by default the app's `node_modules/.cache/cordon/`), over the `fs` and `crypto` the caller
 * passes (`makeNodeCompileCache({ fs, crypto, directory })`).
 *
 * - File `<directory>/<2 hex>/<62 hex>.json`, named by the SHA-256 of the entry's key; the entry holds
 *   its key, which the reader checks (a foreign or moved file is a miss).
 * - Writes are atomic (a temporary file beside the target, then renamed) and best effort: a read-only
 *   or missing folder means the modules are compiled, not an error.
 * - Writes happen off the critical path: `set` keeps the entry (a `get` of it is answered from memory)
 *   and the entries are written by `fs.promises` on Node's thread pool while the application loads
 *   (creating a file costs 0.07–0.9 ms on a VM: a cold load of 640 modules spent 220–280 ms writing
 *   them synchronously). `flush()` settles once they are written; at process exit what was not yet
 *   begun is written synchronously, so a short-lived program still fills its cache.
 * - Bounded: at most `maxBytes` (default 256 MiB); when a process first writes, and at most every ten
 *   minutes, the oldest entries (by modification time) go until the folder is under 80% of it.
 * - The fingerprint names the compiler: a hash of Cordon's compile stage (its built files) and of the
 *   versions of the parser packages and of the TypeScript stripper (amaro), so another Cordon, or the same
 *   one with another stripper, never reads this one's entries as its own.
 */
import type { CompileCache } from '../compile/index.js';

interface CacheFsPromises {
  writeFile(path: string, bytes: Uint8Array | string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  rm(path: string, options?: { force?: boolean }): Promise<void>;
}
interface CacheFs {
  /** Node's `fs.promises`: when given, entries are written in the background. */
  readonly promises?: CacheFsPromises | undefined;
  readFileSync(path: string): Uint8Array;
  readFileSync(path: string, encoding: 'utf8'): string;
  writeFileSync(path: string, bytes: Uint8Array | string): void;
  renameSync(from: string, to: string): void;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  readdirSync(path: string, options: { withFileTypes: true }): { name: string; isDirectory(): boolean; isFile(): boolean }[];
  statSync(path: string): { size: number; mtimeMs: number };
  rmSync(path: string, options?: { force?: boolean }): void;
}
interface Hash {
  update(data: Uint8Array | string): Hash;
  digest(encoding: 'hex'): string;
}
interface CacheCrypto {
  createHash(algorithm: string): Hash;
  randomBytes(size: number): { toString(encoding: 'hex'): string };
}

export interface NodeCompileCacheOptions {
  readonly fs: CacheFs;
  readonly crypto: CacheCrypto;
  /** The folder (a path). */
  readonly directory: string;
  readonly maxBytes?: number | undefined;
  /** Names what else shapes the compiler's output for this caller (added to the fingerprint). */
  readonly salt?: string | undefined;
}

/**
 * What stores still have to write when the process ends: one `exit` listener for all of them (a program
 * that exits at once still fills its cache), however many stores a process makes.
 */
const atExit = new Set<() => void>();
let exitListening = false;
const whenExiting = (write: () => void): void => {
  atExit.add(write);
  if (exitListening) return;
  exitListening = true;
  const host = globalThis as { process?: { once?(event: string, listener: () => void): void } };
  host.process?.once?.('exit', () => {
    for (const each of atExit) each();
  });
};

const PRUNE_MARK = '.pruned';
const PRUNE_EVERY_MS = 10 * 60 * 1000;

/** A hash of Cordon's compile stage as built (every file of dist/compile) and of the parsers it uses. */
const compilerFingerprint = (fs: CacheFs, crypto: CacheCrypto, salt: string): string => {
  const hash = crypto.createHash('sha256');
  hash.update(`cordon-compile\0${salt}\0`);
  const walk = (dir: URL, prefix: string): void => {
    const entries = fs.readdirSync(decodeURIComponent(dir.pathname), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.isDirectory()) walk(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`);
      else if (entry.isFile() && entry.name.endsWith('.js')) hash.update(`${prefix}${entry.name}\0`).update(fs.readFileSync(decodeURIComponent(new URL(entry.name, dir).pathname))).update('\0');
    }
  };
  walk(new URL('../compile/', import.meta.url), '');
  // The parsers' and the TypeScript stripper's versions: under Cordon's own node_modules, or beside it (hoisted).
  for (const name of ['meriyah', 'cjs-module-lexer', 'magic-string', 'amaro']) {
    let version = '?';
    for (const candidate of [`../../node_modules/${name}/package.json`, `../../../${name}/package.json`]) {
      try {
        version = String((JSON.parse(fs.readFileSync(decodeURIComponent(new URL(candidate, import.meta.url).pathname), 'utf8')) as { version?: unknown }).version);
        break;
      } catch {
        // not there
      }
    }
    hash.update(`${name}@${version}\0`);
  }
  return hash.digest('hex');
};

export const makeNodeCompileCache = ({ fs, crypto, directory, maxBytes = 256 * 1024 * 1024, salt = '' }: NodeCompileCacheOptions): CompileCache => {
  const fingerprint = compilerFingerprint(fs, crypto, salt);
  const dir = directory.endsWith('/') ? directory.slice(0, -1) : directory;
  const fileOf = (key: string): string => {
    const name = crypto.createHash('sha256').update(key).digest('hex');
    return `${dir}/${name.slice(0, 2)}/${name.slice(2)}.json`;
  };
  let pruned = false;
  const prune = (keep: string): void => {
    pruned = true;
    const mark = `${dir}/${PRUNE_MARK}`;
    try {
      if (Date.now() - fs.statSync(mark).mtimeMs < PRUNE_EVERY_MS) return;
    } catch {
      // never pruned
    }
    const files: { path: string; size: number; mtimeMs: number }[] = [];
    let total = 0;
    for (const sub of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!sub.isDirectory()) continue;
      for (const entry of fs.readdirSync(`${dir}/${sub.name}`, { withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const path = `${dir}/${sub.name}/${entry.name}`;
        if (path === keep) continue; // the entry just written stays
        const { size, mtimeMs } = fs.statSync(path);
        files.push({ path, size, mtimeMs });
        total += size;
      }
    }
    const kept = fs.statSync(keep).size;
    if (total > maxBytes - kept) {
      files.sort((a, b) => a.mtimeMs - b.mtimeMs);
      for (const file of files) {
        if (total <= maxBytes * 0.8 - kept) break;
        fs.rmSync(file.path, { force: true });
        total -= file.size;
      }
    }
    fs.writeFileSync(mark, '');
  };
  /** Writes one entry now (best effort). */
  const writeNow = (key: string, bytes: Uint8Array): void => {
    const file = fileOf(key);
    const temporary = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
    try {
      fs.mkdirSync(file.slice(0, file.lastIndexOf('/')), { recursive: true });
      fs.writeFileSync(temporary, bytes);
      fs.renameSync(temporary, file);
      if (!pruned) prune(file);
    } catch {
      // Best effort (a read-only folder, a full disk): the module was compiled all the same.
      try {
        fs.rmSync(temporary, { force: true });
      } catch {
        // nothing to remove
      }
    }
  };

  // Without `fs.promises` (a caller's own fs), each entry is written when it is set.
  const promises = fs.promises;
  /** Entries set but not yet begun to be written (a `get` answers from here). */
  const pending = new Map<string, Uint8Array>();
  const madeFolders = new Set<string>();
  let writing: Promise<void> = Promise.resolve();
  let scheduled = false;

  const writeLater = async (key: string, bytes: Uint8Array): Promise<void> => {
    const file = fileOf(key);
    const folder = file.slice(0, file.lastIndexOf('/'));
    const temporary = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
    try {
      if (!madeFolders.has(folder)) {
        await promises!.mkdir(folder, { recursive: true });
        madeFolders.add(folder);
      }
      await promises!.writeFile(temporary, bytes);
      await promises!.rename(temporary, file);
    } catch {
      await promises!.rm(temporary, { force: true }).catch(() => {});
    }
  };

  /** Begins writing every pending entry (on the thread pool), then prunes once. */
  const drain = (): void => {
    scheduled = false;
    if (pending.size === 0) return;
    const batch = [...pending];
    pending.clear();
    atExit.delete(writeRest);
    const written = Promise.all(batch.map(([key, bytes]) => writeLater(key, bytes)));
    writing = Promise.all([writing, written]).then(() => {
      if (pruned) return;
      const [key] = batch[batch.length - 1]!;
      try {
        prune(fileOf(key));
      } catch {
        // Best effort, as the writes.
      }
    });
  };

  const writeRest = (): void => {
    for (const [key, bytes] of pending) writeNow(key, bytes);
    pending.clear();
  };
  const schedule = (): void => {
    whenExiting(writeRest);
    if (scheduled) return;
    scheduled = true;
    const later = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
    if (later) later(drain);
    else void Promise.resolve().then(drain);
  };

  return Object.freeze({
    fingerprint,
    get: (key: string): Uint8Array | undefined => {
      const kept = pending.get(key);
      if (kept !== undefined) return kept;
      try {
        return fs.readFileSync(fileOf(key));
      } catch {
        return undefined;
      }
    },
    set: (key: string, bytes: Uint8Array): void => {
      if (!promises) {
        writeNow(key, bytes);
        return;
      }
      pending.set(key, bytes);
      schedule();
    },
    flush: async (): Promise<void> => {
      drain();
      await writing;
    },
  });
};
