/**
 * The import hooks of every compartment of an application: locate a module in its package, read it
 * through the powers, choose its language, compile it, and resolve its static imports before SES asks
 * for them (so `resolveHook` is a lookup, and CommonJS requires get Node's file probing). One
 * implementation for both drivers: `importHook` (async) and `importNowHook` (sync, dynamic `require`).
 */
import { CordonError, requireErrorOf } from '../diagnostics/index.js';
import { defaultParserForLanguage, exportsOfCommonJs } from '../compile/index.js';
import {
  isNodeBuiltinName,
  pathOfFileUrl,
  type ModuleSourceRecord,
  type PackageCompartmentDescriptor,
  type PackageCompartmentMapDescriptor,
  type ParserForLanguage,

} from '../model/index.js';
import type { ReadNowPowers, ReadPowers } from '../powers/index.js';

const isReadNowPowers = (powers: ReadPowers): powers is ReadNowPowers =>
  typeof (powers as Partial<ReadNowPowers>).maybeReadNow === 'function';
import type { ImportKind } from '../resolve/index.js';
import { resolveSpecifier, type Resolution, type ResolveContext } from './resolve-specifier.js';
import { languageOf, type LanguageContext } from './language.js';
import { resolveStars, type StarAccess } from './stars.js';
import { emptyModule, throwing, type CompartmentState, type Target } from './targets.js';
import { runAsync, runSync, type Loader } from './trampoline.js';

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

/** Line (1-based) and column of the first quoted occurrence of `specifier` in `text`. */
const locate = (text: string, specifier: string): { line?: number; column?: number } => {
  for (const quote of ["'", '"', '`']) {
    const index = text.indexOf(`${quote}${specifier}${quote}`);
    if (index < 0) continue;
    let line = 1;
    let start = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
      line += 1;
      start = i + 1;
    }
    return { line, column: index - start };
  }
  return {};
};

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

const decoder = new TextDecoder();

export class ModuleLoader {
  /** Every load failure, in the order they happened (reported together by the run stage). */
  readonly errors: unknown[] = [];
  readonly #map: PackageCompartmentMapDescriptor;
  readonly #powers: ReadPowers;
  readonly #options: LoaderOptions;
  readonly #parsers: ParserForLanguage;
  readonly #context: ResolveContext;
  readonly #states = new Map<string, CompartmentState>();
  readonly #cjsAnalyses = new Map<string, ReturnType<typeof exportsOfCommonJs>>();
  readonly #maybeRead: (location: string) => Promise<Uint8Array | undefined>;
  /** Module location → its descriptor (or the promise of it): each module is loaded once. */
  readonly #loaded = new Map<string, unknown>();
  readonly #raw = new Map<string, unknown>();
  /** The entry module's CommonJS `module` object, once it runs (`require.main`). */
  readonly #main: { module?: object | undefined } = {};

