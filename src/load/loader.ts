/**
 * The import hooks of every compartment of an application: locate a module in its package, read it
 * through the powers, choose its language, compile it, and resolve its static imports before SES asks
 * for them (so `resolveHook` is a lookup, and CommonJS requires get Node's file probing). One
 * implementation for both drivers: `importHook` (async) and `importNowHook` (sync, dynamic `require`).
 * The CommonJS side is in `commonjs.ts`, host modules in `host-modules.ts`, static imports in
 * `static-imports.ts`.
 */
import { CordonError, requireErrorOf } from '../diagnostics/index.js';
import { cachingParsers, defaultParserForLanguage, type exportsOfCommonJs } from '../compile/index.js';
import type { ModuleSourceRecord, PackageCompartmentMapDescriptor, ParserForLanguage } from '../model/index.js';
import type { ReadNowPowers, ReadPowers } from '../powers/index.js';
import type { ImportKind } from '../resolve/index.js';
import { fileOf, parseOptionsOf, reexportedNames, type CommonJsAccess } from './commonjs.js';
import { gateResolution } from './gate.js';
import { loadExit, type ExitAccess } from './host-modules.js';
import { languageOf, type LanguageContext } from './language.js';
import type { CompartmentLookup, LoaderOptions } from './options.js';
import { resolveSpecifier, type Resolution, type ResolveContext } from './resolve-specifier.js';
import { resolveStars, type StarAccess } from './stars.js';
import { resolveImports, type ImportsAccess, type ParsedModule } from './static-imports.js';
import { emptyModule, register, throwing, type CompartmentState } from './targets.js';
import { runAsync, runSync, type Loader } from './trampoline.js';

const isReadNowPowers = (powers: ReadPowers): powers is ReadNowPowers =>
  typeof (powers as Partial<ReadNowPowers>).maybeReadNow === 'function';

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
  /** What the helpers of the other files get of the loader (made in the constructor). */
  readonly #commonJs: CommonJsAccess;
  readonly #exitAccess: ExitAccess;
  readonly #importsAccess: ImportsAccess;

  constructor(map: PackageCompartmentMapDescriptor, powers: ReadPowers, options: LoaderOptions) {
    this.#map = map;
    this.#powers = powers;
    this.#options = options;
    const parsers = { ...defaultParserForLanguage, ...options.parserForLanguage };
    // A compile cache serves Cordon's own mjs/cjs compilers, keyed by the SHA-512 of each source.
    const { compileCache } = options;
    this.#parsers = compileCache && powers.computeSha512 && !options.sourceMapHook ? cachingParsers(parsers, compileCache, powers.computeSha512) : parsers;
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
    const run = <T>(generator: Loader<T>, sync: boolean): T | Promise<T> => this.#run(generator, sync);
    this.#commonJs = {
      map,
      powers,
      options,
      context: this.#context,
      analyses: this.#cjsAnalyses,
      main: this.#main,
      resolveNow: (location, referrer, specifier, kind) => this.resolveNow(location, referrer, specifier, kind),
      run,
    };
    this.#exitAccess = { options, powers, log: this.#log, note: error => this.#note(error) };
    this.#importsAccess = { context: this.#context, options, powers, log: this.#log, run };
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
    gateResolution(this.#options.gate, state, referrer, specifier, resolution);
    return register(state, referrer, specifier, kind, resolution);
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
        return { source: throwing(requireErrorOf(target.error, target.specifier, fileOf(this.#powers, state, target.referrer))) };
      case 'failed':
        throw this.#note(target.error);
      case 'empty':
        return { source: emptyModule() };
      case 'exit':
        return loadExit(this.#exitAccess, state, fullSpecifier, target.specifier, sync, 'required' in target);
      default:
        if (target.compartment !== state.descriptor.location) {
          return { namespace: target.module, compartment: compartmentOf(target.compartment) };
        }
        return this.#loadLocal(state, target.module, sync);
    }
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
    const language = (bytes: Uint8Array) => languageOf(this.#languageContext, descriptor, module, bytes);
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
      const reexported = lang === 'cjs' || lang === 'cts' ? reexportedNames(this.#commonJs, state, module, bytes, sync) : undefined;
      const parse = (names: string[] | undefined) => {
        const parseOptions = parseOptionsOf(this.#commonJs, state, module, location, names, sourceMap);
        if (!parser.synchronous && sync) {
          throw new CordonError('CORDON_DYNAMIC_REQUIRE_UNAVAILABLE', `The parser for ${lang} is asynchronous; ${module} cannot be loaded by a dynamic require`, { file: location });
        }
        return parser.parse(bytes, module, location, descriptor.location, parseOptions);
      };
      const afterParse = (result: ParsedModule) => resolveImports(this.#importsAccess, state, module, location, lang, result, kind, sync);
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
      const lang = this.#run(language(bytes), sync);
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
}
