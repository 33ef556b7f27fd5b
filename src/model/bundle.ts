/**
 * Bundle shapes (`@endo/bundle-source`'s formats) and the one validator of a bundle that came from
 * anywhere: `validateBundle(value, name)`. It reads the given object once (own property descriptors:
 * a getter or a proxy cannot answer differently later), refuses what no format has, and returns a
 * fresh frozen record of the format's fields only, so nothing after it consults the caller's object.
 */
import { CordonError } from '../diagnostics/index.js';

export type BundleModuleFormat = 'endoZipBase64' | 'endoScript' | 'getExport' | 'nestedEvaluate';

export interface EndoZipBase64Bundle {
  readonly moduleFormat: 'endoZipBase64';
  /** The archive (a zip with `compartment-map.json`), base64. */
  readonly endoZipBase64: string;
  /** SHA-512 of the archive's `compartment-map.json`, lowercase hex. */
  readonly endoZipBase64Sha512: string;
}

export interface EndoScriptBundle {
  readonly moduleFormat: 'endoScript';
  /** A script whose completion value is the entry's namespace. */
  readonly source: string;
  /** Empty (bundleSource writes `''`, as the incumbent does). */
  readonly sourceMap?: string;
}

export interface GetExportBundle {
  readonly moduleFormat: 'getExport';
  /** An expression whose value is `filePrefix => namespace`. */
  readonly source: string;
  readonly sourceMap?: string;
}

export interface NestedEvaluateBundle {
  readonly moduleFormat: 'nestedEvaluate';
  /** An expression whose value is `filePrefix => namespace`, evaluating each module with `nestedEvaluate`. */
  readonly source: string;
  readonly sourceMap?: string;
}

export type Bundle = EndoZipBase64Bundle | EndoScriptBundle | GetExportBundle | NestedEvaluateBundle;

/** `importBundle`'s unserialisable format (`bundleTestExports`): the exports under `Symbol.for('exports')`. */
export interface TestBundle {
  readonly moduleFormat: 'test';
  readonly [exports: symbol]: unknown;
}

export const BUNDLE_FORMATS: readonly BundleModuleFormat[] = Object.freeze(['endoZipBase64', 'endoScript', 'getExport', 'nestedEvaluate']);

/** Each format's fields: required, then optional. */
const FIELDS: Readonly<Record<BundleModuleFormat, { readonly required: readonly string[]; readonly optional: readonly string[] }>> = {
  endoZipBase64: { required: ['endoZipBase64', 'endoZipBase64Sha512'], optional: [] },
  endoScript: { required: ['source'], optional: ['sourceMap'] },
  getExport: { required: ['source'], optional: ['sourceMap'] },
  nestedEvaluate: { required: ['source'], optional: ['sourceMap'] },
};

export interface BundleLimits {
  /** The longest string a bundle field may be (default 512 Mi characters: ~384 MiB of archive in base64). */
  readonly maxFieldLength?: number | undefined;
}

export const DEFAULT_MAX_BUNDLE_FIELD_LENGTH = 512 * 1024 * 1024;

const SHA512_HEX = /^[0-9a-f]{128}$/;

export const isBundleModuleFormat = (value: unknown): value is BundleModuleFormat => typeof value === 'string' && (BUNDLE_FORMATS as readonly string[]).includes(value);

const invalid = (name: string, message: string): CordonError => new CordonError('CORDON_INVALID_BUNDLE', `Bundle ${JSON.stringify(name)} ${message}`, { file: name });

const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

/**
 * Checks that `value` is a bundle of a known format and returns its fields as a new frozen object.
 * `name` names the bundle in messages (a file, a URL, `<unknown-bundle>`).
 */
