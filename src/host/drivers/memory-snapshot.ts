/**
 * The `cordon-memfs-1` snapshot format: the in-memory tree written out deterministically (equal trees
 * give equal bytes) and read back strictly (anything but a well-formed snapshot is an error that says
 * what is wrong; never a crash, never a hang: every length is checked against the bytes that remain).
 *
 * Layout (big-endian):
 *   magic  8 bytes  `CRDNMFS1`
 *   u32    version  1
 *   u32    count    entries, the root included
 *   count × entry, in pre-order with each directory's names sorted (UTF-16 order):
 *     u8 kind (1 directory, 2 file, 3 symlink) · u16 depth (root 0) · u32 mode (≤ 0o7777)
 *     f64 atimeMs · f64 mtimeMs · f64 ctimeMs · f64 birthtimeMs
 *     u32 name length · name (UTF-8; empty for the root only)
 *     u32 data length · data (a file's bytes, a symlink's target in UTF-8; none for a directory)
 *   32 bytes  SHA-256 of everything before
 */
import { createHash } from 'node:crypto';
import { freshMeta, type MemoryDirectory, type MemoryNode } from './memory-tree.js';

export const MEMFS_FORMAT = 'cordon-memfs-1';

const MAGIC = 'CRDNMFS1';
const VERSION = 1;
const HEADER = 16;
const DIGEST = 32;
/** The fixed part of an entry: kind, depth, mode, four times, two lengths. */
const ENTRY_FIXED = 1 + 2 + 4 + 32 + 4 + 4;
const KIND_CODE = { directory: 1, file: 2, symlink: 3 } as const;
const MAX_DEPTH = 0xffff;

const encoder = new TextEncoder();

/** A snapshot that cannot be read: `code` is `ERR_CORDON_SNAPSHOT`. */
export class SnapshotError extends Error {
  readonly code = 'ERR_CORDON_SNAPSHOT';
  constructor(detail: string) {
    super(`Invalid ${MEMFS_FORMAT} filesystem snapshot: ${detail}`);
    this.name = 'SnapshotError';
  }
}

/** The tree under `root`, encoded. */
export const encodeSnapshot = (root: MemoryDirectory): Uint8Array => {
  const parts: Uint8Array[] = [];
  let count = 0;
  const stack: Array<[name: string, node: MemoryNode, depth: number]> = [['', root, 0]];
  while (stack.length > 0) {
    const [name, node, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) throw new SnapshotError(`the tree is deeper than ${MAX_DEPTH} directories`);
    const nameBytes = encoder.encode(name);
    const data = node.kind === 'file' ? node.data : node.kind === 'symlink' ? encoder.encode(node.target) : new Uint8Array(0);
    const fixed = new DataView(new ArrayBuffer(ENTRY_FIXED - 4));
    fixed.setUint8(0, KIND_CODE[node.kind]);
    fixed.setUint16(1, depth);
    fixed.setUint32(3, node.mode);
    fixed.setFloat64(7, node.atimeMs);
    fixed.setFloat64(15, node.mtimeMs);
    fixed.setFloat64(23, node.ctimeMs);
    fixed.setFloat64(31, node.birthtimeMs);
    fixed.setUint32(39, nameBytes.byteLength);
    parts.push(new Uint8Array(fixed.buffer), nameBytes, u32(data.byteLength), data);
    count += 1;
    if (node.kind === 'directory') {
      const names = [...node.entries.keys()].sort();
      for (let i = names.length - 1; i >= 0; i -= 1) stack.push([names[i]!, node.entries.get(names[i]!)!, depth + 1]);
    }
  }
  const header = new Uint8Array(HEADER);
  header.set(encoder.encode(MAGIC), 0);
  new DataView(header.buffer).setUint32(8, VERSION);
  new DataView(header.buffer).setUint32(12, count);
  const body = concat([header, ...parts]);
  return concat([body, createHash('sha256').update(body).digest()]);
};

