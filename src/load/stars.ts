/**
 * `export *` resolved by binding, as Node resolves it (see `resolveStars`), from the raw records of the
 * star targets (never their final ones, so cycles cannot deadlock).
 */
import type { ModuleSourceRecord } from '../model/index.js';
import type { Resolution } from './resolve-specifier.js';
import type { CompartmentState } from './targets.js';

/** What `resolveStars` reads of the loader: a compartment's state and a module's raw record. */
export interface StarAccess {
  readonly stateOf: (compartment: string) => CompartmentState;
  readonly loadRaw: (state: CompartmentState, path: string) => Promise<unknown> | unknown;
}

/**
 * SES decides `export *` ambiguity by module: a name two stars reach is dropped even when both lead
 * to the same binding (date-fns's `longFormatters`). Node decides by binding. For a module with two
 * or more stars, Cordon works out which names each star brings and where each binding comes from,
 * and hands SES explicit re-exports instead of the stars: the same names Node gives.
 */
export const resolveStars = async (
descriptor: { source: ModuleSourceRecord; importMeta?: unknown },
state: CompartmentState,
module: string,
access: StarAccess,
): Promise<unknown> => {
  const record = descriptor.source;
  if (!('__syncModuleProgram__' in record) || record.reexports.length < 2) return descriptor;
  const origins = new Map<string, Promise<Map<string, string | null>>>();
  /** name → origin of the binding (or null when ambiguous), for every name a module exports. */
  const exportsOf = (compartment: string, path: string, seen: ReadonlySet<string>): Promise<Map<string, string | null>> => {
    const key = `${compartment}${path}`;
    if (seen.has(key)) return Promise.resolve(new Map());
    let promise = origins.get(key);
    if (!promise) {
      promise = (async () => {
        const targetState = access.stateOf(compartment);
        const loaded = (await access.loadRaw(targetState, path)) as { source: ModuleSourceRecord };
        const source = loaded.source;
        const out = new Map<string, string | null>();
        if (!('__syncModuleProgram__' in source)) {
          for (const name of source.exports) out.set(name, `${key}#${name}`);
          return out;
        }
        for (const [name, [local]] of Object.entries({ ...source.__fixedExportMap__, ...source.__liveExportMap__ })) out.set(name, `${key}#${local}`);
        const targetOf = (specifier: string) => {
          const full = targetState.resolutions.get(path)?.get(specifier);
          const target = full === undefined ? undefined : targetState.targets.get(full);
          return target?.type === 'module' ? target : undefined;
        };
        const inner = new Set([...seen, key]);
        // Every target is loaded at once; the results are then read in order.
        const reexported = Object.entries(source.__reexportMap__);
        const reexportedNames = await Promise.all(
          reexported.map(([specifier]) => {
            const target = targetOf(specifier);
            return target ? exportsOf(target.compartment, target.module, inner) : Promise.resolve(new Map<string, string | null>());
          }),
        );
        reexported.forEach(([specifier, pairs], index) => {
          const target = targetOf(specifier);
          const names = reexportedNames[index]!;
          for (const [importName, exportName] of pairs) {
            out.set(exportName, importName === '*' ? `${target?.compartment}${target?.module}#*` : (names.get(importName) ?? `${key}#${specifier}#${importName}`));
          }
        });
        const starred = new Map<string, string | null>();
        const starTargets = source.reexports.map(targetOf);
        const starNames = await Promise.all(starTargets.map(target => (target ? exportsOf(target.compartment, target.module, inner) : Promise.resolve(new Map<string, string | null>()))));
        for (const names of starNames) {
          for (const [name, origin] of names) {
            if (name === 'default' || out.has(name)) continue;
            const previous = starred.get(name);
            starred.set(name, previous === undefined || previous === origin ? origin : null);
          }
        }
        for (const [name, origin] of starred) out.set(name, origin);
        return out;
      })();
      origins.set(key, promise);
    }
    return promise;
  };
  try {
    const own = new Set(record.exports);
    const chosen = new Map<string, { specifier: string; origin: string | null }>();
    const targets = record.reexports.map(specifier => {
      const full = state.resolutions.get(module)?.get(specifier);
      return full === undefined ? undefined : state.targets.get(full);
    });
    // A star of a host module: leave it to SES.
    if (targets.some(target => target?.type !== 'module')) return descriptor;
    const self = new Set([`${state.descriptor.location}${module}`]);
    const starNames = await Promise.all(targets.map(target => exportsOf((target as Resolution & { type: 'module' }).compartment, (target as Resolution & { type: 'module' }).module, self)));
    for (const [index, specifier] of record.reexports.entries()) {
      for (const [name, origin] of starNames[index]!) {
        if (name === 'default' || own.has(name)) continue;
        const previous = chosen.get(name);
        if (previous === undefined) chosen.set(name, { specifier, origin });
        else if (previous.origin !== origin || origin === null) chosen.set(name, { specifier: previous.specifier, origin: null });
      }
    }
    const reexportMap: Record<string, [string, string][]> = {};
    for (const [specifier, pairs] of Object.entries(record.__reexportMap__)) reexportMap[specifier] = [...pairs];
    const names = [...own];
    for (const [name, { specifier, origin }] of chosen) {
      if (origin === null) continue; // ambiguous: Node leaves it out too
      (reexportMap[specifier] ??= []).push([name, name]);
      names.push(name);
    }
    const source = Object.freeze({ ...record, exports: Object.freeze(names.sort()), reexports: Object.freeze([]), __reexportMap__: Object.freeze(reexportMap) });
    return { ...descriptor, source };
  } catch {
    return descriptor; // a star target failed to load: SES reports it when it links
  }
};