export const validateBundle = (value: unknown, name = '<unknown-bundle>', limits: BundleLimits = {}): Bundle => {
  const maxLength = limits.maxFieldLength ?? DEFAULT_MAX_BUNDLE_FIELD_LENGTH;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(name, `must be an object, not ${describe(value)}`);
  // One read of the object: a proxy's traps and a getter run here, once, and are refused below.
  let descriptors: Record<PropertyKey, PropertyDescriptor>;
  try {
    descriptors = Object.getOwnPropertyDescriptors(value);
  } catch (error) {
    throw invalid(name, `cannot be read (${(error as Error)?.message ?? String(error)})`);
  }
  const keys = Reflect.ownKeys(descriptors);
  const symbol = keys.find(key => typeof key === 'symbol');
  if (symbol !== undefined) throw invalid(name, `has a symbol-named property ${String(symbol)}; a bundle has only string fields`);
  const field = (key: string): unknown => {
    const descriptor = descriptors[key]!;
    if (!('value' in descriptor)) throw invalid(name, `has an accessor for "${key}"; every field must be a data property`);
    return descriptor.value;
  };
  if (!Object.hasOwn(descriptors, 'moduleFormat')) throw invalid(name, 'has no "moduleFormat" field');
  const moduleFormat = field('moduleFormat');
  if (typeof moduleFormat !== 'string') throw invalid(name, `has a "moduleFormat" of type ${describe(moduleFormat)}; it must be a string`);
  if (!isBundleModuleFormat(moduleFormat)) {
    throw invalid(name, `has the unknown moduleFormat ${JSON.stringify(moduleFormat.slice(0, 64))} (known: ${BUNDLE_FORMATS.join(', ')})`);
  }
  const { required, optional } = FIELDS[moduleFormat];
  for (const key of keys as string[]) {
    if (key === 'moduleFormat' || required.includes(key) || optional.includes(key)) continue;
    throw invalid(name, `has the field ${JSON.stringify(key.slice(0, 64))}, which a ${moduleFormat} bundle does not have (fields: ${['moduleFormat', ...required, ...optional].join(', ')})`);
  }
  const record: Record<string, string> = { moduleFormat };
  for (const key of [...required, ...optional]) {
    if (!Object.hasOwn(descriptors, key)) {
      if (required.includes(key)) throw invalid(name, `has no "${key}" field, which a ${moduleFormat} bundle needs`);
      continue;
    }
    const text = field(key);
    if (typeof text !== 'string') throw invalid(name, `has a "${key}" of type ${describe(text)}; it must be a string`);
    if (text.length > maxLength) throw invalid(name, `has a "${key}" of ${text.length} characters, over the limit of ${maxLength}`);
    record[key] = text;
  }
  if (moduleFormat === 'endoZipBase64') {
    if (!SHA512_HEX.test(record.endoZipBase64Sha512!)) throw invalid(name, 'has an "endoZipBase64Sha512" that is not a SHA-512 in lowercase hex (128 characters 0-9a-f)');
    if (record.endoZipBase64!.length === 0) throw invalid(name, 'has an empty "endoZipBase64"');
  }
  if (moduleFormat !== 'endoZipBase64' && record.source!.length === 0) throw invalid(name, 'has an empty "source"');
  return Object.freeze(record) as unknown as Bundle;
};

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Bytes to base64 (RFC 4648, padded), without Node's Buffer (the library runs where the caller runs). */
export const encodeBase64 = (bytes: Uint8Array): string => {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += BASE64[n >> 18]! + BASE64[(n >> 12) & 63]! + BASE64[(n >> 6) & 63]! + BASE64[n & 63]!;
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += BASE64[n >> 18]! + BASE64[(n >> 12) & 63]! + (i + 1 < bytes.length ? BASE64[(n >> 6) & 63]! : '=') + '=';
  }
  return out;
};

/**
 * Base64 (RFC 4648, padding optional, no whitespace) to bytes, without Node's Buffer. A character
 * outside the alphabet, or a length no encoder writes, is an error naming its position.
 */
export const decodeBase64 = (text: string, name = '<base64>'): Uint8Array => {
  if (typeof text !== 'string') throw new CordonError('CORDON_INVALID_ARGUMENT', `${name}: base64 must be a string, not ${describe(text)}`);
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 61) end -= 1;
  if (end > 0 && text.charCodeAt(end - 1) === 61) end -= 1;
  if (end % 4 === 1 || (end !== text.length && text.length % 4 !== 0)) throw new CordonError('CORDON_INVALID_BUNDLE', `${name}: base64 of ${text.length} characters has an impossible length`, { file: name });
  const bytes = new Uint8Array(Math.floor((end * 3) / 4));
  let out = 0;
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < end; i += 1) {
    const c = text.charCodeAt(i);
    const v = c >= 65 && c <= 90 ? c - 65 : c >= 97 && c <= 122 ? c - 71 : c >= 48 && c <= 57 ? c + 4 : c === 43 ? 62 : c === 47 ? 63 : -1;
    if (v < 0) throw new CordonError('CORDON_INVALID_BUNDLE', `${name}: the character ${JSON.stringify(text[i])} at ${i} is not base64`, { file: name });
    buffer = ((buffer << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[out++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes;
};
