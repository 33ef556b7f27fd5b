/**
 * The loader's CommonJS side: the names a module offers through `module.exports = require(…)`, the
 * options its parser gets (`require`, `require.resolve`, `require.main`, the exports view of another
 * package under a policy), and file paths as Node names them in require errors.
 */
import { requireErrorOf } from '../diagnostics/index.js';
import { exportsOfCommonJs, stripTypeScript, typeScriptStripperReady } from '../compile/index.js';
import { pathOfFileUrl, type PackageCompartmentDescriptor, type PackageCompartmentMapDescriptor } from '../model/index.js';
import type { ReadPowers } from '../powers/index.js';
import type { ImportKind } from '../resolve/index.js';
import type { LoaderOptions } from './options.js';
import { resolveSpecifier, type Resolution, type ResolveContext } from './resolve-specifier.js';
import type { CompartmentState } from './targets.js';
import type { Loader } from './trampoline.js';

/** What the CommonJS helpers need of the loader. */
export interface CommonJsAccess {
  readonly map: PackageCompartmentMapDescriptor;
  readonly powers: ReadPowers;
  readonly options: LoaderOptions;
  readonly context: ResolveContext;
  /** Module location → its exports analysis (each module is analysed once). */
  readonly analyses: Map<string, ReturnType<typeof exportsOfCommonJs>>;
  /** The entry module's CommonJS `module` object, once it runs (`require.main`). */
  readonly main: { module?: object | undefined };
  readonly resolveNow: (location: string, referrer: string, specifier: string, kind: ImportKind) => string;
  run<T>(generator: Loader<T>, sync: boolean): T | Promise<T>;
}

const decoder = new TextDecoder();

const safePath = (f: () => string): string | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

/** A location as a file path where the powers can make one, else the location itself. */
export const pathOf = (powers: ReadPowers, location: string): string =>
  (powers.fileURLToPath ? safePath(() => powers.fileURLToPath!(location)) : pathOfFileUrl(location)) ?? location;

/** The path (or else the location) of a module of a compartment, as Node names files in errors. */
export const fileOf = (powers: ReadPowers, state: CompartmentState, module: string): string => pathOf(powers, new URL(module, state.descriptor.location).href);

/** What the parser of a module gets besides its bytes (the CommonJS parser uses most of it). */
export const parseOptionsOf = (access: CommonJsAccess, state: CompartmentState, module: string, location: string, reexportedNames: string[] | undefined, sourceMap: string | undefined) => {
  const { powers, options } = access;
  const mainHolder = access.main;
  const filename = powers.fileURLToPath ? safePath(() => powers.fileURLToPath!(location)) : pathOfFileUrl(location);
  const where = state.descriptor.location;
  const isEntry = where === access.map.entry.compartment && module === access.map.entry.module;
  const sourceMapHook = options.sourceMapHook;
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
    resolve: (specifier: string) => access.resolveNow(where, module, specifier, 'require'),
    resolveImport: (specifier: string) => access.resolveNow(where, module, specifier, 'import'),
    requireResolve: (specifier: string) => requireResolve(access, state, module, specifier),
    ...(options.foreignExports ? { requireView: (full: string, value: unknown) => requireView(options, state, full, value) } : {}),
  };
};

/** Under a policy: what `require()` of another package's module gives (its exports view). */
const requireView = (options: LoaderOptions, state: CompartmentState, full: string, value: unknown): unknown => {
  const target = state.targets.get(full);
  if (!target || target.type !== 'module' || target.compartment === state.descriptor.location) return value;
  return options.foreignExports!(state.descriptor, target.compartment, target.module, value);
};

/** `require.resolve`: Cordon's own resolution, as a file path (a host module's name stays a name, as in Node). */
const requireResolve = (access: CommonJsAccess, state: CompartmentState, module: string, specifier: string): string => {
  const full = access.resolveNow(state.descriptor.location, module, specifier, 'require');
  const target = state.targets.get(full);
  // What `require()` would throw (not found, denied by the policy), `require.resolve` throws too.
  if (target && (target.type === 'deferred' || target.type === 'failed')) throw requireErrorOf(target.error, target.specifier, fileOf(access.powers, state, target.referrer));
  if (!target || target.type !== 'module') return specifier;
  return pathOf(access.powers, new URL(target.module, target.compartment).href);
};

/**
 * The text Node's lexer reads: TypeScript's stripped (by then loaded: CommonJS TypeScript loads the
 * stripper before it is compiled); if it cannot be stripped, its parse reports why.
 */
const lexableText = (bytes: Uint8Array, location: string): string => {
  const text = decoder.decode(bytes);
  if (!/\.c?tsx?$/.test(location) || !typeScriptStripperReady()) return text;
  try {
    return stripTypeScript(text, location, bytes);
  } catch {
    return text;
  }
};

/** Names a CommonJS module (or CommonJS TypeScript) offers through `module.exports = require(…)`, as Node computes them. */
export const reexportedNames = (access: CommonJsAccess, state: CompartmentState, module: string, bytes: Uint8Array, sync: boolean): string[] | Promise<string[]> => {
  function* names(compartment: PackageCompartmentDescriptor, path: string, text: string, seen: Set<string>): Loader<string[]> {
    const key = new URL(path, compartment.location).href;
    if (seen.has(key)) return [];
    seen.add(key);
    let analysis = access.analyses.get(key);
    if (!analysis) access.analyses.set(key, (analysis = exportsOfCommonJs(text, key)));
    const out = analysis.exports.filter(name => name !== 'default');
    for (const specifier of analysis.reexports) {
      let resolution: Resolution;
      try {
        resolution = yield* resolveSpecifier(access.context, compartment, path, specifier, 'require');
      } catch {
        continue;
      }
      if (resolution.type !== 'module' || !/\.c?[jt]s$/.test(resolution.module)) continue;
      const target = access.map.compartments[resolution.compartment]!;
      const location = new URL(resolution.module, target.location).href;
      const targetBytes = access.context.probed.get(location) ?? (yield { read: location });
      if (targetBytes === undefined) continue;
      out.push(...(yield* names(target, resolution.module, lexableText(targetBytes, location), seen)));
    }
    return out;
  }
  return access.run(names(state.descriptor, module, lexableText(bytes, new URL(module, state.descriptor.location).href), new Set()), sync);
};
