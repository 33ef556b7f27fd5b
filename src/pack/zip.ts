/**
 * Writing an archive's zip: every entry stored (no compression), every date 1980-01-01 00:00, in the
 * order given, into one buffer sized up front. The bytes are those fflate's `zipSync` writes for the
 * same entries at level 0 (the format archives have always had), computed without its per-entry
 * objects and with a CRC-32 that reads eight bytes a step.
 */

const encoder = new TextEncoder();

/** CRC-32 tables for slicing by 8: `TABLES[k][b]` is the CRC of byte `b` followed by `k` zero bytes. */
const TABLES = (() => {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let i = 0; i < 256; i += 1) {
    let c = i;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    tables[0]![i] = c;
  }
  for (let i = 0; i < 256; i += 1) {
    for (let k = 1; k < 8; k += 1) tables[k]![i] = (tables[k - 1]![i]! >>> 8) ^ tables[0]![tables[k - 1]![i]! & 0xff]!;
  }
  return tables;
})();

const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];

/** The CRC of `bytes[start, end)` continued from `crc` (eight bytes a step, then one by one). */
const crcRange = (crc: number, bytes: Uint8Array, start: number, end: number): number => {
  let i = start;
  for (const stop = end - 7; i < stop; i += 8) {
    const a = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ crc;
    crc = T7[a & 0xff]! ^ T6[(a >>> 8) & 0xff]! ^ T5[(a >>> 16) & 0xff]! ^ T4[a >>> 24]! ^ T3[bytes[i + 4]!]! ^ T2[bytes[i + 5]!]! ^ T1[bytes[i + 6]!]! ^ T0[bytes[i + 7]!]!;
  }
  for (; i < end; i += 1) crc = T0[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
};

export const crc32 = (bytes: Uint8Array): number => ~crcRange(-1, bytes, 0, bytes.length) >>> 0;

/** DOS date of 1980-01-01 (time 00:00:00). */
const DOS_DATE = (1 << 5) | 1;

/** A zip of stored entries, `path → bytes` in the map's order. */
export const writeStoredZip = (files: ReadonlyMap<string, Uint8Array>): Uint8Array => {
  const entries: { name: Uint8Array; utf8: boolean; bytes: Uint8Array; crc: number; offset: number }[] = [];
  let size = 22;
  for (const [path, bytes] of files) {
    const name = encoder.encode(path);
    if (name.length > 0xffff) throw new RangeError(`zip entry name too long: ${path.slice(0, 80)}…`);
    entries.push({ name, utf8: name.length !== path.length, bytes, crc: crc32(bytes), offset: 0 });
    size += 30 + 46 + 2 * name.length + bytes.length;
  }
  if (size > 0xffffffff || entries.length > 0xffff) throw new RangeError('archive too large for a zip without zip64');
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const header = (at: number, central: boolean, entry: (typeof entries)[number]): number => {
    view.setUint32(at, central ? 0x02014b50 : 0x04034b50, true);
    let b = at + 4;
    if (central) (view.setUint16(b, 20, true), (b += 2));
    view.setUint16(b, 20, true); // version needed
    view.setUint16(b + 2, entry.utf8 ? 0x800 : 0, true);
    view.setUint16(b + 4, 0, true); // stored
    view.setUint16(b + 6, 0, true); // time
    view.setUint16(b + 8, DOS_DATE, true);
    view.setUint32(b + 10, entry.crc, true);
    view.setUint32(b + 14, entry.bytes.length, true);
    view.setUint32(b + 18, entry.bytes.length, true);
    view.setUint16(b + 22, entry.name.length, true);
    view.setUint16(b + 24, 0, true); // extra
    b += 26;
    if (central) {
      // comment, disk, internal and external attributes: zero; then the local header's offset.
      view.setUint32(b + 10, entry.offset, true);
      b += 14;
    }
    out.set(entry.name, b);
    return b + entry.name.length;
  };
  let at = 0;
  for (const entry of entries) {
    entry.offset = at;
    at = header(at, false, entry);
    out.set(entry.bytes, at);
    at += entry.bytes.length;
  }
  const directory = at;
  for (const entry of entries) at = header(at, true, entry);
  view.setUint32(at, 0x06054b50, true);
  view.setUint16(at + 8, entries.length, true);
  view.setUint16(at + 10, entries.length, true);
  view.setUint32(at + 12, at - directory, true);
  view.setUint32(at + 16, directory, true);
  return out;
};
