/**
 * A package's own `fs` and `fs/promises` (`fs.promises` is its `fs/promises`): every entry point checks
 * the package's grants at the call — read for what reads (`readFile`, `stat`, `readdir`, `realpath`,
 * `watch`, `open` with read flags …), write for what changes the file system (`writeFile`, `mkdir`,
 * `rm`, `rename` (both sides; the source needs read too), `chmod` …, `open` with write flags), both for
 * a hard link's file and for what a new symlink points to. Paths are resolved at every call (symlinks
 * with the wrapped fs's own `realpath`) and the real function is called with the resolved path; fds
 * work only when this package opened them. Sync forms throw, callback forms pass a denial to the
 * callback (asynchronously; invalid arguments throw, as in Node), promise forms reject.
 * `exists`/`existsSync` answer `false` for a path the package may not read (as for one that is absent).
 * Functions of the host's `fs` this file does not know (a newer Node's) need `--allow-run`.
 */
// Not `import … from 'node:process'`: its ES module facade reads every getter, opening stdin.
const { nextTick } = globalThis.process;
import type { PackageAccess } from '../permissions.js';
import type { BridgeContext } from './types.js';
import { gateValue } from './gated.js';
import { invalidType, makePathResolver, openFlags } from './fs-paths.js';
import { makeFdTable } from './fs-fds.js';
import { makeChecks, makeOperations, type FsKit, type Operation } from './fs-core.js';
import { makeStreamClasses } from './fs-streams.js';
import { makeWatchers } from './fs-watch.js';
import { makeFileHandles, type FileHandles } from './fs-handles.js';
import { cpAsync, cpSync } from './fs-cp.js';
import { makeGlob } from './fs-glob.js';

type AnyFs = Record<string, any>;
type Fn = (...args: any[]) => any;

/** Invalid arguments throw at once in every form, as in Node; other failures go where the form sends errors. */
const isValidation = (error: unknown): boolean => error instanceof TypeError || error instanceof RangeError;

const DATA_MEMBERS = new Set(['constants', 'F_OK', 'R_OK', 'W_OK', 'X_OK', 'Stats', 'Dirent', 'Dir', 'StatsFs', '_toUnixTimestamp']);

