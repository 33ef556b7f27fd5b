/**
 * A filesystem driver: the contract's filesystem group (`_fsReadFile` … `_fsExists`) as an object with
 * absolute POSIX paths. Drivers fail as Node's `fs` does (`code` ENOENT, EEXIST, ENOTDIR, EISDIR,
 * ENOTEMPTY, ELOOP, EINVAL …, see `errors.ts`); `stat`, `readFile`, `writeFile`, `readdir`, `chmod`,
 * `truncate`, `utimes` follow symlinks, `lstat`, `readlink`, `removeFile`, `rename`, `symlink` do not.
 */
import type { FilesystemSnapshot, FsDirEntry, FsStat } from '../contract-types.js';

export interface FilesystemDriver {
  /** `real` (the host's files) or `memory`. */
  readonly kind: string;
  readFile(path: string): Uint8Array;
  /** Creates (with `mode`, default `0o666`, less the umask) or replaces a file's whole content. */
  writeFile(path: string, data: Uint8Array, mode?: number): void;
  stat(path: string): FsStat;
  lstat(path: string): FsStat;
  /** The names in a directory, sorted by name (UTF-16 order), with their types. */
  readdir(path: string): FsDirEntry[];
  /** `recursive`: creates missing parents and succeeds on an existing directory. */
  mkdir(path: string, recursive?: boolean, mode?: number): void;
  removeFile(path: string): void;
  /** Removes an empty directory. */
  removeDir(path: string): void;
  rename(from: string, to: string): void;
  symlink(target: string, path: string): void;
  readlink(path: string): string;
  chmod(path: string, mode: number): void;
  truncate(path: string, length: number): void;
  utimes(path: string, atimeMs: number, mtimeMs: number): void;
  exists(path: string): boolean;
}

/** A driver whose whole tree can be written out and read back (`cordon run --fs=memory --snapshot FILE`). */
export interface PersistentFilesystemDriver extends FilesystemDriver {
  /** The whole tree, deterministically encoded (equal trees give equal bytes). */
  flush(): FilesystemSnapshot;
  /** Replaces the whole tree by the snapshot's; throws (leaving the tree as it was) on a snapshot that is not valid. */
  load(snapshot: FilesystemSnapshot): void;
}
