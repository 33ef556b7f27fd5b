/**
 * The file descriptors of one WASI guest: stdio, preopened directories, and what the guest opens
 * under them, all through a `fs`-shaped driver and the permission engine.
 *
 * A path a guest names is relative to a directory descriptor; it is folded lexically (`a/../b` is
 * `b`) and may not climb out of that directory (`..` past it, or an absolute path: `ENOTCAPABLE`).
 * The symlinks of its existing part are then resolved, and the real path is what the package's
 * `access.check('read'|'write', path)` is asked about — so a symlink inside a granted directory
 * that points outside every grant is refused (`EACCES`), and the check comes before any look at the
 * file (a refused path never tells whether it exists).
 */
import path from 'node:path';
import fs from 'node:fs';
import { resolvePath } from '../host/resources.js';
import type { PackageAccess } from '../host/permissions.js';
import { ALL_RIGHTS, ERRNO, FDFLAGS, FILETYPE, OFLAGS, RIGHT_FD_READ, WHENCE, WRITE_RIGHTS, WasiError, LOOKUP_SYMLINK_FOLLOW } from './wasi-constants.js';

/** The part of `node:fs` a WASI guest's files go through (the host's `fs` by default, or a bridged one). */
export type WasiFsDriver = Pick<typeof fs,
  'openSync' | 'closeSync' | 'readSync' | 'writeSync' | 'fstatSync' | 'statSync' | 'lstatSync' | 'readdirSync' |
  'realpathSync' | 'mkdirSync' | 'unlinkSync' | 'rmdirSync' | 'renameSync' | 'ftruncateSync' | 'fsyncSync' | 'fdatasyncSync'>;

/** Where `fd_read` on descriptor 0 reads from. */
export interface WasiInput { read(length: number): Uint8Array }
/** Where `fd_write` on descriptors 1 and 2 writes to. */
export interface WasiOutput { write(bytes: Uint8Array): void }

type Entry =
  | { readonly kind: 'input'; readonly input: WasiInput }
  | { readonly kind: 'output'; readonly output: WasiOutput }
  | { readonly kind: 'dir'; readonly hostPath: string; readonly preopen?: string | undefined }
  | { readonly kind: 'file'; readonly hostPath: string; readonly hostFd: number; position: number; readonly append: boolean; readonly readable: boolean; readonly writable: boolean };

