/**
 * What the loader is given and what it reports: its options (languages, transforms, host modules,
 * the policy's gate, hooks), the module transforms, and the events of the modules it loads.
 */
import type { CompileCache } from '../compile/index.js';
import type { ModuleSourceRecord, PackageCompartmentDescriptor, ParserForLanguage } from '../model/index.js';
import type { Resolution } from './resolve-specifier.js';

/** Endo's module transform: bytes of one language in, bytes (maybe of another language) out. */
export interface TransformResult {
  bytes: Uint8Array;
  parser: string;
  sourceMap?: string | undefined;
}
export type ModuleTransform = (bytes: Uint8Array, specifier: string, location: string, packageLocation: string, details: { sourceMap?: string }) => Promise<TransformResult>;
export type SyncModuleTransform = (bytes: Uint8Array, specifier: string, location: string, packageLocation: string, details: { sourceMap?: string }) => TransformResult;

/** What Endo's `moduleSourceHook` receives. */
export interface ModuleSourceHookEvent {
  readonly moduleSource:
    | { readonly location: string; readonly language: string; readonly bytes: Uint8Array; readonly imports: readonly string[]; readonly exports: readonly string[]; readonly reexports: readonly string[]; readonly sha512?: string | undefined }
    | { readonly exit: string };
  readonly canonicalName: string;
  readonly log: (...args: unknown[]) => void;
}

/** A host module, as link provides it: an SES module descriptor, or `undefined` when there is none. */
export type ExitProvider = (specifier: string, packageLocation: string, sync: boolean) => unknown | Promise<unknown>;

export interface LoaderOptions {
  /** Merged over Cordon's own languages (mjs, cjs, json, text, bytes, pre-mjs-json, pre-cjs-json). */
  readonly parserForLanguage?: ParserForLanguage | undefined;
  readonly moduleTransforms?: Readonly<Record<string, ModuleTransform>> | undefined;
  readonly syncModuleTransforms?: Readonly<Record<string, SyncModuleTransform>> | undefined;
  readonly searchSuffixes?: readonly string[] | undefined;
  /** Bare specifiers served as host modules before `node_modules` (Node's builtins come first). */
  readonly isHostModule: (specifier: string) => boolean;
  /** Whether unknown bare and URL specifiers may go to the exit provider. */
  readonly hasExitHook: boolean;
  readonly exitModule: ExitProvider;
  readonly moduleSourceHook?: ((event: ModuleSourceHookEvent) => void) | undefined;
  readonly log?: ((...args: unknown[]) => void) | undefined;
  /** Receives the source map of each compiled module (Endo's `sourceMapHook` of makeArchive). */
  /** Cordon: compiled modules kept between runs (`makeNodeCompileCache`); needs read powers with `computeSha512`. */
  readonly compileCache?: CompileCache | undefined;
  readonly sourceMapHook?: ((sourceMap: string, details: { compartment: string; module: string; location: string; sha512?: string | undefined }) => void) | undefined;
  /**
   * The policy's check of every resolution (static imports while loading, dynamic ones when they
   * happen); throws to deny. A denied static ESM import fails the load; a denied require throws where
   * it is called.
   */
  readonly gate?: ((compartment: PackageCompartmentDescriptor, resolution: Resolution, where: GateWhere) => void) | undefined;
  /** Under a policy: what a package's `require()` gets of another package's module (its exports view). */
  readonly foreignExports?: ((importer: PackageCompartmentDescriptor, exporter: string, module: string, value: unknown) => unknown) | undefined;
  /** Called for every module loaded from a package (for archives and analysis). */
  readonly onModule?: ((event: LoadedModule) => void) | undefined;
}

export interface GateWhere {
  readonly specifier: string;
  readonly file: string;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
}

export interface LoadedModule {
  readonly compartment: string;
  readonly module: string;
  readonly location: string;
  readonly language: string;
  readonly bytes: Uint8Array;
  readonly record: ModuleSourceRecord;
  /** Literal `import()` specifiers of the module. */
  readonly dynamicImports: readonly string[];
  /** Specifier → what it resolved to. */
  readonly resolutions: ReadonlyMap<string, Resolution | { readonly type: 'error'; readonly error: unknown }>;
}

/** The SES compartment surface the loader hands out in `{ namespace, compartment }` descriptors. */
export type CompartmentLookup = (location: string) => object;