  constructor(map: PackageCompartmentMapDescriptor, powers: ReadPowers, options: LoaderOptions) {
    this.#map = map;
    this.#powers = powers;
    this.#options = options;
    this.#parsers = { ...defaultParserForLanguage, ...options.parserForLanguage };
    this.#context = {
      map,
      searchSuffixes: options.searchSuffixes,
      isHostModule: options.isHostModule,
      hasExitHook: options.hasExitHook,
      probed: new Map(),
    };
    const { maybeRead, read } = powers;
    this.#maybeRead = maybeRead
      ? location => maybeRead(location)
      : async location => {
          try {
            return await read(location);
          } catch (error) {
            const code = (error as { code?: string })?.code;
            if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
            throw error;
          }
        };
  }

  #state(location: string): CompartmentState {
    let state = this.#states.get(location);
    if (!state) {
      const descriptor = this.#map.compartments[location];
      if (!descriptor) throw new CordonError('CORDON_INVALID_ARGUMENT', `No compartment at ${location} in the compartment map`);
      state = { descriptor, resolutions: new Map(), targets: new Map(), kinds: new Map(), deferredCount: 0 };
      this.#states.set(location, state);
    }
    return state;
  }

  #readNow(): (location: string) => Uint8Array | undefined {
    const powers = this.#powers;
    if (!isReadNowPowers(powers)) {
      return location => {
        throw new CordonError('CORDON_DYNAMIC_REQUIRE_UNAVAILABLE', `Reading ${location} synchronously (for a dynamic require) needs read powers with maybeReadNow`, { file: location });
      };
    }
    return location => powers.maybeReadNow(location);
  }

  #run<T>(generator: Loader<T>, sync: boolean): T | Promise<T> {
    if (!sync) return runAsync(generator, this.#maybeRead);
    return runSync(generator, this.#readNow());
  }

  /** The policy's check (nothing without a policy); `bytes` locates a static import's line. */
  #gate(state: CompartmentState, referrer: string, specifier: string, resolution: Resolution, bytes?: Uint8Array): void {
    const gate = this.#options.gate;
    if (!gate) return;
    const file = new URL(referrer, state.descriptor.location).href;
    let where: GateWhere = { specifier, file };
    if (bytes !== undefined) {
      // Only worked out when the gate denies: the line is for the message.
      try {
        gate(state.descriptor, resolution, where);
        return;
      } catch {
        where = { ...where, ...locate(decoder.decode(bytes), specifier) };
      }
    }
    gate(state.descriptor, resolution, where);
  }

  /** The full specifier (in the referrer's compartment) for what `specifier` names; registers its target. */
  #register(state: CompartmentState, referrer: string, specifier: string, kind: ImportKind, resolution: Resolution): string {
    let full: string;
    let target: Target = resolution;
    if (resolution.type === 'empty') {
      full = `${specifier} (empty)`;
    } else if (resolution.type === 'exit') {
      // A required host module the host lacks throws where it is required (Node's MODULE_NOT_FOUND), not when loading.
      full = kind === 'require' ? `${specifier} (require)` : specifier;
      if (kind === 'require') target = { ...resolution, required: true };
    } else if (resolution.compartment === state.descriptor.location) full = resolution.module;
    else full = kind === 'require' ? `${specifier} (require)` : specifier;
    state.targets.set(full, target);
    let table = state.resolutions.get(referrer);
    if (!table) state.resolutions.set(referrer, (table = new Map()));
    table.set(specifier, full);
    return full;
  }

  #defer(state: CompartmentState, referrer: string, specifier: string, error: unknown, type: 'deferred' | 'failed'): string {
    state.deferredCount += 1;
    const full = `${specifier} (unresolved ${state.deferredCount})`;
    state.targets.set(full, { type, error, specifier, referrer });
    let table = state.resolutions.get(referrer);
    if (!table) state.resolutions.set(referrer, (table = new Map()));
    table.set(specifier, full);
    return full;
  }

  /**
   * The record a module finally got (for an ES module with several `export *`, the one with explicit
   * re-exports that SES links as Node would), once it is loaded; `undefined` if it was not.
   */
  async finalRecord(location: string): Promise<ModuleSourceRecord | undefined> {
    const loaded = this.#loaded.get(location);
    if (loaded === undefined) return undefined;
    const descriptor = (await loaded) as { source?: ModuleSourceRecord };
    return descriptor.source;
  }

  /** Resolves now (sync), for `resolveHook` and dynamic requests; ESM resolution never reads. */
  resolveNow(location: string, referrer: string, specifier: string, kind: ImportKind): string {
    const state = this.#state(location);
    const known = state.resolutions.get(referrer)?.get(specifier);
    if (known !== undefined) return known;
    // ESM resolution reads nothing (unless `searchSuffixes` asks for probing); `require` may.
    const resolution = this.#run(resolveSpecifier(this.#context, state.descriptor, referrer, specifier, kind), true) as Resolution;
    this.#gate(state, referrer, specifier, resolution);
    return this.#register(state, referrer, specifier, kind, resolution);
  }

  /** The hooks of the compartment at `location`. */
  hooksFor(location: string, compartmentOf: CompartmentLookup) {
    const state = this.#state(location);
    const resolveHook = (specifier: string, referrer: string): string => {
      const known = state.resolutions.get(referrer)?.get(specifier);
      if (known !== undefined) return known;
      // Not seen while loading: a dynamic import() (ESM rules, no reads needed).
      return this.resolveNow(location, referrer, specifier, state.kinds.get(referrer) === 'require' ? 'require' : 'import');
    };
    const importHook = async (fullSpecifier: string): Promise<unknown> => this.#import(state, fullSpecifier, compartmentOf, false);
    const importNowHook = (fullSpecifier: string): unknown => this.#import(state, fullSpecifier, compartmentOf, true);
    return { resolveHook, importHook, importNowHook };
  }

  #import(state: CompartmentState, fullSpecifier: string, compartmentOf: CompartmentLookup, sync: boolean): unknown {
    const target = state.targets.get(fullSpecifier) ?? (fullSpecifier.startsWith('./') ? { type: 'module' as const, compartment: state.descriptor.location, module: fullSpecifier } : undefined);
    if (target === undefined) {
      // A full specifier nothing resolved to: someone called compartment.import() with a bare name.
      return this.#import(state, this.resolveNow(state.descriptor.location, './', fullSpecifier, 'import'), compartmentOf, sync);
    }
    switch (target.type) {
      case 'deferred':
        return { source: throwing(requireErrorOf(target.error, target.specifier, this.#fileOf(state, target.referrer))) };
      case 'failed':
        throw this.#note(target.error);
      case 'empty':
        return { source: emptyModule() };
      case 'exit':
        return this.#exit(state, fullSpecifier, target.specifier, sync, 'required' in target);
      default:
        if (target.compartment !== state.descriptor.location) {
          return { namespace: target.module, compartment: compartmentOf(target.compartment) };
        }
        return this.#loadLocal(state, target.module, sync);
    }
  }

  /** The path (or else the location) of a module of a compartment, as Node names files in errors. */
  #fileOf(state: CompartmentState, module: string): string {
    return this.#pathOf(new URL(module, state.descriptor.location).href);
  }

  /** A location as a file path where the powers can make one, else the location itself. */
  #pathOf(location: string): string {
    const powers = this.#powers;
    return (powers.fileURLToPath ? safePath(() => powers.fileURLToPath!(location)) : pathOfFileUrl(location)) ?? location;
  }

  #exit(state: CompartmentState, fullSpecifier: string, specifier: string, sync: boolean, required: boolean): unknown {
    const referrer = [...state.resolutions].find(([, table]) => [...table.values()].includes(fullSpecifier))?.[0];
    const file = referrer === undefined ? undefined : new URL(referrer, state.descriptor.location).href;
    const missing = (): CordonError => {
      const bare = !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(specifier);
      if (bare && isNodeBuiltinName(specifier)) {
        return new CordonError('CORDON_HOST_MODULE_NOT_FOUND', `Package ${state.descriptor.label} imports Node's builtin ${JSON.stringify(specifier)}, which the host does not give`, {
          file,
          specifier,
          package: state.descriptor.label,
          hint: `Give it through the "modules" option or an importHook/importNowHook (the CLI gives Node's builtins); a builtin name never names an npm package, write ${JSON.stringify(`${specifier}/`)} for that.`,
        });
      }
      return (
        bare
          ? new CordonError('CORDON_MODULE_NOT_FOUND', `Cannot find package ${JSON.stringify(specifier)} imported by ${state.descriptor.label}: it is neither a dependency nor a host module`, {
              file,
              specifier,
              package: state.descriptor.label,
            })
          : new CordonError('CORDON_HOST_MODULE_NOT_FOUND', `No host module ${JSON.stringify(specifier)} for package ${state.descriptor.label}`, {
              file,
              specifier,
              package: state.descriptor.label,
            })
      );
    };
    const orElse = (descriptor: unknown): unknown => {
      if (descriptor !== undefined) return descriptor;
      if (required) return { source: throwing(requireErrorOf(missing(), specifier, referrer === undefined ? undefined : this.#fileOf(state, referrer))) };
      throw this.#note(missing());
    };
    this.#options.moduleSourceHook?.({ moduleSource: { exit: specifier }, canonicalName: state.descriptor.label, log: this.#log });
    const provided = this.#options.exitModule(specifier, state.descriptor.location, sync);
    return provided instanceof Promise ? provided.then(orElse) : orElse(provided);
  }

  readonly #log = (...args: unknown[]): void => this.#options.log?.(...args);

  readonly #languageContext: LanguageContext = {
    parsers: () => this.#parsers,
    scopeTypes: new Map(),
    note: error => this.#note(error),
  };

  readonly #starAccess: StarAccess = {
    stateOf: compartment => this.#state(compartment),
    loadRaw: (state, path) => this.#loadRaw(state, path, new URL(path, state.descriptor.location).href, false),
  };

  #note(error: unknown): unknown {
    this.errors.push(error);
    return error;
  }

  #loadLocal(state: CompartmentState, module: string, sync: boolean): unknown {
    const location = new URL(module, state.descriptor.location).href;
    const known = this.#loaded.get(location);
    if (known !== undefined) return known;
    let loaded = this.#loadRaw(state, module, location, sync);
    if (!sync) loaded = Promise.resolve(loaded).then(descriptor => resolveStars(descriptor as { source: ModuleSourceRecord }, state, module, this.#starAccess));
    this.#loaded.set(location, loaded);
    if (loaded instanceof Promise) loaded.catch(() => this.#loaded.delete(location));
    return loaded;
  }

  /** The module as compiled, before `#resolveStars` (which needs other modules' raw records, never their final ones). */
  #loadRaw(state: CompartmentState, module: string, location: string, sync: boolean): unknown {
    const known = this.#raw.get(location);
    if (known !== undefined) return known;
    const loaded = this.#loadLocalOnce(state, module, location, sync);
    this.#raw.set(location, loaded);
    if (loaded instanceof Promise) loaded.catch(() => this.#raw.delete(location));
    return loaded;
  }


  #loadLocalOnce(state: CompartmentState, module: string, location: string, sync: boolean): unknown {
    const descriptor = state.descriptor;
    const language = () => languageOf(this.#languageContext, descriptor, module);
    const finish = (bytes: Uint8Array, lang: string, sourceMap?: string): unknown => {
      const parser = this.#parsers[lang];
      if (!parser) {
        throw this.#note(
          new CordonError('CORDON_NO_PARSER', `No parser for language ${JSON.stringify(lang)} (module ${module} of package ${descriptor.label})`, {
            file: location,
            package: descriptor.label,
          }),
        );
      }
      const kind: ImportKind = parser.heuristicImports ? 'require' : 'import';
      state.kinds.set(module, kind);
      const reexported = lang === 'cjs' ? this.#reexportedNames(state, module, bytes, sync) : undefined;
      const parse = (names: string[] | undefined) => {
        const parseOptions = this.#parseOptions(state, module, location, names, sourceMap);
        if (!parser.synchronous && sync) {
          throw new CordonError('CORDON_DYNAMIC_REQUIRE_UNAVAILABLE', `The parser for ${lang} is asynchronous; ${module} cannot be loaded by a dynamic require`, { file: location });
        }
        return parser.parse(bytes, module, location, descriptor.location, parseOptions);
      };
      const afterParse = (result: { record: ModuleSourceRecord; bytes: Uint8Array; parser: string; dynamicImports?: readonly string[] | undefined }) => this.#resolveImports(state, module, location, lang, result, kind, sync);
      const withNames = (names: string[] | undefined) => {
        let parsed;
        try {
          parsed = parse(names);
        } catch (error) {
          throw this.#note(error);
        }
        return parsed instanceof Promise ? parsed.then(afterParse, error => { throw this.#note(error); }) : afterParse(parsed);
      };
      return reexported instanceof Promise ? reexported.then(withNames) : withNames(reexported);
    };
    const read = this.#context.probed.get(location);
    const afterRead = (bytes: Uint8Array | undefined): unknown => {
      if (bytes === undefined) {
        throw this.#note(
          new CordonError('CORDON_MODULE_NOT_FOUND', `Cannot find module ${module} in package ${descriptor.label}`, { file: location, specifier: module, package: descriptor.label }),
        );
      }
      const lang = this.#run(language(), sync);
      const transform = (chosen: string): unknown => {
        const asyncTransform = this.#options.moduleTransforms?.[chosen];
        const syncTransform = this.#options.syncModuleTransforms?.[chosen];
        if (asyncTransform && !sync) {
          return asyncTransform(bytes, module, location, descriptor.location, {}).then(r => finish(r.bytes, r.parser, r.sourceMap));
        }
        if (syncTransform) {
          const r = syncTransform(bytes, module, location, descriptor.location, {});
          return finish(r.bytes, r.parser, r.sourceMap);
        }
        return finish(bytes, chosen);
      };
      return lang instanceof Promise ? lang.then(transform) : transform(lang);
    };
    if (read !== undefined) return afterRead(read);
    const bytes = this.#run(this.#read(location), sync);
    return bytes instanceof Promise ? bytes.then(afterRead) : afterRead(bytes);
  }

  *#read(location: string): Loader<Uint8Array | undefined> {
    return yield { read: location };
  }

  #parseOptions(state: CompartmentState, module: string, location: string, reexportedNames: string[] | undefined, sourceMap: string | undefined) {
    const powers = this.#powers;
    const mainHolder = this.#main;
    const filename = powers.fileURLToPath ? safePath(() => powers.fileURLToPath!(location)) : pathOfFileUrl(location);
    const where = state.descriptor.location;
    const isEntry = where === this.#map.entry.compartment && module === this.#map.entry.module;
    const sourceMapHook = this.#options.sourceMapHook;
    return {
      ...(sourceMapHook
        ? { sourceMapHook: (sourceMap: string) => sourceMapHook(sourceMap, { compartment: state.descriptor.label, module, location, sha512: undefined }) }
        : {}),
      main: {
        isEntry,
        get module(): object | undefined {
          return mainHolder.module;
        },
        set module(value: object | undefined) {
          if (isEntry) mainHolder.module = value;
        },
      },
      readPowers: powers,
      compartmentDescriptor: state.descriptor,
      sourceMap,
      filename,
      reexportedNames,
      resolve: (specifier: string) => this.resolveNow(where, module, specifier, 'require'),
      resolveImport: (specifier: string) => this.resolveNow(where, module, specifier, 'import'),
      requireResolve: (specifier: string) => this.#requireResolve(state, module, specifier),
      ...(this.#options.foreignExports ? { requireView: (full: string, value: unknown) => this.#requireView(state, full, value) } : {}),
    };
  }

  #requireView(state: CompartmentState, full: string, value: unknown): unknown {
    const target = state.targets.get(full);
    if (!target || target.type !== 'module' || target.compartment === state.descriptor.location) return value;
    return this.#options.foreignExports!(state.descriptor, target.compartment, target.module, value);
  }

  /** `require.resolve`: Cordon's own resolution, as a file path (a host module's name stays a name, as in Node). */
  #requireResolve(state: CompartmentState, module: string, specifier: string): string {
    const full = this.resolveNow(state.descriptor.location, module, specifier, 'require');
    const target = state.targets.get(full);
    // What `require()` would throw (not found, denied by the policy), `require.resolve` throws too.
    if (target && (target.type === 'deferred' || target.type === 'failed')) throw requireErrorOf(target.error, target.specifier, this.#fileOf(state, target.referrer));
    if (!target || target.type !== 'module') return specifier;
    return this.#pathOf(new URL(target.module, target.compartment).href);
  }

  /** Names a CommonJS module offers through `module.exports = require(…)`, as Node computes them. */
  #reexportedNames(state: CompartmentState, module: string, bytes: Uint8Array, sync: boolean): string[] | Promise<string[]> {
    const loader = this;
    function* names(compartment: PackageCompartmentDescriptor, path: string, text: string, seen: Set<string>): Loader<string[]> {
      const key = new URL(path, compartment.location).href;
      if (seen.has(key)) return [];
      seen.add(key);
      let analysis = loader.#cjsAnalyses.get(key);
      if (!analysis) loader.#cjsAnalyses.set(key, (analysis = exportsOfCommonJs(text, key)));
      const out = analysis.exports.filter(name => name !== 'default');
      for (const specifier of analysis.reexports) {
        let resolution: Resolution;
        try {
          resolution = yield* resolveSpecifier(loader.#context, compartment, path, specifier, 'require');
        } catch {
          continue;
        }
        if (resolution.type !== 'module' || !/\.c?js$/.test(resolution.module)) continue;
        const target = loader.#map.compartments[resolution.compartment]!;
        const location = new URL(resolution.module, target.location).href;
        const targetBytes = loader.#context.probed.get(location) ?? (yield { read: location });
        if (targetBytes === undefined) continue;
        out.push(...(yield* names(target, resolution.module, decoder.decode(targetBytes), seen)));
      }
      return out;
    }
    return this.#run(names(state.descriptor, module, decoder.decode(bytes), new Set()), sync);
  }

  /** Resolves every static import of a freshly parsed module; heuristic (CommonJS) failures are deferred. */
  #resolveImports(
    state: CompartmentState,
    module: string,
    location: string,
    language: string,
    result: { record: ModuleSourceRecord; bytes: Uint8Array; parser: string; dynamicImports?: readonly string[] | undefined },
    kind: ImportKind,
    sync: boolean,
  ): unknown {
    const { record } = result;
    const descriptor = state.descriptor;
    const loader = this;
    function* resolveAll(): Loader<void> {
      for (const specifier of record.imports) {
        if (state.resolutions.get(module)?.has(specifier)) continue;
        try {
          const resolution = yield* resolveSpecifier(loader.#context, descriptor, module, specifier, kind);
          loader.#gate(state, module, specifier, resolution, result.bytes);
          loader.#register(state, module, specifier, kind, resolution);
        } catch (error) {
          loader.#defer(state, module, specifier, error, kind === 'require' ? 'deferred' : 'failed');
        }
      }
    }
    const done = (): unknown => {
      const targets = state.targets;
      const resolutionsNow = () =>
        new Map(
          [...(state.resolutions.get(module) ?? new Map<string, string>())].map(([specifier, full]): [string, LoadedModule['resolutions'] extends ReadonlyMap<string, infer V> ? V : never] => {
            const target = targets.get(full)!;
            return [specifier, 'error' in target ? { type: 'error', error: target.error } : target];
          }),
        );
      this.#options.onModule?.({
        compartment: descriptor.location,
        module,
        location,
        language: result.parser,
        bytes: result.bytes,
        record,
        dynamicImports: result.dynamicImports ?? [],
        // Read when needed: dynamic imports resolved later (for archives) appear here too.
        get resolutions() {
          return resolutionsNow();
        },
      });
      this.#options.moduleSourceHook?.({
        moduleSource: {
          location,
          language,
          bytes: result.bytes,
          imports: record.imports,
          exports: record.exports,
          reexports: record.reexports ?? [],
          sha512: this.#powers.computeSha512?.(result.bytes),
        },
        canonicalName: descriptor.label,
        log: this.#log,
      });
      return { source: record, importMeta: { url: location } };
    };
    if (sync) {
      runSync(resolveAll(), this.#readNow());
      return done();
    }
    // Asynchronously, every import is resolved at once (their probing reads overlap).
    const resolveOne = function* (specifier: string): Loader<void> {
      try {
        const resolution = yield* resolveSpecifier(loader.#context, descriptor, module, specifier, kind);
        loader.#gate(state, module, specifier, resolution, result.bytes);
        loader.#register(state, module, specifier, kind, resolution);
      } catch (error) {
        loader.#defer(state, module, specifier, error, kind === 'require' ? 'deferred' : 'failed');
      }
    };
    const pending = [...new Set(record.imports)].filter(specifier => !state.resolutions.get(module)?.has(specifier));
    return Promise.all(pending.map(specifier => runAsync(resolveOne(specifier), this.#maybeRead))).then(done);
  }
}

const safePath = (f: () => string): string | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};
