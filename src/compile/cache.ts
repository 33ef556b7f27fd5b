/**
 * A compile cache: the `mjs` and `cjs` parsers, wrapped so that a module compiled once is read back
 * instead of compiled again. Pure: the store (`CompileCache`) and the hash come from the caller (Node's
 * store is `makeNodeCompileCache` in `powers/`).
 *
 * - The key is `<fingerprint>:<language>:<SHA-512 of the source bytes>`; the fingerprint names the
 *   compiler (its own code and its parser's versions) and every option that changes the output, so a
 *   new Cordon never reads an old Cordon's entry as its own.
 * - An entry is untrusted input: JSON `{ format, key, value }` whose key must be the key asked for and
 *   whose value must be a valid record of the language (`readPrecompiledModule`, `readPrecompiledCjs`
 *   plus the fields the loader needs). Anything else — truncated, garbage, another version's, another
 *   module's — is a miss: the module is compiled and the entry written again.
 * - Not used when a source map is asked for (the cache keeps no maps) or the source carries one.
 */
import { checkPrecompiledCjs, checkPrecompiledModule, type ParserForLanguage, type ParseOptions } from '../model/index.js';
import type { CompiledCommonJs } from './cjs.js';

/** Where compiled modules are kept: synchronous (a `require()` compiles too), by key. */
export interface CompileCache {
  /** Names the compiler that wrote the entries (and the options that shape its output). */
  readonly fingerprint: string;
  get(key: string): Uint8Array | undefined;
  /** Best effort: a store that cannot write (a read-only folder) ignores the entry. */
  set(key: string, bytes: Uint8Array): void;
}

export const CACHE_ENTRY_FORMAT = 'cordon-compile-cache-1';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface CachedMjs {
  readonly record: Record<string, unknown>;
  readonly dynamicImports: readonly string[];
}
interface CachedCjs extends Omit<CompiledCommonJs, 'dynamicImports'> {
  readonly dynamicImports: readonly string[];
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every(item => typeof item === 'string');

/** The value of a valid entry for `key`, or undefined. */
const readEntry = (bytes: Uint8Array | undefined, key: string, language: 'mjs' | 'cjs'): CachedMjs | CachedCjs | undefined => {
  if (bytes === undefined) return undefined;
  try {
    const entry = JSON.parse(decoder.decode(bytes)) as { format?: unknown; key?: unknown; value?: Record<string, unknown> };
    if (entry === null || typeof entry !== 'object' || entry.format !== CACHE_ENTRY_FORMAT || entry.key !== key) return undefined;
    const value = entry.value;
    if (value === null || typeof value !== 'object' || !isStringList(value.dynamicImports)) return undefined;
    if (language === 'mjs') return { record: checkPrecompiledModule(value.record) as unknown as Record<string, unknown>, dynamicImports: value.dynamicImports };
    const { needsImport, dynamicImports, ...compiled } = value;
    if (typeof needsImport !== 'boolean') return undefined;
    return { ...checkPrecompiledCjs(compiled), needsImport, dynamicImports } as CachedCjs;
  } catch {
    return undefined;
  }
};

const writeEntry = (key: string, value: unknown): Uint8Array => encoder.encode(JSON.stringify({ format: CACHE_ENTRY_FORMAT, key, value }));

/** Whether a compile must not be served from the cache: a source map is asked for or given. */
const wantsSourceMap = (options: ParseOptions | undefined): boolean => options?.sourceMap !== undefined || options?.sourceMapHook !== undefined || options?.sourceMapUrl !== undefined;

/** What an `mjs`/`cjs` parser answers (`languages.ts`), and how a cached value becomes that answer again. */
export interface CacheCodec {
  readonly toCache: (language: 'mjs' | 'cjs', result: unknown) => unknown;
  readonly fromCache: (language: 'mjs' | 'cjs', value: CachedMjs | CachedCjs, bytes: Uint8Array, specifier: string, location: string, options: ParseOptions | undefined) => unknown;
}

/** The parsers with `mjs` and `cjs` served from the cache where they can be. */
export const withCompileCache = (parsers: ParserForLanguage, cache: CompileCache, computeSha512: (bytes: Uint8Array) => string, codec: CacheCodec, isOwn: (language: 'mjs' | 'cjs', parser: unknown) => boolean): ParserForLanguage => {
  const wrapped: Record<string, unknown> = { ...parsers };
  for (const language of ['mjs', 'cjs'] as const) {
    const base = parsers[language];
    // Only Cordon's own compilers: a caller's parser may answer anything.
    if (base === undefined || !base.synchronous || !isOwn(language, base)) continue;
    wrapped[language] = Object.freeze({
      ...base,
      parse: (bytes: Uint8Array, specifier: string, location: string, packageLocation: string, options?: ParseOptions) => {
        if (wantsSourceMap(options)) return base.parse(bytes, specifier, location, packageLocation, options);
        const key = `${cache.fingerprint}:${language}:${computeSha512(bytes)}`;
        let stored: Uint8Array | undefined;
        try {
          stored = cache.get(key);
        } catch {
          stored = undefined;
        }
        const value = readEntry(stored, key, language);
        if (value !== undefined) return codec.fromCache(language, value, bytes, specifier, location, options);
        const result = base.parse(bytes, specifier, location, packageLocation, options);
        try {
          cache.set(key, writeEntry(key, codec.toCache(language, result)));
        } catch {
          // Best effort: the module is compiled; the next run compiles it again.
        }
        return result;
      },
    });
  }
  return Object.freeze(wrapped) as ParserForLanguage;
};

export type { CachedCjs, CachedMjs };