export interface WasiFileStat {
  dev: bigint;
  ino: bigint;
  filetype: number;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

export interface WasiFdStat { filetype: number; flags: number; rightsBase: bigint; rightsInheriting: bigint }
export interface WasiDirEntry { name: string; type: number; ino: bigint }

const fail = (errno: number): never => {
  throw new WasiError(errno);
};

const filetypeOf = (stats: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): number => {
  if (stats.isFile()) return FILETYPE.REGULAR_FILE;
  if (stats.isDirectory()) return FILETYPE.DIRECTORY;
  if (stats.isSymbolicLink()) return FILETYPE.SYMBOLIC_LINK;
  if (stats.isCharacterDevice()) return FILETYPE.CHARACTER_DEVICE;
  if (stats.isBlockDevice()) return FILETYPE.BLOCK_DEVICE;
  if (stats.isSocket()) return FILETYPE.SOCKET_STREAM;
  return FILETYPE.UNKNOWN;
};

const statOf = (stats: fs.BigIntStats): WasiFileStat => ({
  dev: stats.dev, ino: stats.ino, filetype: filetypeOf(stats), nlink: stats.nlink, size: stats.size,
  atim: stats.atimeNs, mtim: stats.mtimeNs, ctim: stats.ctimeNs,
});

export interface WasiFilesOptions {
  readonly access: PackageAccess;
  readonly fs: WasiFsDriver;
  /** Guest name → host directory, in descriptor order from 3. */
  readonly preopens: readonly (readonly [string, string])[];
  readonly stdin: WasiInput;
  readonly stdout: WasiOutput;
  readonly stderr: WasiOutput;
}

export const makeWasiFiles = (options: WasiFilesOptions) => {
  const { access, fs: driver } = options;
  const realpath = (p: string): string => driver.realpathSync(p);
  const table = new Map<number, Entry>();
  table.set(0, { kind: 'input', input: options.stdin });
  table.set(1, { kind: 'output', output: options.stdout });
  table.set(2, { kind: 'output', output: options.stderr });
  for (const [guest, host] of options.preopens) {
    table.set(table.size, { kind: 'dir', hostPath: resolvePath(host, '/', realpath), preopen: guest });
  }

  const entry = (fd: number): Entry => table.get(fd) ?? fail(ERRNO.BADF);
  const dirEntry = (fd: number): Extract<Entry, { kind: 'dir' }> => {
    const found = entry(fd);
    return found.kind === 'dir' ? found : fail(ERRNO.NOTDIR);
  };
  const fileEntry = (fd: number): Extract<Entry, { kind: 'file' }> => {
    const found = entry(fd);
    if (found.kind === 'dir') fail(ERRNO.ISDIR);
    return found.kind === 'file' ? found : fail(ERRNO.SPIPE);
  };
  const add = (made: Entry): number => {
    let fd = 3;
    while (table.has(fd)) fd += 1;
    table.set(fd, made);
    return fd;
  };

  /** The real host path of `given` under directory `dirfd`: never outside it lexically. */
  const resolveAt = (dirfd: number, given: string, follow: boolean): string => {
    const dir = dirEntry(dirfd);
    if (given.includes('\u0000')) fail(ERRNO.INVAL);
    if (given === '') fail(ERRNO.NOENT);
    if (given.startsWith('/')) fail(ERRNO.NOTCAPABLE);
    const relative = path.posix.normalize(given);
    if (relative === '..' || relative.startsWith('../')) fail(ERRNO.NOTCAPABLE);
    const lexical = path.join(dir.hostPath, relative);
    if (follow) return resolvePath(lexical, '/', realpath);
    return path.join(resolvePath(path.dirname(lexical), '/', realpath), path.basename(lexical));
  };

  const lookup = (real: string, follow: boolean): fs.BigIntStats | undefined => {
    try {
      return (follow ? driver.statSync(real, { bigint: true }) : driver.lstatSync(real, { bigint: true })) ?? undefined;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw error;
    }
  };

  const constants = fs.constants;

  return {
    prestatName(fd: number): string {
      const found = entry(fd);
      return found.kind === 'dir' && found.preopen !== undefined ? found.preopen : fail(ERRNO.BADF);
    },

    open(dirfd: number, lookupFlags: number, given: string, oflags: number, rightsBase: bigint, fdflags: number): number {
      const follow = (lookupFlags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const real = resolveAt(dirfd, given, follow);
      const writes = (rightsBase & WRITE_RIGHTS) !== 0n || (oflags & (OFLAGS.CREAT | OFLAGS.TRUNC)) !== 0 || (fdflags & FDFLAGS.APPEND) !== 0;
      const reads = !writes || (rightsBase & RIGHT_FD_READ) !== 0n;
      // Asked before anything is looked at: a refused path does not say whether it exists.
      if (reads) access.check('read', real, `WASI path_open ${given}`);
      if (writes) access.check('write', real, `WASI path_open ${given}`);
      const stats = lookup(real, follow);
      if (stats?.isDirectory()) {
        if (writes) fail(ERRNO.ISDIR);
        if ((oflags & OFLAGS.EXCL) !== 0 && (oflags & OFLAGS.CREAT) !== 0) fail(ERRNO.EXIST);
        return add({ kind: 'dir', hostPath: real });
      }
      if ((oflags & OFLAGS.DIRECTORY) !== 0) fail(stats === undefined ? ERRNO.NOENT : ERRNO.NOTDIR);
      let flags = reads && writes ? constants.O_RDWR : writes ? constants.O_WRONLY : constants.O_RDONLY;
      if ((oflags & OFLAGS.CREAT) !== 0) flags |= constants.O_CREAT;
      if ((oflags & OFLAGS.EXCL) !== 0) flags |= constants.O_EXCL;
      if ((oflags & OFLAGS.TRUNC) !== 0) flags |= constants.O_TRUNC;
      if ((fdflags & FDFLAGS.APPEND) !== 0) flags |= constants.O_APPEND;
      if (!follow) flags |= constants.O_NOFOLLOW;
      const hostFd = driver.openSync(real, flags, 0o666);
      return add({ kind: 'file', hostPath: real, hostFd, position: 0, append: (fdflags & FDFLAGS.APPEND) !== 0, readable: reads, writable: writes });
    },

    close(fd: number): void {
      const found = entry(fd);
      if (found.kind === 'file') driver.closeSync(found.hostFd);
      table.delete(fd);
    },

    renumber(from: number, to: number): void {
      const found = entry(from);
      const replaced = entry(to);
      if (replaced.kind === 'file') driver.closeSync(replaced.hostFd);
      table.set(to, found);
      table.delete(from);
    },

    read(fd: number, length: number, position?: number): Uint8Array {
      const found = entry(fd);
      if (found.kind === 'input') return found.input.read(length);
      if (found.kind !== 'file' || !found.readable) return fail(found.kind === 'dir' ? ERRNO.ISDIR : ERRNO.BADF);
      const buffer = Buffer.alloc(length);
      const count = driver.readSync(found.hostFd, buffer, 0, length, position ?? found.position);
      if (position === undefined) found.position += count;
      return buffer.subarray(0, count);
    },

    write(fd: number, bytes: Uint8Array, position?: number): number {
      const found = entry(fd);
      if (found.kind === 'output') {
        found.output.write(bytes);
        return bytes.length;
      }
      if (found.kind !== 'file' || !found.writable) return fail(found.kind === 'dir' ? ERRNO.ISDIR : ERRNO.BADF);
      if (found.append && position === undefined) {
        const count = driver.writeSync(found.hostFd, bytes, 0, bytes.length, null);
        found.position = Number(driver.fstatSync(found.hostFd, { bigint: true }).size);
        return count;
      }
      const count = driver.writeSync(found.hostFd, bytes, 0, bytes.length, position ?? found.position);
      if (position === undefined) found.position += count;
      return count;
    },

    seek(fd: number, offset: bigint, whence: number): bigint {
      const found = fileEntry(fd);
      let base: number;
      if (whence === WHENCE.SET) base = 0;
      else if (whence === WHENCE.CUR) base = found.position;
      else if (whence === WHENCE.END) base = Number(driver.fstatSync(found.hostFd, { bigint: true }).size);
      else return fail(ERRNO.INVAL);
      const next = base + Number(offset);
      if (next < 0 || !Number.isSafeInteger(next)) fail(ERRNO.INVAL);
      found.position = next;
      return BigInt(next);
    },

    fdstat(fd: number): WasiFdStat {
      const found = entry(fd);
      if (found.kind === 'input' || found.kind === 'output') return { filetype: FILETYPE.CHARACTER_DEVICE, flags: 0, rightsBase: ALL_RIGHTS, rightsInheriting: 0n };
      if (found.kind === 'dir') return { filetype: FILETYPE.DIRECTORY, flags: 0, rightsBase: ALL_RIGHTS, rightsInheriting: ALL_RIGHTS };
      return { filetype: FILETYPE.REGULAR_FILE, flags: found.append ? FDFLAGS.APPEND : 0, rightsBase: ALL_RIGHTS, rightsInheriting: 0n };
    },

    filestat(fd: number): WasiFileStat {
      const found = entry(fd);
      if (found.kind === 'file') return statOf(driver.fstatSync(found.hostFd, { bigint: true }));
      if (found.kind === 'dir') return statOf(driver.statSync(found.hostPath, { bigint: true })!);
      return { dev: 0n, ino: 0n, filetype: FILETYPE.CHARACTER_DEVICE, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
    },

    pathFilestat(dirfd: number, lookupFlags: number, given: string): WasiFileStat {
      const follow = (lookupFlags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const real = resolveAt(dirfd, given, follow);
      access.check('read', real, `WASI path_filestat_get ${given}`);
      return statOf(lookup(real, follow) ?? fail(ERRNO.NOENT));
    },

    /** The directory's entries, sorted by name (so every run lists them in one order). */
    readdir(fd: number): WasiDirEntry[] {
      const dir = dirEntry(fd);
      const names = driver.readdirSync(dir.hostPath).map(String).sort();
      return names.map(name => {
        try {
          const stats = driver.lstatSync(path.join(dir.hostPath, name), { bigint: true })!;
          return { name, type: filetypeOf(stats), ino: stats.ino };
        } catch {
          return { name, type: FILETYPE.UNKNOWN, ino: 0n };
        }
      });
    },

    truncate(fd: number, size: bigint): void {
      const found = fileEntry(fd);
      if (!found.writable) fail(ERRNO.BADF);
      driver.ftruncateSync(found.hostFd, Number(size));
    },

    sync(fd: number, dataOnly: boolean): void {
      const found = fileEntry(fd);
      if (dataOnly) driver.fdatasyncSync(found.hostFd);
      else driver.fsyncSync(found.hostFd);
    },

    mkdir(dirfd: number, given: string): void {
      const real = resolveAt(dirfd, given, false);
      access.check('write', real, `WASI path_create_directory ${given}`);
      driver.mkdirSync(real);
    },

    unlink(dirfd: number, given: string): void {
      const real = resolveAt(dirfd, given, false);
      access.check('write', real, `WASI path_unlink_file ${given}`);
      if (lookup(real, false)?.isDirectory()) fail(ERRNO.ISDIR);
      driver.unlinkSync(real);
    },

    rmdir(dirfd: number, given: string): void {
      const real = resolveAt(dirfd, given, false);
      access.check('write', real, `WASI path_remove_directory ${given}`);
      driver.rmdirSync(real);
    },

    rename(fromFd: number, from: string, toFd: number, to: string): void {
      const source = resolveAt(fromFd, from, false);
      const target = resolveAt(toFd, to, false);
      access.check('write', source, `WASI path_rename ${from}`);
      access.check('write', target, `WASI path_rename ${to}`);
      driver.renameSync(source, target);
    },

    /** Closes every host descriptor the guest left open. */
    closeAll(): void {
      for (const [fd, found] of table) {
        if (found.kind === 'file') {
          try { driver.closeSync(found.hostFd); } catch { /* already gone */ }
        }
        table.delete(fd);
      }
    },
  };
};

export type WasiFiles = ReturnType<typeof makeWasiFiles>;
