/**
 * Reading a zip from anyone: its central directory, each entry's name (no `..`, no root or drive, no
 * backslash, no duplicate), sizes within limits the caller can raise, and the compression methods
 * read (stored, deflated). Stored entries (all of Cordon's and Endo's) are views of one copy of the
 * archive, not a copy each; deflated ones are inflated. A zip may carry any prefix (a script header).
 */
import { inflateSync } from 'fflate';
import { CordonError } from '../diagnostics/index.js';
import { isSafeArchivePath } from '../model/archive.js';

export interface ArchiveLimits {
  /** Largest size of one entry once decompressed (default 64 MiB). */
  readonly maxEntryBytes?: number | undefined;
  /** Largest total of all entries decompressed (default 512 MiB). */
  readonly maxTotalBytes?: number | undefined;
  /** Most entries (default 65,536). */
  readonly maxEntries?: number | undefined;
  /** Largest decompressed / compressed ratio of an entry over 1 MiB (default 200). */
  readonly maxCompressionRatio?: number | undefined;
}

const LIMIT_DEFAULTS = { maxEntryBytes: 64 * 1024 * 1024, maxTotalBytes: 512 * 1024 * 1024, maxEntries: 65536, maxCompressionRatio: 200 };
export const LIMIT_NAMES = Object.keys(LIMIT_DEFAULTS);

const utf8 = new TextDecoder();
// Made on first need: some engines' TextDecoder knows only UTF-8 (XS), and names are nearly always ASCII.
let latin1: { decode(bytes: Uint8Array): string } | undefined;

const isAscii = (bytes: Uint8Array): boolean => {
  for (const byte of bytes) if (byte > 0x7f) return false;
  return true;
};

const nameOf = (bytes: Uint8Array, isUtf8: boolean): string => {
  if (isUtf8 || isAscii(bytes)) return utf8.decode(bytes);
  latin1 ??= new TextDecoder('latin1');
  return latin1.decode(bytes);
};

