/**
 * The checks of a package's `fs`, one per operation, shared by its sync, callback and promise forms:
 * each `prepare` validates the arguments, asks `access.check` for every path (resolved at this call)
 * and fd (owned by this package), and returns the arguments the real function is called with (the
 * resolved paths, numeric flags), so what runs is what was checked.
 */
import path from 'node:path';
import type { PackageAccess, PermissionName } from '../permissions.js';
import { checkTree, openFlags, pathString, permissionsOfFlags, type PathResolver } from './fs-paths.js';
import type { FdTable } from './fs-fds.js';

/** Everything one package's fs wrappers share. */
export interface FsKit {
  readonly access: PackageAccess;
  readonly resolver: PathResolver;
  readonly fds: FdTable;
  readonly constants: Record<string, number>;
  /** This package's denials of `permission` (for calls on a whole subtree). */
  readonly denials: (permission: PermissionName) => readonly { readonly resource?: string | undefined }[];
  /** The real FileHandle behind a guest one, when `value` is a guest FileHandle. */
  readonly realHandle: (value: unknown) => object | undefined;
}

export type Prepare = (args: unknown[], what: string) => unknown[];

/** An operation: its checks, and what is done with a successful result (`open` remembers its fd). */
export interface Operation {
  readonly prepare: Prepare;
  readonly after?: (result: unknown, prepared: unknown[]) => unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object';

export const makeChecks = (kit: FsKit) => {
  const { access, resolver, fds, constants } = kit;
  const follow = (value: unknown, permissions: readonly PermissionName[], what: string, name = 'path'): string => {
    const resolved = resolver.follow(value, name);
    for (const permission of permissions) access.check(permission, resolved, what);
    return resolved;
  };
  const link = (value: unknown, permissions: readonly PermissionName[], what: string, name = 'path'): string => {
    const resolved = resolver.nofollow(value, name);
    for (const permission of permissions) access.check(permission, resolved, what);
    return resolved;
  };
  const tree = (resolved: string, permissions: readonly PermissionName[], what: string): string => {
    for (const permission of permissions) checkTree(access, () => kit.denials(permission), permission, resolved, what);
    return resolved;
  };
  /** An open of `target` with `flags` (a number): what it needs, resolved as the kernel would follow it. */
  const open = (target: unknown, flags: number, what: string, also: readonly PermissionName[] = []): string => {
    const needs = [...new Set([...permissionsOfFlags(flags, constants), ...also])];
    const nofollow = constants.O_NOFOLLOW !== undefined && (flags & constants.O_NOFOLLOW) !== 0;
    return nofollow ? link(target, needs, what) : follow(target, needs, what);
  };
  /** `readFile`/`writeFile`/`appendFile`'s first argument: an owned fd, a FileHandle, or a path opened with the options' flag. */
  const fileArgument = (target: unknown, options: unknown, fallback: string, what: string, also: readonly PermissionName[]): [unknown, unknown] => {
    if (typeof target === 'number') {
      fds.owned(target, also.includes('write') ? 'write' : 'read', true);
      return [target, options];
    }
    const handle = kit.realHandle(target);
    if (handle !== undefined) return [handle, options];
    const flag = isObject(options) ? options.flag : undefined;
    const flags = openFlags(flag, fallback, constants);
    const resolved = open(target, flags, what, also);
    return [resolved, isObject(options) ? { ...options, flag: flags } : options ?? { flag: flags }];
  };
  return { follow, link, tree, open, fileArgument };
};

/** The operations whose three forms (`xSync`, `x(…, cb)`, `promises.x`) call the host's same-named functions. */
export const makeOperations = (kit: FsKit): Record<string, Operation> => {
  const { fds, access, resolver } = kit;
  const { follow, link, tree, open, fileArgument } = makeChecks(kit);
  const R: PermissionName[] = ['read'];
  const W: PermissionName[] = ['write'];
  const RW: PermissionName[] = ['read', 'write'];
  const recursive = (options: unknown): boolean => isObject(options) && Boolean(options.recursive);
  const ownedFd = (syscall: string, stdio: boolean): Prepare => ([fd, ...rest]) => {
    fds.owned(fd, syscall, stdio);
    return [fd, ...rest];
  };
  const metaFd = (syscall: string): Prepare => ([fd, ...rest], what) => {
    const file = fds.owned(fd, syscall);
    // chmod/chown/utimes through an fd change the file as the path form would: they need write on it.
    if (file !== undefined) access.check('write', file.path, what);
    return [fd, ...rest];
  };
  const operations: Record<string, Operation> = {
    access: { prepare: ([p, ...rest], what) => [follow(p, R, what), ...rest] },
    stat: { prepare: ([p, ...rest], what) => [follow(p, R, what), ...rest] },
    statfs: { prepare: ([p, ...rest], what) => [follow(p, R, what), ...rest] },
    lstat: { prepare: ([p, ...rest], what) => [link(p, R, what), ...rest] },
    readlink: { prepare: ([p, ...rest], what) => [link(p, R, what), ...rest] },
    realpath: { prepare: ([p, ...rest], what) => [follow(p, R, what), ...rest] },
    readdir: { prepare: ([p, options, ...rest], what) => [tree(follow(p, R, what), recursive(options) ? R : [], what), options, ...rest] },
    opendir: { prepare: ([p, options, ...rest], what) => [tree(follow(p, R, what), recursive(options) ? R : [], what), options, ...rest] },
    readFile: { prepare: ([target, options, ...rest], what) => [...fileArgument(target, options, 'r', what, R), ...rest] },
    writeFile: { prepare: ([target, data, options, ...rest], what) => { const [file, opts] = fileArgument(target, options, 'w', what, W); return [file, data, opts, ...rest]; } },
    appendFile: { prepare: ([target, data, options, ...rest], what) => { const [file, opts] = fileArgument(target, options, 'a', what, W); return [file, data, opts, ...rest]; } },
    open: {
      prepare: ([p, flags, ...rest], what) => {
        const numeric = openFlags(flags, 'r', kit.constants);
        return [open(p, numeric, what), numeric, ...rest];
      },
      after: (fd, prepared) => {
        if (typeof fd === 'number') fds.add(fd, prepared[0] as string);
        return fd;
      },
    },
    close: {
      prepare: ([fd, ...rest]) => {
        fds.owned(fd, 'close');
        fds.forget(fd as number);
        return [fd, ...rest];
      },
    },
    read: { prepare: ownedFd('read', true) },
    readv: { prepare: ownedFd('read', true) },
    write: { prepare: ownedFd('write', true) },
    writev: { prepare: ownedFd('write', true) },
    fstat: { prepare: ownedFd('fstat', true) },
    fsync: { prepare: ownedFd('fsync', true) },
    fdatasync: { prepare: ownedFd('fdatasync', true) },
    ftruncate: { prepare: ownedFd('ftruncate', false) },
    fchmod: { prepare: metaFd('fchmod') },
    fchown: { prepare: metaFd('fchown') },
    futimes: { prepare: metaFd('futime') },
    chmod: { prepare: ([p, ...rest], what) => [follow(p, W, what), ...rest] },
    chown: { prepare: ([p, ...rest], what) => [follow(p, W, what), ...rest] },
    utimes: { prepare: ([p, ...rest], what) => [follow(p, W, what), ...rest] },
    lchmod: { prepare: ([p, ...rest], what) => [link(p, W, what), ...rest] },
    lchown: { prepare: ([p, ...rest], what) => [link(p, W, what), ...rest] },
    lutimes: { prepare: ([p, ...rest], what) => [link(p, W, what), ...rest] },
    truncate: {
      prepare: ([target, ...rest], what) => {
        if (typeof target === 'number') {
          fds.owned(target, 'ftruncate');
          return [target, ...rest];
        }
        return [follow(target, W, what), ...rest];
      },
    },
    mkdir: { prepare: ([p, ...rest], what) => [follow(p, W, what), ...rest] },
    mkdtemp: {
      prepare: ([prefix, ...rest], what) => {
        const text = pathString(prefix, 'prefix');
        // The directory made is `<prefix>XXXXXX`: its parent is resolved; the name's start is kept.
        const absolute = path.resolve(resolver.resolveString('.', false), text) + (text.endsWith('/') ? '/' : '');
        const parent = resolver.resolveString(path.dirname(`${absolute}X`), false);
        const start = path.basename(`${absolute}X`).slice(0, -1);
        const resolved = `${parent.endsWith('/') ? parent : `${parent}/`}${start}`;
        access.check('write', `${resolved}XXXXXX`, what);
        return [resolved, ...rest];
      },
    },
    rm: { prepare: ([p, ...rest], what) => [tree(link(p, W, what), W, what), ...rest] },
    rmdir: { prepare: ([p, ...rest], what) => [tree(link(p, W, what), W, what), ...rest] },
    unlink: { prepare: ([p, ...rest], what) => [link(p, W, what), ...rest] },
    rename: {
      prepare: ([from, to, ...rest], what) => {
        // Moving a file out of where it is needs write there, and read: it lands where the package may read it.
        const source = tree(link(from, RW, what, 'oldPath'), RW, what);
        const target = tree(link(to, W, what, 'newPath'), W, what);
        return [source, target, ...rest];
      },
    },
    copyFile: { prepare: ([from, to, ...rest], what) => [follow(from, R, what, 'src'), follow(to, W, what, 'dest'), ...rest] },
    link: {
      prepare: ([existing, made, ...rest], what) => {
        // A hard link shares the file: making one needs what using the file would (read and write).
        const source = follow(existing, RW, what, 'existingPath');
        return [source, link(made, W, what, 'newPath'), ...rest];
      },
    },
    symlink: {
      prepare: ([target, made, ...rest], what) => {
        const text = pathString(target, 'target');
        const resolvedLink = link(made, W, what);
        // What the link points to, as it would be followed from its directory: needs read and write, so a
        // package cannot plant a link to a file it may not use (for whatever follows links without Cordon).
        const pointed = resolver.follow(text, 'target', path.dirname(resolvedLink));
        access.check('read', pointed, what);
        access.check('write', pointed, what);
        return [text, resolvedLink, ...rest];
      },
    },
  };
  return operations;
};
