/**
 * Node's shape for a failed filesystem call: an `Error` with `errno` (negative, as libuv's), `code`
 * (`ENOENT` …), `syscall`, `path` and, for two-path calls, `dest`; the message as Node writes it
 * (`ENOENT: no such file or directory, open '/x'`). The in-memory driver and the fs facade fail with it.
 */
import os from 'node:os';

const DESCRIPTIONS: Readonly<Record<string, string>> = Object.freeze({
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  ENOTEMPTY: 'directory not empty',
  ELOOP: 'too many symbolic links encountered',
  EINVAL: 'invalid argument',
  EBADF: 'bad file descriptor',
  EBUSY: 'resource busy or locked',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EXDEV: 'cross-device link not permitted',
  EMFILE: 'too many open files',
});

const ERRNO = os.constants.errno as Readonly<Record<string, number>>;

/** A filesystem error with code `code`, in Node's shape. */
export interface FsError extends Error {
  readonly errno: number;
  readonly code: string;
  readonly syscall: string;
  readonly path?: string;
  readonly dest?: string;
}

export const fsError = (code: string, syscall: string, path?: string, dest?: string): FsError => {
  const where = path === undefined ? '' : dest === undefined ? ` '${path}'` : ` '${path}' -> '${dest}'`;
  const error = new Error(`${code}: ${DESCRIPTIONS[code] ?? 'unknown error'}, ${syscall}${where}`) as Error & Record<string, unknown>;
  error.errno = -(ERRNO[code] ?? 0);
  error.code = code;
  error.syscall = syscall;
  if (path !== undefined) error.path = path;
  if (dest !== undefined) error.dest = dest;
  return error as unknown as FsError;
};

/** Whether `error` is a filesystem error with code `code`. */
export const hasCode = (error: unknown, code: string): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;

/** Node's argument errors (`ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE` …). */
export const argumentError = (code: string, message: string, Kind: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor = TypeError): Error => {
  const error = new Kind(message) as Error & { code?: string };
  error.code = code;
  return error;
};
