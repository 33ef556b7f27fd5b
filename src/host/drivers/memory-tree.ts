/**
 * The in-memory driver's tree: directories, files and symlinks with modes and times, and the path walk
 * every operation starts with (POSIX rules: `..` is taken after the symlinks before it are followed, an
 * intermediate file is ENOTDIR, more than 40 symlinks on one walk is ELOOP).
 */
import { fsError } from './errors.js';

export interface MemoryMeta {
  mode: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
  ino: number;
}

export interface MemoryFile extends MemoryMeta { readonly kind: 'file'; data: Uint8Array }
export interface MemoryDirectory extends MemoryMeta { readonly kind: 'directory'; readonly entries: Map<string, MemoryNode> }
export interface MemorySymlink extends MemoryMeta { readonly kind: 'symlink'; readonly target: string }
export type MemoryNode = MemoryFile | MemoryDirectory | MemorySymlink;

/** The most symlinks one walk follows (Linux's limit). */
export const MAX_SYMLINKS = 40;

/** Where a walk ended: the directory that holds the last name, the name, and what it names (if anything). */
export interface WalkResult {
  /** The real directories from the root to `parent` (inclusive): for the subtree checks of `rename`. */
  readonly chain: readonly MemoryDirectory[];
  readonly parent: MemoryDirectory;
  /** `''` when the path names the root. */
  readonly name: string;
  readonly node: MemoryNode | undefined;
  /** The real path of what the walk ended on (symlinks resolved). */
  readonly realPath: string;
}

const split = (path: string): string[] => path.split('/').filter(part => part !== '' && part !== '.');

/**
 * Walks `path` (absolute) from `root`. `followLast`: a symlink as the last name is followed (a path
 * with a trailing slash always follows and must end on a directory). Throws ENOENT for a missing
 * directory on the way, ENOTDIR for a non-directory on the way, ELOOP after too many symlinks.
 */
export const walk = (root: MemoryDirectory, path: string, followLast: boolean, syscall: string): WalkResult => {
  const trailingSlash = path.length > 1 && path.endsWith('/');
  const follow = followLast || trailingSlash;
  const queue = split(path);
  const chain: MemoryDirectory[] = [root];
  const names: string[] = [];
  let hops = 0;
  const here = (): WalkResult => {
    const node = chain[chain.length - 1]!;
    const parent = chain.length > 1 ? chain[chain.length - 2]! : root;
    return { chain: chain.slice(0, -1).length ? chain.slice(0, -1) : [root], parent, name: names[names.length - 1] ?? '', node, realPath: `/${names.join('/')}` };
  };
  while (queue.length > 0) {
    const part = queue.shift()!;
    const last = queue.length === 0;
    if (part === '..') {
      if (chain.length > 1) {
        chain.pop();
        names.pop();
      }
      if (last) return here();
      continue;
    }
    const directory = chain[chain.length - 1]!;
    const child = directory.entries.get(part);
    if (child?.kind === 'symlink' && (!last || follow)) {
      hops += 1;
      if (hops > MAX_SYMLINKS) throw fsError('ELOOP', syscall, path);
      if (child.target.startsWith('/')) {
        chain.length = 1;
        names.length = 0;
      }
      queue.unshift(...split(child.target));
      if (queue.length === 0) return here();
      continue;
    }
    if (last) {
      if (trailingSlash && child !== undefined && child.kind !== 'directory') throw fsError('ENOTDIR', syscall, path);
      return { chain: [...chain], parent: directory, name: part, node: child, realPath: `/${[...names, part].join('/')}` };
    }
    if (child === undefined) throw fsError('ENOENT', syscall, path);
    if (child.kind !== 'directory') throw fsError('ENOTDIR', syscall, path);
    chain.push(child);
    names.push(part);
  }
  return here();
};

/** A fresh node's times and number. */
export const freshMeta = (mode: number, now: number, ino: number): MemoryMeta => ({ mode, atimeMs: now, mtimeMs: now, ctimeMs: now, birthtimeMs: now, ino });
