/**
 * Orchestration: discover → load → link → import. Endo's names, arguments and options:
 * `loadLocation(readPowers, entry, options)` → `{ import(options) }`, `importLocation(…)` → `{ namespace }`,
 * and the `*FromMap` forms for a compartment map made beforehand.
 */
import { CordonError, isCordonError } from '../diagnostics/index.js';
import { MAP_OPTION_NAMES, mapNodeModules, splitMapOptions, type MapNodeModulesOptions } from '../discover/index.js';
import type { CompileCache, ModuleSourceHookEvent, ModuleTransform, SyncModuleTransform } from '../load/index.js';
import { IMPORT_OPTION_NAMES, link, type ImportOptions } from '../link/index.js';

export type { ImportOptions };
import { specNamespace, type PackageCompartmentMapDescriptor, type ParserForLanguage } from '../model/index.js';
import type { ReadFnOrPowers, ReadPowers } from '../powers/index.js';

const unpackReadPowers = (powers: ReadFnOrPowers): ReadPowers => (typeof powers === 'function' ? { read: powers } : powers);

/** Options read when modules are loaded. */
export interface LoadOptions extends ImportOptions {
  parserForLanguage?: ParserForLanguage | undefined;
  /** Compiled modules kept between runs (`makeNodeCompileCache` from cordon/node-powers.js); needs read powers with `computeSha512`. */
  compileCache?: CompileCache | undefined;
  moduleTransforms?: Readonly<Record<string, ModuleTransform>> | undefined;
  syncModuleTransforms?: Readonly<Record<string, SyncModuleTransform>> | undefined;
  searchSuffixes?: readonly string[] | undefined;
  moduleSourceHook?: ((event: ModuleSourceHookEvent) => void) | undefined;
  log?: ((...args: unknown[]) => void) | undefined;
}

export type LoadLocationOptions = LoadOptions & MapNodeModulesOptions;

const LOAD_OPTIONS = [...IMPORT_OPTION_NAMES, 'parserForLanguage', 'moduleTransforms', 'syncModuleTransforms', 'searchSuffixes', 'moduleSourceHook', 'log', 'compileCache'];

const checkOptions = (options: object, allowed: readonly string[]): void => {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new CordonError('CORDON_INVALID_ARGUMENT', `Unknown option ${JSON.stringify(key)} (known: ${[...allowed].sort().join(', ')})`);
    }
  }
};

export interface Application {
  import(options?: ImportOptions): Promise<{ namespace: Record<string, unknown> }>;
}

/** All load failures of one import, as one error that lists each with its code, package, specifier and file. */
const loadFailure = (entry: string, errors: readonly unknown[], cause: unknown): CordonError => {
  const unique: unknown[] = [];
  const seen = new Set<string>();
  for (const error of errors.length > 0 ? errors : [cause]) {
    const key = error instanceof Error ? `${(error as CordonError).code ?? error.name}:${error.message}` : String(error);
    if (!seen.has(key)) {
      seen.add(key);
      unique.push(error);
    }
  }
  const lines = unique.map(error => (isCordonError(error) ? `  - [${error.code}] ${error.message}` : `  - ${error instanceof Error ? error.message : String(error)}`));
  return new CordonError('CORDON_LOAD_FAILED', `Cannot load ${entry} (${unique.length} problem${unique.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, {
    cause,
    errors: unique,
    hint: unique.length === 1 && isCordonError(unique[0]) ? unique[0].hint : undefined,
  });
};

export const loadFromMap = async (readPowers: ReadFnOrPowers, compartmentMap: PackageCompartmentMapDescriptor, options: LoadOptions = {}): Promise<Application> => {
  checkOptions(options, LOAD_OPTIONS);
  const powers = unpackReadPowers(readPowers);
  return {
    async import(importOptions: ImportOptions = {}) {
      checkOptions(importOptions, [...LOAD_OPTIONS, ...MAP_OPTION_NAMES]);
      const merged = { ...options, ...importOptions };
      const linked = link(compartmentMap, powers, {
        parserForLanguage: merged.parserForLanguage,
        moduleTransforms: merged.moduleTransforms,
        syncModuleTransforms: merged.syncModuleTransforms,
        searchSuffixes: merged.searchSuffixes,
        moduleSourceHook: merged.moduleSourceHook,
        compileCache: merged.compileCache,
        log: merged.log,
        globals: merged.globals,
        globalsFor: merged.globalsFor,
        modules: merged.modules,
        importHook: merged.importHook,
        importNowHook: merged.importNowHook,
        Compartment: merged.Compartment,
        transforms: merged.transforms,
        __shimTransforms__: merged.__shimTransforms__,
        policy: merged.policy,
        policyAudit: merged.policyAudit,
        hostBridge: merged.hostBridge,
      });
      const entry = new URL(linked.entryModule, compartmentMap.entry.compartment).href;
      try {
        await linked.enforcement?.loadAttenuators(specifier => linked.entryCompartment.import(specifier));
        await linked.entryCompartment.load(linked.entryModule);
      } catch (error) {
        throw loadFailure(entry, linked.loader.errors, error);
      }
      const executed = await linked.entryCompartment.import(linked.entryModule);
      await linked.evaluation.settled(executed);
      const namespace = specNamespace(executed as Record<string, unknown>);
      return { namespace };
    },
  };
};

export const importFromMap = async (readPowers: ReadFnOrPowers, compartmentMap: PackageCompartmentMapDescriptor, options: LoadOptions = {}) => {
  const { globals, globalsFor, modules, importHook, importNowHook, Compartment, transforms, __shimTransforms__, policy, policyAudit, hostBridge, ...loadOnly } = options;
  const application = await loadFromMap(readPowers, compartmentMap, loadOnly);
  return application.import(dropUndefined({ globals, globalsFor, modules, importHook, importNowHook, Compartment, transforms, __shimTransforms__, policy, policyAudit, hostBridge }));
};

const dropUndefined = <T extends object>(object: T): T => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;

const splitOptions = (options: LoadLocationOptions) => {
  const { mapOptions, rest } = splitMapOptions(options, LOAD_OPTIONS);
  return { mapOptions, loadOptions: rest as LoadOptions };
};

export const loadLocation = async (readPowers: ReadFnOrPowers, moduleLocation: string, options: LoadLocationOptions = {}): Promise<Application> => {
  const { mapOptions, loadOptions } = splitOptions(options);
  const powers = unpackReadPowers(readPowers);
  const map = await mapNodeModules(powers, moduleLocation, mapOptions);
  return loadFromMap(powers, map, loadOptions);
};

export const importLocation = async (readPowers: ReadFnOrPowers, moduleLocation: string, options: LoadLocationOptions = {}) => {
  const { mapOptions, loadOptions } = splitOptions(options);
  const powers = unpackReadPowers(readPowers);
  const map = await mapNodeModules(powers, moduleLocation, mapOptions);
  return importFromMap(powers, map, loadOptions);
};
