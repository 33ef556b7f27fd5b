/**
 * The languages Cordon compiles, in Endo's parser shape (`{ parse, heuristicImports, synchronous }`):
 * `mjs`, `cjs`, `json`, `text`, `bytes`, the archived forms `pre-mjs-json`, `pre-cjs-json`, and
 * TypeScript as `mts` (ES module) and `cts` (CommonJS), stripped of its types (`typescript.ts`).
 */
import { CordonError } from '../diagnostics/index.js';
import {
  dirnameOfPath,
  markRequireReturnsDefault,
  lineColumnOf,
  pathOfFileUrl,
  precompiledFields,
  readPrecompiledCjs,
  readPrecompiledModule,
  type ParseFunction,
  type ParseOptions,
  type ParserForLanguage,
  type ParserImplementation,
  type ParseResult,
  type VirtualModuleSource,
} from '../model/index.js';
import { compileCommonJs, evadeCensoredProgram, makeCommonJsModuleSource, type CompiledCommonJs } from './cjs.js';
import { literalDynamicImports, ModuleSource } from './mjs/module-source.js';
import type { SourceMapObject } from './splice.js';
import { withCompileCache, type CacheCodec, type CachedCjs, type CachedMjs, type CompileCache } from './cache.js';
import { loadTypeScriptStripper, markStrippingParser, stripTypeScript, typeScriptStripperReady } from './typescript.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export const decodeText = (bytes: Uint8Array): string => decoder.decode(bytes);

/** A module whose only export is `default`, fixed when it is made. */
export const makeDefaultModuleSource = (value: unknown): VirtualModuleSource =>
  Object.freeze({
    imports: Object.freeze([]),
    exports: Object.freeze(['default']),
    execute(exportsTarget: Record<string, unknown>) {
      exportsTarget.default = value;
      markRequireReturnsDefault(exportsTarget);
    },
  });

/** Parses JSON, reporting a bad document as a CordonError with its line and column. */
export const parseJsonText = (text: string, location: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const at = position ? lineColumnOf(text, Number(position[1])) : undefined;
    throw new CordonError('CORDON_INVALID_JSON', `Cannot parse JSON module: ${message}`, {
      file: location,
      line: at?.line,
      column: at?.column,
      cause: error,
    });
  }
};

const sourceMapHookAdapter = (options: ParseOptions | undefined) => {
  const hook = options?.sourceMapHook;
  if (!hook) return undefined;
  return (map: SourceMapObject, details: Record<string, unknown>) => hook(JSON.stringify(map), details);
};

const parseMjs: ParseFunction = (bytes, _specifier, location, _packageLocation, options) => {
  const record = new ModuleSource(decodeText(bytes), {
    sourceUrl: location,
    sourceMap: options?.sourceMap,
    sourceMapUrl: options?.sourceMapUrl,
    sourceMapHook: sourceMapHookAdapter(options),
  });
  return { parser: 'mjs', bytes, record, dynamicImports: literalDynamicImports(record) };
};

const commonJsRecord = (compiled: CompiledCommonJs | ReturnType<typeof readPrecompiledCjs>, specifier: string, location: string, options: ParseOptions | undefined) => {
  const filename = options?.filename ?? pathOfFileUrl(location);
  return makeCommonJsModuleSource(compiled, {
    specifier,
    location,
    filename,
    dirname: filename === undefined ? undefined : dirnameOfPath(filename),
    resolve: options?.resolve,
    resolveImport: options?.resolveImport,
    requireResolve: options?.requireResolve,
    requireView: options?.requireView,
    main: options?.main,
    reexportedNames: options?.reexportedNames,
  });
};

/** The compiled CommonJS behind a record made by the `cjs` parser (archives reuse it instead of compiling again). */
const compiledCommonJs = new WeakMap<object, CompiledCommonJs>();
export const compiledCommonJsOf = (record: object): CompiledCommonJs | undefined => compiledCommonJs.get(record);

const parseCjs: ParseFunction = (bytes, specifier, location, _packageLocation, options) => {
  // The location names the file in errors only; the compiled text holds no path of this machine.
  const compiled = compileCommonJs(decodeText(bytes), location);
  const record = commonJsRecord(compiled, specifier, location, options);
  compiledCommonJs.set(record, compiled);
  return { parser: 'cjs', bytes, record, dynamicImports: compiled.dynamicImports };
};

const parsePreMjsJson: ParseFunction = (bytes, _specifier, location) => {
  const record = readPrecompiledModule(decodeText(bytes), location);
  const program = `${evadeCensoredProgram(record.__syncModuleProgram__, location)}\n//# sourceURL=${location.replace(/[\r\n\u2028\u2029]/g, '')}`;
  return { parser: 'pre-mjs-json', bytes, record: Object.freeze({ ...record, __syncModuleProgram__: program }) };
};

const parsePreCjsJson: ParseFunction = (bytes, specifier, location, _packageLocation, options) => {
  const read = readPrecompiledCjs(decodeText(bytes), location);
  const compiled = { ...read, source: evadeCensoredProgram(read.source, location) };
  return { parser: 'pre-cjs-json', bytes, record: commonJsRecord(compiled, specifier, location, options) };
};

