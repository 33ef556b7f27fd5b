/**
 * How a package's `fs` turns what it was given into the one path it checks and then uses:
 * - a path argument (string, Buffer/Uint8Array, `file:` URL object) becomes a string once, validated as
 *   Node validates it (null bytes → `ERR_INVALID_ARG_VALUE`, other types → `ERR_INVALID_ARG_TYPE`); a
 *   string `file:…` is a relative path, as in Node;
 * - it is made absolute against the package's working directory at the call, and every symlink of it
 *   is resolved with the wrapped fs's own `realpath`, at every call (`follow`); a dangling link is
 *   followed to where the kernel would create the file; for calls on a link itself (`lstat`, `unlink`,
 *   `rename` …) only its directory is resolved (`nofollow`);
 * - the real function is then called with that resolved path, never with the package's value.
 */
import path from 'node:path';
import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { PackageAccess, PermissionName } from '../permissions.js';
import { resolvePath } from '../resources.js';

/** A Node-style error with a `code` (validation errors are TypeErrors, as Node's are). */
export const codedError = (Kind: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor, code: string, message: string): Error => {
  const error = new Kind(message) as Error & { code: string };
  error.code = code;
  return error;
};

/** The error a system call fails with (`EBADF: bad file descriptor, read`). */
export const systemError = (code: string, errno: number, text: string, syscall: string): Error => {
  const error = new Error(`${code}: ${text}, ${syscall}`) as Error & Record<string, unknown>;
  error.errno = errno;
  error.code = code;
  error.syscall = syscall;
  return error;
};

const describe = (value: unknown): string => {
  if (value === null || value === undefined) return ` Received ${String(value)}`;
  if (typeof value === 'function') return ` Received function ${(value as { name?: string }).name || '<anonymous>'}`;
  if (typeof value === 'object') return ` Received an instance of ${(value as object).constructor?.name ?? 'Object'}`;
  return ` Received type ${typeof value} (${inspect(value)})`;
};

export const invalidType = (name: string, expected: string, value: unknown): Error =>
  codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" argument must be ${expected}.${describe(value)}`);

/** The href of a URL (or an object Node takes for one: `href`, `protocol`, no `auth`/`path`), read once. */
const urlHref = (value: object): string | undefined => {
  const candidate = value as Record<string, unknown>;
  const href = candidate.href;
  return href && candidate.protocol && candidate.auth === undefined && candidate.path === undefined ? String(href) : undefined;
};