/** The tree a snapshot holds; throws `SnapshotError` on anything else. `ino` numbers the nodes made. */
export const decodeSnapshot = (bytes: unknown, ino: () => number): MemoryDirectory => {
  if (!(bytes instanceof Uint8Array)) throw new SnapshotError('its bytes are not a Uint8Array');
  if (bytes.byteLength < HEADER + DIGEST) throw new SnapshotError(`truncated (${bytes.byteLength} bytes, shorter than its header)`);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw new SnapshotError('it does not start with the format\'s magic bytes (not a Cordon memory-filesystem snapshot)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8);
  if (version !== VERSION) throw new SnapshotError(`version ${version} is not ${VERSION}`);
  const end = bytes.byteLength - DIGEST;
  const digest = createHash('sha256').update(bytes.subarray(0, end)).digest();
  if (!digest.equals(bytes.subarray(end))) throw new SnapshotError('its checksum does not match its content (truncated or corrupt)');
  const count = view.getUint32(12);
  if (count < 1 || count > (end - HEADER) / ENTRY_FIXED) throw new SnapshotError(`its entry count ${count} does not fit its ${bytes.byteLength} bytes`);
  const names = new TextDecoder('utf-8', { fatal: true });
  let offset = HEADER;
  const need = (length: number, what: string, index: number): void => {
    if (length > end - offset) throw new SnapshotError(`entry ${index} is truncated (its ${what})`);
  };
  const readText = (length: number, what: string, index: number): string => {
    need(length, what, index);
    try {
      return names.decode(bytes.subarray(offset, offset + length));
    } catch {
      throw new SnapshotError(`entry ${index}'s ${what} is not UTF-8`);
    } finally {
      offset += length;
    }
  };
  let root: MemoryDirectory | undefined;
  const directories: MemoryDirectory[] = [];
  const lastNames: string[] = [];
  for (let index = 0; index < count; index += 1) {
    need(ENTRY_FIXED - 4, 'header', index);
    const kind = view.getUint8(offset);
    const depth = view.getUint16(offset + 1);
    const mode = view.getUint32(offset + 3);
    const times = [0, 1, 2, 3].map(i => view.getFloat64(offset + 7 + 8 * i));
    const nameLength = view.getUint32(offset + 39);
    offset += ENTRY_FIXED - 4;
    if (kind < 1 || kind > 3) throw new SnapshotError(`entry ${index} has unknown kind ${kind}`);
    if (mode > 0o7777) throw new SnapshotError(`entry ${index} has mode ${mode.toString(8)}, beyond 7777`);
    if (!times.every(Number.isFinite)) throw new SnapshotError(`entry ${index} has a time that is not a finite number`);
    const name = readText(nameLength, 'name', index);
    need(4, 'data length', index);
    const dataLength = view.getUint32(offset);
    offset += 4;
    need(dataLength, 'data', index);
    const data = bytes.slice(offset, offset + dataLength);
    offset += dataLength;
    const meta = { ...freshMeta(mode, 0, ino()), atimeMs: times[0]!, mtimeMs: times[1]!, ctimeMs: times[2]!, birthtimeMs: times[3]! };
    if (index === 0) {
      if (kind !== 1 || depth !== 0 || name !== '' || dataLength !== 0) throw new SnapshotError('its first entry is not the root directory');
      root = { kind: 'directory', entries: new Map(), ...meta };
      directories.push(root);
      lastNames.push('');
      continue;
    }
    if (depth < 1 || depth > directories.length) throw new SnapshotError(`entry ${index} (${JSON.stringify(name)}) has depth ${depth}, not under a directory before it`);
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\u0000')) throw new SnapshotError(`entry ${index} has the invalid name ${JSON.stringify(name)}`);
    directories.length = depth;
    lastNames.length = depth;
    const parent = directories[depth - 1]!;
    if (parent.entries.size > 0 && !(name > lastNames[depth - 1]!)) throw new SnapshotError(`entry ${index} (${JSON.stringify(name)}) is out of order or repeated`);
    lastNames[depth - 1] = name;
    let node: MemoryNode;
    if (kind === 1) {
      if (dataLength !== 0) throw new SnapshotError(`directory entry ${index} (${JSON.stringify(name)}) carries data`);
      node = { kind: 'directory', entries: new Map(), ...meta };
      directories.push(node);
      lastNames.push('');
    } else if (kind === 2) {
      node = { kind: 'file', data, ...meta };
    } else {
      let target: string;
      try {
        target = names.decode(data);
      } catch {
        throw new SnapshotError(`symlink entry ${index} (${JSON.stringify(name)}) has a target that is not UTF-8`);
      }
      if (target === '' || target.includes('\u0000')) throw new SnapshotError(`symlink entry ${index} (${JSON.stringify(name)}) has an invalid target`);
      node = { kind: 'symlink', target, ...meta };
    }
    parent.entries.set(name, node);
  }
  if (offset !== end) throw new SnapshotError(`${end - offset} bytes follow its last entry`);
  return root!;
};

const u32 = (value: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
};

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
};
