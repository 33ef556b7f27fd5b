/**
 * Module sources as SES consumes them, and the JSON forms archives carry. These shapes are shared by
 * the compiler (which makes them), the loader and linker (which hand them to SES) and the archive
 * stages (which write and read them). See ../shared/notes/endo.md §3 for the SES protocol.
 */

/** `{ exportName: [localName, setProxyTrap] }` */
export type LiveExportMap = Record<string, [string, boolean]>;
/** `{ exportName: [localName] }` */
export type FixedExportMap = Record<string, [string]>;
/** `{ specifier: [[importName, exportName], …] }`; importName `'*'` re-exports a namespace. */
export type ReexportMap = Record<string, [string, string][]>;

/** SES's precompiled module source: what `new ModuleSource(text)` is and what `pre-mjs-json` holds. */
export interface PrecompiledModuleSource {
  readonly imports: readonly string[];
  readonly exports: readonly string[];
  readonly reexports: readonly string[];
  readonly __syncModuleProgram__: string;
  readonly __liveExportMap__: LiveExportMap;
  readonly __reexportMap__: ReexportMap;
  readonly __fixedExportMap__: FixedExportMap;
  readonly __needsImport__: boolean;
  readonly __needsImportMeta__: boolean;
  /** Cordon: the module awaits at its top level (its program returns a promise; absent otherwise). */
  readonly __cordonTopLevelAwait__?: true;
}

/** The module-instance surface SES hands a virtual source's `execute`. */
export interface SesCompartmentLike {
  importNow(specifier: string): Record<string, unknown>;
  import(specifier: string): Promise<unknown>;
  module(specifier: string): Record<string, unknown>;
  evaluate(source: string): unknown;
  readonly globalThis: Record<PropertyKey, unknown>;
}

/** SES's virtual module source: exports declared up front, filled by `execute`. */
export interface VirtualModuleSource {
  readonly imports: readonly string[];
  readonly exports: readonly string[];
  readonly reexports?: readonly string[];
  execute(exportsTarget: Record<string, unknown>, compartment: SesCompartmentLike, resolvedImports: Record<string, string>): void;
}

export type ModuleSourceRecord = PrecompiledModuleSource | VirtualModuleSource;

/**
 * `pre-cjs-json`: a compiled CommonJS module as Endo's archives carry it. `source` is a function
 * expression `(function (require, exports, module, __filename, __dirname) { … })`, called with
 * `this` = `module.exports`; Cordon's may take a sixth parameter, the dynamic `import`.
 */
export interface PrecompiledCjsRecord {
  readonly imports: readonly string[];
  readonly exports: readonly string[];
  readonly reexports: readonly string[];
  readonly source: string;
}

/** What a language's `parse` returns (Endo's shape). */
export interface ParseResult {
  /** The language of `bytes` (e.g. `pre-mjs-json` when an archive parser compiled `mjs`). */
  readonly parser: string;
  /** The bytes to archive and hash. */
  readonly bytes: Uint8Array;
  readonly record: ModuleSourceRecord;
  readonly sourceMap?: string | undefined;
  /** Cordon: literal specifiers of the module's `import()` calls (archives include their targets). */
  readonly dynamicImports?: readonly string[] | undefined;
}

/** Options every `parse` may receive from the loader (Endo's names). */
export interface ParseOptions {
  readonly sourceMap?: string | undefined;
  readonly sourceMapHook?: ((sourceMap: string, details: Record<string, unknown>) => void) | undefined;
  readonly sourceMapUrl?: string | undefined;
  readonly readPowers?: unknown;
  readonly compartmentDescriptor?: unknown;
  readonly archiveOnly?: boolean | undefined;
  /** Cordon: the host path of the module, for `__filename` (when the loader knows one). */
  readonly filename?: string | undefined;
  /** Cordon: names a CommonJS module re-exports through `module.exports = require(…)`, resolved by the loader. */
  readonly reexportedNames?: readonly string[] | undefined;
  /** Cordon: resolves a specifier a CommonJS module requires dynamically (to a full specifier). */
  readonly resolve?: ((specifier: string, referrer: string | undefined) => string | undefined) | undefined;
  /** Cordon: resolves a specifier a CommonJS module imports dynamically (`import()`). */
  readonly resolveImport?: ((specifier: string, referrer: string | undefined) => string | undefined) | undefined;
  /** Cordon: `require.main` (the holder of the application's entry module, shared by all modules). */
  readonly main?: { module?: object | undefined; readonly isEntry: boolean } | undefined;
  /** Cordon: `require.resolve` (a file path, as Node returns). */
  readonly requireResolve?: ((specifier: string, options?: unknown) => string) | undefined;
  /** Cordon: what `require()` hands out of a module it loaded, by its full specifier (policy views of other packages' exports). */
  readonly requireView?: ((fullSpecifier: string, value: unknown) => unknown) | undefined;
}

export type ParseFunction = (
  bytes: Uint8Array,
  specifier: string,
  location: string,
  packageLocation: string,
  options?: ParseOptions,
) => ParseResult;

export type AsyncParseFunction = (...args: Parameters<ParseFunction>) => Promise<ParseResult>;

/** A language implementation (Endo's `ParserImplementation`). */
export type ParserImplementation =
  | { readonly parse: ParseFunction; readonly heuristicImports: boolean; readonly synchronous: true }
  | { readonly parse: AsyncParseFunction; readonly heuristicImports: boolean; readonly synchronous: false };

export type ParserForLanguage = Readonly<Record<string, ParserImplementation>>;

