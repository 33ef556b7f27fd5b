/**
 * The numbers of WASI preview 1 (`wasi_snapshot_preview1`) that the host side needs: errno
 * values, file types, open and fd flags, rights, and the mapping from Node's error codes.
 */

/** `errno` (the subset this host returns; the numbers are the specification's). */
export const ERRNO = Object.freeze({
  SUCCESS: 0,
  TOOBIG: 1,
  ACCES: 2,
  AGAIN: 6,
  BADF: 8,
  BUSY: 10,
  EXIST: 20,
  FAULT: 21,
  FBIG: 22,
  INTR: 27,
  INVAL: 28,
  IO: 29,
  ISDIR: 31,
  LOOP: 32,
  MFILE: 33,
  NAMETOOLONG: 37,
  NFILE: 41,
  NODEV: 43,
  NOENT: 44,
  NOMEM: 48,
  NOSPC: 51,
  NOSYS: 52,
  NOTDIR: 54,
  NOTEMPTY: 55,
  NOTSUP: 58,
  NXIO: 60,
  OVERFLOW: 61,
  PERM: 63,
  PIPE: 64,
  ROFS: 69,
  SPIPE: 70,
  XDEV: 75,
  NOTCAPABLE: 76,
});

/** `filetype`. */
export const FILETYPE = Object.freeze({
  UNKNOWN: 0,
  BLOCK_DEVICE: 1,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SOCKET_DGRAM: 5,
  SOCKET_STREAM: 6,
  SYMBOLIC_LINK: 7,
});

/** `oflags` of `path_open`. */
export const OFLAGS = Object.freeze({ CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 });
/** `fdflags`. */
export const FDFLAGS = Object.freeze({ APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 });
/** `lookupflags`. */
export const LOOKUP_SYMLINK_FOLLOW = 1;
/** `whence` of `fd_seek`. */
export const WHENCE = Object.freeze({ SET: 0, CUR: 1, END: 2 });
/** `clockid`. */
export const CLOCK = Object.freeze({ REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3 });

/** Every right (bits 0–29); the permission engine, not rights, decides what a guest may do. */
export const ALL_RIGHTS = (1n << 30n) - 1n;
/** The rights that make an open a write (wasi-libc leaves exactly these out of an O_RDONLY open). */
export const WRITE_RIGHTS = (1n << 0n) /* fd_datasync */ | (1n << 6n) /* fd_write */ | (1n << 8n) /* fd_allocate */ | (1n << 22n) /* fd_filestat_set_size */;
export const RIGHT_FD_READ = 1n << 1n;
export const RIGHT_FD_WRITE = 1n << 6n;

const BY_CODE: Readonly<Record<string, number>> = Object.freeze({
  E2BIG: ERRNO.TOOBIG,
  EACCES: ERRNO.ACCES,
  ERR_ACCESS_DENIED: ERRNO.ACCES,
  EAGAIN: ERRNO.AGAIN,
  EWOULDBLOCK: ERRNO.AGAIN,
  EBADF: ERRNO.BADF,
  EBUSY: ERRNO.BUSY,
  EEXIST: ERRNO.EXIST,
  EFAULT: ERRNO.FAULT,
  EFBIG: ERRNO.FBIG,
  EINTR: ERRNO.INTR,
  EINVAL: ERRNO.INVAL,
  EIO: ERRNO.IO,
  EISDIR: ERRNO.ISDIR,
  ELOOP: ERRNO.LOOP,
  EMFILE: ERRNO.MFILE,
  ENAMETOOLONG: ERRNO.NAMETOOLONG,
  ENFILE: ERRNO.NFILE,
  ENODEV: ERRNO.NODEV,
  ENOENT: ERRNO.NOENT,
  ENOMEM: ERRNO.NOMEM,
  ENOSPC: ERRNO.NOSPC,
  ENOSYS: ERRNO.NOSYS,
  ENOTDIR: ERRNO.NOTDIR,
  ENOTEMPTY: ERRNO.NOTEMPTY,
  ENOTSUP: ERRNO.NOTSUP,
  EOPNOTSUPP: ERRNO.NOTSUP,
  ENXIO: ERRNO.NXIO,
  EOVERFLOW: ERRNO.OVERFLOW,
  EPERM: ERRNO.PERM,
  EPIPE: ERRNO.PIPE,
  EROFS: ERRNO.ROFS,
  ESPIPE: ERRNO.SPIPE,
  EXDEV: ERRNO.XDEV,
});

/** The errno for an error a host call threw (a denial is `EACCES`; anything unknown is `EIO`). */
export const errnoOf = (error: unknown): number => {
  const code = error !== null && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? BY_CODE[code] ?? ERRNO.IO : ERRNO.IO;
};

/** A WASI error carrying its errno, thrown inside the host functions and turned into their result. */
export class WasiError extends Error {
  constructor(readonly errno: number) {
    super(`WASI errno ${errno}`);
  }
}