const parseJson: ParseFunction = (bytes, _specifier, location) => ({
  parser: 'json',
  bytes,
  record: makeDefaultModuleSource(parseJsonText(decodeText(bytes), location)),
});

const parseText: ParseFunction = (bytes, _specifier, _location) => ({
  parser: 'text',
  bytes,
  record: makeDefaultModuleSource(decodeText(bytes)),
});

const parseBytes: ParseFunction = (bytes, _specifier, _location) => ({
  parser: 'bytes',
  bytes,
  record: makeDefaultModuleSource(new Uint8Array(bytes)),
});

const language = (parse: ParseFunction, heuristicImports = false): ParserImplementation =>
  Object.freeze({ parse, heuristicImports, synchronous: true as const });

/**
 * TypeScript: the text with its types blanked (every line and column kept), compiled by the `mjs` or
 * `cjs` parser. The answer names that language and holds the stripped bytes, so archives store
 * `pre-mjs-json`/`pre-cjs-json` records and scripts JavaScript, which any reader runs (Endo's too).
 * Until the stripper is loaded the parse answers with a promise and the language says it is not
 * synchronous (a dynamic `require` is then refused with CORDON_DYNAMIC_REQUIRE_UNAVAILABLE); once it is,
 * both are synchronous.
 */
const typeScript = (base: ParseFunction, heuristicImports: boolean): ParserImplementation => {
  const parse = (bytes: Uint8Array, specifier: string, location: string, packageLocation: string, options?: ParseOptions): ParseResult | Promise<ParseResult> => {
    const compile = () => base(encoder.encode(stripTypeScript(decodeText(bytes), location, bytes)), specifier, location, packageLocation, options);
    return typeScriptStripperReady() ? compile() : loadTypeScriptStripper().then(compile);
  };
  return markStrippingParser(
    Object.freeze({
      parse,
      heuristicImports,
      get synchronous() {
        return typeScriptStripperReady();
      },
    }),
  ) as unknown as ParserImplementation;
};

/** Every language Cordon ships, keyed by language name. */
export const defaultParserForLanguage: ParserForLanguage = Object.freeze({
  mjs: language(parseMjs),
  cjs: language(parseCjs, true),
  json: language(parseJson),
  text: language(parseText),
  bytes: language(parseBytes),
  'pre-mjs-json': language(parsePreMjsJson),
  'pre-cjs-json': language(parsePreCjsJson, true),
  mts: typeScript(parseMjs, false),
  cts: typeScript(parseCjs, true),
});

/** Compiles `mjs`/`cjs` text into its archived JSON form (`pre-mjs-json`/`pre-cjs-json`) bytes. */
export const precompile = (language: 'mjs' | 'cjs', text: string): Uint8Array => {
  if (language === 'mjs') {
    return encoder.encode(JSON.stringify(precompiledFields(new ModuleSource(text) as unknown as Record<string, unknown>)));
  }
  const { imports, exports, reexports, source } = compileCommonJs(text);
  return encoder.encode(JSON.stringify({ imports, exports, reexports, source }));
};

/**
 * The `mjs`/`cjs` answers kept by a compile cache (`cache.ts`), and read back: an ES module as the
 * precompiled record an archive holds (with this location's sourceURL), CommonJS as its compiled
 * wrapper, made into this location's record as the `cjs` parser makes it.
 */
const cacheCodec: CacheCodec = {
  toCache: (lang, result) => {
    const { record, dynamicImports = [] } = result as { record: Record<string, unknown>; dynamicImports?: readonly string[] };
    if (lang === 'mjs') return { record: precompiledFields(record), dynamicImports };
    const compiled = compiledCommonJs.get(record)!;
    return { imports: compiled.imports, exports: compiled.exports, reexports: compiled.reexports, source: compiled.source, needsImport: compiled.needsImport, dynamicImports: compiled.dynamicImports };
  },
  fromCache: (lang, value, bytes, specifier, location, options) => {
    if (lang === 'mjs') {
      const { record, dynamicImports } = value as CachedMjs;
      const program = `${String(record.__syncModuleProgram__)}\n//# sourceURL=${location.replace(/[\r\n\u2028\u2029]/g, '')}`;
      return { parser: 'mjs', bytes, record: Object.freeze({ ...record, __syncModuleProgram__: program }), dynamicImports };
    }
    const compiled = value as CachedCjs as unknown as CompiledCommonJs;
    const record = commonJsRecord(compiled, specifier, location, options);
    compiledCommonJs.set(record, compiled);
    return { parser: 'cjs', bytes, record, dynamicImports: compiled.dynamicImports };
  },
};

/** The parsers with `mjs`, `cjs`, `mts` and `cts` served from a compile cache where they can be (`cache.ts`). */
export const cachingParsers = (parsers: ParserForLanguage, cache: CompileCache, computeSha512: (bytes: Uint8Array) => string): ParserForLanguage =>
  withCompileCache(parsers, cache, computeSha512, cacheCodec, (lang, parser) => parser === defaultParserForLanguage[lang]);
