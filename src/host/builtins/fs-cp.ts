/**
 * A package's `fs.cp`/`cpSync`/`fsPromises.cp`: the copy walks the tree itself through the package's
 * own checked functions (`lstat`, `readdir`, `mkdir`, `copyFile`, `readlink`, `symlink` …), so every
 * file read and every file written is checked, links included (Node's `cp` would walk with the
 * unchecked fs, and `dereference` would copy what links outside point to). One walk (a generator of
 * steps) serves the sync and the async forms. Options: `recursive`, `force`, `errorOnExist`,
 * `dereference`, `filter`, `preserveTimestamps`, `verbatimSymlinks`, `mode`.
 */
import path from 'node:path';
import { codedError, pathString } from './fs-paths.js';

type Step = readonly [string, ...unknown[]];
type Stats = { isDirectory(): boolean; isSymbolicLink(): boolean; atime: Date; mtime: Date };
type Walk = Generator<Step, void, any>;

interface CpOptions {
  recursive?: boolean;
  force?: boolean;
  errorOnExist?: boolean;
  dereference?: boolean;
  filter?: (src: string, dest: string) => boolean | Promise<boolean>;
  preserveTimestamps?: boolean;
  verbatimSymlinks?: boolean;
  mode?: number;
}

const cpError = (code: string, message: string): Error => codedError(Error, code, message);

function* copy(src: string, dest: string, options: CpOptions, top: boolean): Walk {
  if (options.filter && !(yield ['filter', src, dest])) return;
  const stats: Stats = yield [options.dereference ? 'stat' : 'lstat', src];
  const existing: Stats | undefined = yield ['lstatOrNothing', dest];
  if (stats.isDirectory()) {
    if (!options.recursive) throw cpError('ERR_FS_EISDIR', `Recursive option is required to copy a directory: ${src}`);
    if (top && (dest === src || dest.startsWith(`${src}/`))) throw cpError('ERR_FS_CP_EINVAL', `cannot copy ${src} to a subdirectory of self ${dest}`);
    if (existing === undefined) yield ['mkdir', dest, { recursive: true }];
    else if (!existing.isDirectory()) throw cpError('ERR_FS_CP_DIR_TO_NON_DIR', `cannot overwrite non-directory ${dest} with directory ${src}`);
    const names: string[] = yield ['readdir', src];
    for (const name of names) yield* copy(path.join(src, name), path.join(dest, name), options, false);
    return;
  }
  if (existing !== undefined) {
    if (existing.isDirectory()) throw cpError('ERR_FS_CP_NON_DIR_TO_DIR', `cannot overwrite directory ${dest} with non-directory ${src}`);
    if (options.force === false) {
      if (options.errorOnExist) throw cpError('ERR_FS_CP_EEXIST', `${dest} already exists`);
      return;
    }
  }
  if (stats.isSymbolicLink()) {
    let target: string = yield ['readlink', src];
    if (!options.verbatimSymlinks && !path.isAbsolute(target)) target = path.resolve(path.dirname(src), target);
    if (existing !== undefined) yield ['unlink', dest];
    yield ['symlink', target, dest];
    return;
  }
  yield ['copyFile', src, dest, options.mode ?? 0];
  if (options.preserveTimestamps) yield ['utimes', dest, stats.atime, stats.mtime];
}

/** The steps' functions, sync (`xSync`) or promise-returning (`x`), all of them the package's checked ones. */
export type CpFunctions = Record<string, (...args: any[]) => any>;

/** A destination that is not there, or that the package may write but not read (then written as if absent). */
const absent = (error: unknown): boolean => {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ENOENT' || code === 'ERR_ACCESS_DENIED';
};

const stepOf = (fns: CpFunctions, step: Step, sync: boolean, options: CpOptions): any => {
  const [name, ...args] = step;
  const call = (fn: string, ...rest: unknown[]) => fns[sync ? `${fn}Sync` : fn]!(...rest);
  switch (name) {
    case 'filter':
      return options.filter!(args[0] as string, args[1] as string);
    case 'lstatOrNothing': {
      if (sync) {
        try {
          return call('lstat', args[0]);
        } catch (error) {
          if (absent(error)) return undefined;
          throw error;
        }
      }
      return (call('lstat', args[0]) as Promise<unknown>).catch((error: unknown) => {
        if (absent(error)) return undefined;
        throw error;
      });
    }
    default:
      return call(name, ...args);
  }
};

const start = (src: unknown, dest: unknown, given: unknown, cwd: string): [string, string, CpOptions] => {
  const options = (given !== null && typeof given === 'object' ? { ...(given as CpOptions) } : {}) as CpOptions;
  return [path.resolve(cwd, pathString(src, 'src')), path.resolve(cwd, pathString(dest, 'dest')), options];
};

export const cpSync = (fns: CpFunctions, cwd: () => string, src: unknown, dest: unknown, given?: unknown): void => {
  const [from, to, options] = start(src, dest, given, cwd());
  const walk = copy(from, to, options, true);
  let next = walk.next();
  while (!next.done) {
    let value: unknown;
    try {
      value = stepOf(fns, next.value, true, options);
    } catch (error) {
      next = walk.throw(error);
      continue;
    }
    next = walk.next(value);
  }
};

export const cpAsync = async (fns: CpFunctions, cwd: () => string, src: unknown, dest: unknown, given?: unknown): Promise<void> => {
  const [from, to, options] = start(src, dest, given, cwd());
  const walk = copy(from, to, options, true);
  let next = walk.next();
  while (!next.done) {
    let value: unknown;
    try {
      value = await stepOf(fns, next.value, false, options);
    } catch (error) {
      next = walk.throw(error);
      continue;
    }
    next = walk.next(value);
  }
};