/** The string a path argument stands for, validated as Node validates it; read once (no getter is asked twice). */
export const pathString = (value: unknown, name = 'path'): string => {
  let text: string;
  let href: string | undefined;
  if (typeof value === 'string') text = value;
  else if (value instanceof Uint8Array) text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  else if (value !== null && typeof value === 'object' && (href = urlHref(value)) !== undefined) {
    // A fresh URL from the href read once: an object whose getters change between reads cannot pick another path.
    text = fileURLToPath(new URL(href));
  } else {
    throw invalidType(name, 'of type string or an instance of Buffer or URL', value);
  }
  if (text.includes('\u0000')) {
    throw codedError(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument '${name}' must be a string, Uint8Array, or URL without null bytes. Received ${inspect(value)}`);
  }
  return text;
};

/** The parts of the wrapped fs that resolving needs (captured once, at factory time). */
export interface ResolverFs {
  realpath(p: string): string;
  lstat(p: string): { isSymbolicLink(): boolean };
  readlink(p: string): string;
}

const MAX_HOPS = 40;

/** Resolution of a package's paths through `realFs`, relative to `cwd()` at each call. */
export interface PathResolver {
  /** Every symlink resolved, dangling ones too. */
  follow(value: unknown, name?: string, base?: string): string;
  /** The directory resolved, the last component kept (the call acts on a link itself). */
  nofollow(value: unknown, name?: string): string;
  /** `follow` or `nofollow` of an already validated string. */
  resolveString(text: string, last: boolean, base?: string): string;
}

export const makePathResolver = (realFs: ResolverFs, cwd: () => string): PathResolver => {
  const { realpath, lstat, readlink } = realFs;
  /** The deepest entry of `absolute` that exists, when it is a symlink (realpath could not resolve it). */
  const danglingLink = (absolute: string): [string, string] | undefined => {
    let candidate = absolute;
    for (let depth = 0; depth < 4096; depth++) {
      try {
        return lstat(candidate).isSymbolicLink() ? [candidate, path.relative(candidate, absolute)] : undefined;
      } catch {
        const parent = path.dirname(candidate);
        if (parent === candidate) return undefined;
        candidate = parent;
      }
    }
    return undefined;
  };
  const followAbsolute = (absolute: string): string => {
    try {
      return realpath(absolute);
    } catch {
      // Some part does not exist (or is a dangling link): resolve what exists, then follow dangling links.
    }
    let current = resolvePath(absolute, '/', realpath);
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const found = danglingLink(current);
      if (found === undefined) return current;
      const [link, rest] = found;
      let target: string;
      try {
        target = readlink(link);
      } catch {
        return current;
      }
      current = resolvePath(path.join(path.resolve(path.dirname(link), target), rest), '/', realpath);
    }
    throw systemError('ELOOP', -40, 'too many symbolic links encountered', 'open');
  };
  const resolveString = (text: string, last: boolean, base: string = cwd()): string => {
    const absolute = path.resolve(base, text);
    if (!last) return followAbsolute(absolute);
    const parent = path.dirname(absolute);
    if (parent === absolute) return absolute;
    return path.join(followAbsolute(parent), path.basename(absolute));
  };
  return Object.freeze({
    follow: (value: unknown, name = 'path', base?: string) => resolveString(pathString(value, name), false, base),
    nofollow: (value: unknown, name = 'path') => resolveString(pathString(value, name), true),
    resolveString,
  });
};

/** Which permissions an open with `flags` (a number, after `openFlags`) needs. */
export const permissionsOfFlags = (flags: number, constants: Record<string, number>): PermissionName[] => {
  const mode = flags & 3;
  const needs: PermissionName[] = [];
  if (mode === constants.O_RDONLY || mode === constants.O_RDWR) needs.push('read');
  const writeBits = (constants.O_CREAT ?? 0) | (constants.O_TRUNC ?? 0) | (constants.O_APPEND ?? 0);
  if (mode === constants.O_WRONLY || mode === constants.O_RDWR || (flags & writeBits) !== 0) needs.push('write');
  return needs;
};

/** Node's string flags (`'r'`, `'wx+'` …) as the number the real call gets; an unknown one fails as in Node. */
export const openFlags = (flags: unknown, fallback: string, constants: Record<string, number>): number => {
  if (typeof flags === 'number') return flags;
  const given = flags === undefined || flags === null ? fallback : flags;
  const c = (name: string): number => constants[name] ?? 0;
  const read = c('O_RDONLY'), rw = c('O_RDWR'), wo = c('O_WRONLY'), sync = c('O_SYNC');
  const create = c('O_CREAT'), trunc = c('O_TRUNC'), excl = c('O_EXCL'), append = c('O_APPEND');
  const table: Record<string, number> = {
    r: read, rs: read | sync, sr: read | sync, 'r+': rw, 'rs+': rw | sync, 'sr+': rw | sync,
    w: trunc | create | wo, wx: trunc | create | wo | excl, xw: trunc | create | wo | excl,
    'w+': trunc | create | rw, 'wx+': trunc | create | rw | excl, 'xw+': trunc | create | rw | excl,
    a: append | create | wo, ax: append | create | wo | excl, xa: append | create | wo | excl,
    as: append | create | wo | sync, sa: append | create | wo | sync,
    'a+': append | create | rw, 'ax+': append | create | rw | excl, 'xa+': append | create | rw | excl,
    'as+': append | create | rw | sync, 'sa+': append | create | rw | sync,
  };
  if (typeof given === 'string' && Object.hasOwn(table, given)) return table[given]!;
  throw codedError(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument 'flags' is invalid. Received ${inspect(given)}`);
};

/**
 * `access.check(permission, resolved)`, and, for a call that reaches a whole subtree (recursive `rm`,
 * `cp`, `rename` of a directory, recursive `readdir`/`watch`), each denial this package has inside it.
 */
export const checkTree = (access: PackageAccess, denials: () => readonly { readonly resource?: string | undefined }[], permission: PermissionName, resolved: string, what: string): void => {
  access.check(permission, resolved, what);
  const prefix = resolved.endsWith('/') ? resolved : `${resolved}/`;
  for (const rule of denials()) {
    const resource = rule.resource;
    if (resource !== undefined && resource.startsWith(prefix) && !access.allows(permission, resource)) access.check(permission, resource, what);
  }
};
