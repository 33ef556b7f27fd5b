/**
 * `realpath` over any driver: every symlink on the way resolved (at most 40 on one path: ELOOP),
 * `..` taken after the symlinks before it, a missing name ENOENT, a file on the way ENOTDIR.
 */
import path from 'node:path';
import { fsError } from './errors.js';
import type { FilesystemDriver } from './types.js';

const split = (given: string): string[] => given.split('/').filter(part => part !== '' && part !== '.');

/**
 * The real path of `given` (absolute) on `driver`. Errors carry `syscall` (`realpath` as
 * `fs.realpathSync.native` reports them, with the path asked for; `lstat` as `fs.realpathSync`
 * reports them, with the path that failed).
 */
export const realpathOf = (driver: FilesystemDriver, given: string, syscall: 'realpath' | 'lstat' = 'realpath'): string => {
  const queue = split(given);
  let resolved = '/';
  let hops = 0;
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '..') {
      resolved = path.posix.dirname(resolved);
      continue;
    }
    const candidate = resolved === '/' ? `/${part}` : `${resolved}/${part}`;
    let type: string;
    try {
      type = driver.lstat(candidate).type;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string') throw fsError(code, syscall, syscall === 'realpath' ? given : candidate);
      throw error;
    }
    if (type === 'symlink') {
      hops += 1;
      if (hops > 40) throw fsError('ELOOP', syscall, syscall === 'realpath' ? given : candidate);
      const target = driver.readlink(candidate);
      if (target.startsWith('/')) resolved = '/';
      queue.unshift(...split(target));
      continue;
    }
    if (type !== 'directory' && queue.length > 0) throw fsError('ENOTDIR', syscall, syscall === 'realpath' ? given : candidate);
    resolved = candidate;
  }
  return resolved;
};