/** The entries of a zip, checked: structure, names, duplicates, sizes. */
export const readZip = (archive: Uint8Array, archiveLocation: string, limits: ArchiveLimits = {}): Map<string, Uint8Array> => {
  const corrupt = (problem: string, cause?: unknown) => new CordonError('CORDON_ARCHIVE_CORRUPT', `Not a valid zip archive: ${problem}`, { file: archiveLocation, ...(cause ? { cause } : {}) });
  const pick = (key: keyof typeof LIMIT_DEFAULTS): number => limits[key] ?? LIMIT_DEFAULTS[key];
  const maxEntryBytes = pick('maxEntryBytes');
  const maxTotalBytes = pick('maxTotalBytes');
  const maxEntries = pick('maxEntries');
  const maxCompressionRatio = pick('maxCompressionRatio');
  // One copy: what was checked is what runs, whatever the caller does with its bytes afterwards.
  const whole = archive.slice();
  const view = new DataView(whole.buffer, whole.byteOffset, whole.byteLength);
  const u16 = (at: number): number => {
    if (at < 0 || at + 2 > whole.length) throw corrupt('a header runs past the end of the file');
    return view.getUint16(at, true);
  };
  const u32 = (at: number): number => {
    if (at < 0 || at + 4 > whole.length) throw corrupt('a header runs past the end of the file');
    return view.getUint32(at, true);
  };
  const u64 = (at: number): number => u32(at) + u32(at + 4) * 0x100000000;

  // End of central directory: the last record whose comment reaches exactly to the end.
  let end = -1;
  for (let at = whole.length - 22, lowest = Math.max(0, whole.length - 22 - 0xffff); at >= lowest; at -= 1) {
    if (view.getUint32(at, true) === 0x06054b50 && at + 22 + view.getUint16(at + 20, true) === whole.length) {
      end = at;
      break;
    }
  }
  if (end < 0) throw corrupt('no end-of-central-directory record');
  let count = u16(end + 10);
  let size = u32(end + 12);
  let offset = u32(end + 16);
  let directoryEnd = end;
  if ((count === 0xffff || size === 0xffffffff || offset === 0xffffffff) && end >= 20 && u32(end - 20) === 0x07064b50) {
    // Zip64: the locator before the end record says where the zip64 end record is (from the zip's own
    // start; with a prefix it is found where it usually is, just before the locator).
    let record = u64(end - 12);
    if (record + 4 > whole.length || u32(record) !== 0x06064b50) record = end - 20 - 56;
    if (record < 0 || u32(record) !== 0x06064b50) throw corrupt('its zip64 end record is missing');
    count = u64(record + 32);
    size = u64(record + 40);
    offset = u64(record + 48);
    directoryEnd = record;
  }
  const start = directoryEnd - size;
  if (start < 0) throw corrupt('its central directory is larger than the file');
  // What precedes the zip proper (a script header, say) shifts every offset by the same amount.
  const prefix = start - offset;
  if (prefix < 0) throw corrupt('its central directory lies outside the file');
  if (count > maxEntries) throw new CordonError('CORDON_ARCHIVE_TOO_LARGE', `Archive has more than ${maxEntries} entries (maxEntries)`, { file: archiveLocation });

  const entries = new Map<string, Uint8Array>();
  let total = 0;
  let at = start;
  for (let i = 0; i < count; i += 1) {
    if (u32(at) !== 0x02014b50) throw corrupt(`entry ${i + 1} of its central directory is not a file header`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    let compressedSize = u32(at + 20);
    let originalSize = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let localOffset = u32(at + 42);
    if (at + 46 + nameLength > whole.length) throw corrupt('a name runs past the end of the file');
    const name = nameOf(whole.subarray(at + 46, at + 46 + nameLength), (flags & 0x800) !== 0);
    if (compressedSize === 0xffffffff || originalSize === 0xffffffff || localOffset === 0xffffffff) {
      // Zip64 sizes, in the extra field's record 0x0001, in this order, for those marked.
      for (let extra = at + 46 + nameLength, stop = extra + extraLength; extra + 4 <= stop; extra += 4 + u16(extra + 2)) {
        if (u16(extra) !== 1) continue;
        let field = extra + 4;
        if (originalSize === 0xffffffff) (originalSize = u64(field)), (field += 8);
        if (compressedSize === 0xffffffff) (compressedSize = u64(field)), (field += 8);
        if (localOffset === 0xffffffff) localOffset = u64(field);
        break;
      }
    }
    at += 46 + nameLength + extraLength + commentLength;

    const refuse = (code: ConstructorParameters<typeof CordonError>[0], message: string) => new CordonError(code, message, { file: archiveLocation, specifier: name });
    if (!isSafeArchivePath(name)) throw refuse('CORDON_ARCHIVE_UNSAFE_NAME', `Archive entry ${JSON.stringify(name)} has an unsafe name`);
    if (entries.has(name)) throw refuse('CORDON_ARCHIVE_DUPLICATE_ENTRY', `Archive has two entries named ${JSON.stringify(name)}`);
    if (originalSize > maxEntryBytes) throw refuse('CORDON_ARCHIVE_TOO_LARGE', `Archive entry ${JSON.stringify(name)} is ${originalSize} bytes, over maxEntryBytes (${maxEntryBytes})`);
    total += originalSize;
    if (total > maxTotalBytes) throw new CordonError('CORDON_ARCHIVE_TOO_LARGE', `Archive entries total over maxTotalBytes (${maxTotalBytes})`, { file: archiveLocation });
    if (originalSize > 1024 * 1024 && originalSize / Math.max(1, compressedSize) > maxCompressionRatio) {
      const ratio = Math.round(originalSize / Math.max(1, compressedSize));
      throw refuse('CORDON_ARCHIVE_TOO_LARGE', `Archive entry ${JSON.stringify(name)} expands ${ratio} times (a zip bomb?), over maxCompressionRatio (${maxCompressionRatio})`);
    }
    if (method !== 0 && method !== 8) throw refuse('CORDON_ARCHIVE_CORRUPT', `Archive entry ${JSON.stringify(name)} uses compression method ${method}; only stored and deflated entries are read`);

    const local = prefix + localOffset;
    if (u32(local) !== 0x04034b50) throw corrupt(`the entry ${JSON.stringify(name)} has no local header where its directory says`);
    const dataStart = local + 30 + u16(local + 26) + u16(local + 28);
    const dataEnd = dataStart + compressedSize;
    if (dataEnd > whole.length) throw corrupt(`the entry ${JSON.stringify(name)} runs past the end of the file`);
    const data = whole.subarray(dataStart, dataEnd);
    if (method === 0) {
      if (compressedSize !== originalSize) throw corrupt(`the stored entry ${JSON.stringify(name)} has two sizes`);
      entries.set(name, data);
      continue;
    }
    let inflated: Uint8Array;
    try {
      inflated = inflateSync(data, { out: new Uint8Array(originalSize) });
    } catch (error) {
      throw corrupt(`the entry ${JSON.stringify(name)} does not inflate (${(error as Error).message})`, error);
    }
    if (inflated.length !== originalSize) throw corrupt(`the entry ${JSON.stringify(name)} inflates to another size than recorded`);
    entries.set(name, inflated);
  }
  return entries;
};
