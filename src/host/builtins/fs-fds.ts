/**
 * The file descriptors one package's `fs` opened: fd-taking calls (`read`, `write`, `fstat`, `close`,
 * `fchmod` …) work only on these (and, for reading, writing and `fstat`, on stdio 0/1/2); any other fd
 * fails with `EBADF`, as an fd that is not open would (another package's fds are not even confirmed to
 * exist). An fd is forgotten when its close is asked (before the kernel frees the number, so a number
 * reused by another package's next open is never this package's), and an fd of a `FileHandle` only as
 * long as the handle lives (a handle collected unclosed is closed by Node and its number reused).
 */
import { invalidType, codedError, systemError } from './fs-paths.js';

/** What was opened: the resolved path it was checked as. */
export interface OpenedFile {
  readonly path: string;
}

export interface FdTable {
  /** Remember `fd`, opened through the checks as `path` (held by `holder` when a FileHandle's). */
  add(fd: number, path: string, holder?: object): void;
  /** The entry of an fd this package opened; otherwise throws EBADF (stdio passes when `stdio`). */
  owned(fd: unknown, syscall: string, stdio?: boolean): OpenedFile | undefined;
  /** Forget `fd` (at the moment its close is asked). */
  forget(fd: number): void;
}

const STDIO = new Set([0, 1, 2]);

/** A fd argument as Node validates it (a 32-bit non-negative integer). */
export const fdNumber = (fd: unknown): number => {
  if (typeof fd !== 'number') throw invalidType('fd', 'of type number', fd);
  if (!Number.isInteger(fd)) throw codedError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "fd" is out of range. It must be an integer. Received ${fd}`);
  if (fd < 0 || fd > 2147483647) throw codedError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "fd" is out of range. It must be >= 0 && <= 2147483647. Received ${fd}`);
  return fd;
};

export const badFd = (syscall: string): Error => systemError('EBADF', -9, 'bad file descriptor', syscall);

export const makeFdTable = (): FdTable => {
  const files = new Map<number, { path: string; holder: WeakRef<object> | undefined }>();
  return Object.freeze({
    add(fd: number, path: string, holder?: object) {
      files.set(fd, { path, holder: holder === undefined ? undefined : new WeakRef(holder) });
    },
    owned(fd: unknown, syscall: string, stdio = false) {
      const number = fdNumber(fd);
      const entry = files.get(number);
      if (entry !== undefined && (entry.holder === undefined || entry.holder.deref() !== undefined)) return { path: entry.path };
      if (entry !== undefined) files.delete(number);
      if (stdio && STDIO.has(number)) return undefined;
      throw badFd(syscall);
    },
    forget(fd: number) {
      files.delete(fd);
    },
  });
};
