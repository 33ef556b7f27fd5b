/**
 * A compile cache: the `mjs` and `cjs` parsers (and TypeScript's `mts` and `cts`), wrapped so that a
 * module compiled once is read back instead of compiled again. Pure: the store (`CompileCache`) and the hash come from the caller (Node's
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
 * - TypeScript (`mts`, `cts`) is keyed by the SHA-512 of the TypeScript source; its entry also holds
 *   the stripped text (the bytes the parser answers with), so a hit needs no stripper at all. The
 *   stripper's version is part of the store's fingerprint (`makeNodeCompileCache`).
 */
import { checkPrecompiledCjs, checkPrecompiledModule, type ParserForLanguage, type ParseOptions } from '../model/index.js';
import type { CompiledCommonJs } from './cjs.js';
import { isStrippingParser, markStrippingParser } from './typescript.js';

/** Where compiled modules are kept: synchronous (a `require()` compiles too), by key. */
export interface CompileCache {
  /** Names the compiler that wrote the entries (and the options that shape its output). */
  readonly fingerprint: string;
  get(key: string): Uint8Array | undefined;
  /** Best effort: a store that cannot write (a read-only folder) ignores the entry. */
  set(key: string, bytes: Uint8Array): void;
  /** A store that writes in the background: settles when what was set so far is written (or given up). */
  flush?(): Promise<void>;
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

/** The cached languages and the JavaScript each compiles as. */
const BASE_LANGUAGE = { mjs: 'mjs', cjs: 'cjs', mts: 'mjs', cts: 'cjs' } as const;
type CachedLanguage = keyof typeof BASE_LANGUAGE;
const isTypeScript = (language: CachedLanguage): boolean => BASE_LANGUAGE[language] !== language;

/** The value of a valid entry for `key` (with the stripped `text` of a TypeScript module), or undefined. */
const readEntry = (bytes: Uint8Array | undefined, key: string, language: 'mjs' | 'cjs', typeScript: boolean): { value: CachedMjs | CachedCjs; text?: string } | undefined => {
  if (bytes === undefined) return undefined;
  try {
    const entry = JSON.parse(decoder.decode(bytes)) as { format?: unknown; key?: unknown; value?: Record<string, unknown> };
    if (entry === null || typeof entry !== 'object' || entry.format !== CACHE_ENTRY_FORMAT || entry.key !== key) return undefined;
    if (entry.value === null || typeof entry.value !== 'object') return undefined;
    const { text, ...value } = entry.value;
    if (typeScript ? typeof text !== 'string' : text !== undefined) return undefined;
    const checked = checkValue(value, language);
    return checked === undefined ? undefined : typeScript ? { value: checked, text: text as string } : { value: checked };
  } catch {
    return undefined;
  }
};

/** An entry's value for `language`, validated, or undefined (throws on a record that does not validate). */
const checkValue = (value: Record<string, unknown>, language: 'mjs' | 'cjs'): CachedMjs | CachedCjs | undefined => {
  if (!isStringList(value.dynamicImports)) return undefined;
  if (language === 'mjs') return { record: checkPrecompiledModule(value.record) as unknown as Record<string, unknown>, dynamicImports: value.dynamicImports };
  const { needsImport, dynamicImports, ...compiled } = value;
  if (typeof needsImport !== 'boolean') return undefined;
  return { ...checkPrecompiledCjs(compiled), needsImport, dynamicImports } as CachedCjs;
};

const writeEntry = (key: string, value: unknown): Uint8Array => encoder.encode(JSON.stringify({ format: CACHE_ENTRY_FORMAT, key, value }));

/** Whether a compile must not be served from the cache: a source map is asked for or given. */
const wantsSourceMap = (options: ParseOptions | undefined): boolean => options?.sourceMap !== undefined || options?.sourceMapHook !== undefined || options?.sourceMapUrl !== undefined;

/** What an `mjs`/`cjs` parser answers (`languages.ts`), and how a cached value becomes that answer again. */
export interface CacheCodec {
  readonly toCache: (language: 'mjs' | 'cjs', result: unknown) => unknown;
  readonly fromCache: (language: 'mjs' | 'cjs', value: CachedMjs | CachedCjs, bytes: Uint8Array, specifier: string, location: string, options: ParseOptions | undefined) => unknown;
}

/**
 * The parsers with `mjs`, `cjs`, `mts` and `cts` served from the cache where they can be. A TypeScript
 * parser may answer with a promise (its stripper loads on first use); the entry is written when it settles.
 */
export const withCompileCache = (parsers: ParserForLanguage, cache: CompileCache, computeSha512: (bytes: Uint8Array) => string, codec: CacheCodec, isOwn: (language: CachedLanguage, parser: unknown) => boolean): ParserForLanguage => {
  const wrapped: Record<string, unknown> = { ...parsers };
  for (const language of Object.keys(BASE_LANGUAGE) as CachedLanguage[]) {
    const base = parsers[language];
    const typeScript = isTypeScript(language);
    // Only Cordon's own compilers: a caller's parser may answer anything.
    if (base === undefined || (!typeScript && !base.synchronous) || !isOwn(language, base)) continue;
    const kind = BASE_LANGUAGE[language];
    const parse = (bytes: Uint8Array, specifier: string, location: string, packageLocation: string, options?: ParseOptions): unknown => {
      if (wantsSourceMap(options)) return base.parse(bytes, specifier, location, packageLocation, options);
      const key = `${cache.fingerprint}:${language}:${computeSha512(bytes)}`;
      let stored: Uint8Array | undefined;
      try {
        stored = cache.get(key);
      } catch {
        stored = undefined;
      }
      const found = readEntry(stored, key, kind, typeScript);
      if (found !== undefined) return codec.fromCache(kind, found.value, found.text === undefined ? bytes : encoder.encode(found.text), specifier, location, options);
      const keep = (result: unknown): unknown => {
        try {
          const value = codec.toCache(kind, result) as Record<string, unknown>;
          cache.set(key, writeEntry(key, typeScript ? { ...value, text: decoder.decode((result as { bytes: Uint8Array }).bytes) } : value));
        } catch {
          // Best effort: the module is compiled; the next run compiles it again.
        }
        return result;
      };
      const result: unknown = base.parse(bytes, specifier, location, packageLocation, options);
      return result instanceof Promise ? result.then(keep) : keep(result);
    };
    // `synchronous` read through: a TypeScript parser's turns true once its stripper is loaded.
    const parser = Object.freeze(Object.defineProperties({ parse, heuristicImports: base.heuristicImports }, { synchronous: { get: () => base.synchronous, enumerable: true } }));
    wrapped[language] = isStrippingParser(base) ? markStrippingParser(parser) : parser;
  }
  return Object.freeze(wrapped) as ParserForLanguage;
};

export type { CachedCjs, CachedMjs };