export const makeGuestFs = (access: PackageAccess, realFs: AnyFs, context: BridgeContext): AnyFs => {
  const bind = (fn: unknown, self: unknown): Fn | undefined => (typeof fn === 'function' ? (fn as Fn).bind(self) : undefined);
  const realPromises: AnyFs | undefined = realFs.promises;
  const constants: Record<string, number> = realFs.constants ?? {};
  const realpathSync = realFs.realpathSync as Fn & { native?: Fn };
  const resolver = makePathResolver({ realpath: bind(realpathSync.native ?? realpathSync, realFs)!, lstat: bind(realFs.lstatSync, realFs)!, readlink: bind(realFs.readlinkSync, realFs)! }, () => context.cwd());
  const fds = makeFdTable();
  let handles: FileHandles | undefined;
  const kit: FsKit = {
    access,
    resolver,
    fds,
    constants,
    denials: permission => context.engine.permissions.deny[permission],
    realHandle: value => handles?.realOf(value),
  };
  const operations = makeOperations(kit);
  const checks = makeChecks(kit);
  const guest: AnyFs = {};
  const promises: AnyFs = {};

  const syncForm = (name: string, real: Fn, op: Operation): Fn =>
    function (...args: unknown[]) {
      const prepared = op.prepare(args, `fs.${name}`);
      const result = Reflect.apply(real, realFs, prepared);
      return op.after ? op.after(result, prepared) : result;
    };
  const callbackForm = (name: string, real: Fn, op: Operation): Fn =>
    function (...args: unknown[]) {
      let cb = args[args.length - 1];
      if (typeof cb === 'function') args.pop();
      else if (name === 'close') cb = () => undefined;
      else throw invalidType('cb', 'of type function', cb);
      const callback = cb as Fn;
      let prepared: unknown[];
      try {
        prepared = op.prepare(args, `fs.${name}`);
      } catch (error) {
        if (isValidation(error)) throw error;
        nextTick(callback, error);
        return;
      }
      const done = op.after ? (error: unknown, ...results: unknown[]) => (error ? callback(error) : callback(null, op.after!(results[0], prepared), ...results.slice(1))) : callback;
      Reflect.apply(real, realFs, [...prepared, done]);
    };
  const promiseForm = (name: string, real: Fn, op: Operation): Fn =>
    async function (...args: unknown[]) {
      const prepared = op.prepare(args, `fsPromises.${name}`);
      const result = await Reflect.apply(real, realPromises, prepared);
      return op.after ? op.after(result, prepared) : result;
    };

  for (const [name, op] of Object.entries(operations)) {
    const sync = bind(realFs[`${name}Sync`], realFs);
    const callback = bind(realFs[name], realFs);
    const promise = bind(realPromises?.[name], realPromises);
    if (sync) guest[`${name}Sync`] = syncForm(`${name}Sync`, sync, op);
    if (callback) guest[name] = callbackForm(name, callback, op);
    if (promise) promises[name] = promiseForm(name, promise, op);
  }
  const realpathOp = operations.realpath!;
  if (guest.realpathSync && realpathSync.native) guest.realpathSync.native = syncForm('realpathSync.native', bind(realpathSync.native, realFs)!, realpathOp);
  if (guest.realpath && realFs.realpath?.native) guest.realpath.native = callbackForm('realpath.native', bind(realFs.realpath.native, realFs)!, realpathOp);

  const readable = (value: unknown, what: string): string => checks.follow(value, ['read'], what);
  const realExistsSync = bind(realFs.existsSync, realFs);
  if (realExistsSync) {
    guest.existsSync = (value: unknown) => {
      try {
        return realExistsSync(readable(value, 'fs.existsSync'));
      } catch {
        return false;
      }
    };
  }
  const realExists = bind(realFs.exists, realFs);
  if (realExists) {
    guest.exists = (value: unknown, cb: unknown) => {
      if (typeof cb !== 'function') throw invalidType('cb', 'of type function', cb);
      let resolved: string;
      try {
        resolved = readable(value, 'fs.exists');
      } catch {
        return void nextTick(cb as Fn, false);
      }
      realExists(resolved, cb);
    };
  }
  const realOpenAsBlob = bind(realFs.openAsBlob, realFs);
  if (realOpenAsBlob) guest.openAsBlob = (value: unknown, options?: unknown) => realOpenAsBlob(readable(value, 'fs.openAsBlob'), options);

  // Streams, FileHandles, watchers, cp, glob: their own files.
  const open = guest.open as Fn;
  const streams = makeStreamClasses({
    open: (p, flags, mode, cb) => open(p, flags, mode, cb),
    read: guest.read as Fn,
    write: guest.write as Fn,
    close: guest.close as Fn,
    owned: fd => void fds.owned(fd, 'read', true),
    check: (p, flags, what) => void checks.open(p, flags, what),
    handleFile: value => handles?.fileOf(value),
    constants,
  });
  guest.ReadStream = guest.FileReadStream = streams.ReadStream;
  guest.WriteStream = guest.FileWriteStream = streams.WriteStream;
  guest.createReadStream = streams.createReadStream;
  guest.createWriteStream = streams.createWriteStream;
  handles = makeFileHandles({ access, fds, createReadStream: streams.createReadStream, createWriteStream: streams.createWriteStream });
  const wrapHandle = handles.wrap;
  const realPromisesOpen = bind(realPromises?.open, realPromises);
  if (realPromisesOpen) {
    promises.open = async (value: unknown, flags?: unknown, mode?: unknown) => {
      const numeric = openFlags(flags, 'r', constants);
      const resolved = checks.open(value, numeric, 'fsPromises.open');
      return wrapHandle(await realPromisesOpen(resolved, numeric, mode), resolved);
    };
  }

  const watchers = makeWatchers({
    resolver,
    realFs,
    realPromises,
    checkRead: (value, recursive, what) => checks.tree(readable(value, what), recursive ? ['read'] : [], what),
  });
  // Only the names the host's fs has (Node 20's has neither): a package sees the keys Node gives it.
  if ('FSWatcher' in realFs) guest.FSWatcher = watchers.FSWatcher;
  if ('StatWatcher' in realFs) guest.StatWatcher = watchers.StatWatcher;
  if (watchers.watch) guest.watch = watchers.watch;
  if (watchers.watchFile) guest.watchFile = watchers.watchFile;
  if (watchers.unwatchFile) guest.unwatchFile = watchers.unwatchFile;
  if (watchers.promisesWatch) promises.watch = watchers.promisesWatch;

  const cwd = () => context.cwd();
  // cp walks with the checked functions as made here (not as the package may later replace them on its fs).
  const syncFns = { ...guest };
  const promiseFns = { ...promises };
  if (realFs.cpSync) guest.cpSync = (src: unknown, dest: unknown, options?: unknown) => cpSync(syncFns, cwd, src, dest, options);
  if (realFs.cp) {
    guest.cp = (src: unknown, dest: unknown, options: unknown, cb?: unknown) => {
      const callback = typeof options === 'function' ? options : cb;
      if (typeof callback !== 'function') throw invalidType('cb', 'of type function', callback);
      cpAsync(promiseFns, cwd, src, dest, typeof options === 'function' ? undefined : options).then(() => callback(null), callback as Fn);
    };
  }
  if (realPromises?.cp) promises.cp = (src: unknown, dest: unknown, options?: unknown) => cpAsync(promiseFns, cwd, src, dest, options);

  const glob = makeGlob({ realFs, realPromises, cwd, resolveDirectory: (value, what) => checks.tree(readable(value ?? '.', what), ['read'], what), allows: p => access.allows('read', resolver.resolveString(p, true)) });
  if (glob.globSync) guest.globSync = glob.globSync;
  if (glob.glob) guest.glob = glob.glob;
  if (glob.promisesGlob) promises.glob = glob.promisesGlob;

  // What is left: data members as they are; functions this file does not know need all of `run`.
  for (const key of Reflect.ownKeys(realFs)) {
    if (typeof key !== 'string' || key in guest || key === 'promises') continue;
    const value = Reflect.get(realFs, key, realFs);
    // Enumerable as on the host (Node 24 keeps its deprecated F_OK … as non-enumerable members).
    const enumerable = Object.getOwnPropertyDescriptor(realFs, key)?.enumerable ?? true;
    Object.defineProperty(guest, key, { value: DATA_MEMBERS.has(key) || typeof value !== 'function' ? value : gateValue(access, value, `fs.${key}`), writable: true, enumerable, configurable: true });
  }
  for (const key of Reflect.ownKeys(realPromises ?? {})) {
    if (typeof key !== 'string' || key in promises) continue;
    const value = Reflect.get(realPromises!, key, realPromises);
    promises[key] = key === 'constants' || typeof value !== 'function' ? value : gateValue(access, value, `fsPromises.${key}`);
  }
  guest.promises = promises;
  return guest;
};

/** The package's `fs/promises`: its `fs.promises` (one object, one fd table). */
export const makeGuestFsPromises = (access: PackageAccess, _real: unknown, context: BridgeContext): unknown =>
  (context.guestBuiltin(access, 'fs') as AnyFs).promises;

