/**
 * One SES Compartment per package of the compartment map, wired to the loader's hooks, with the
 * globals and host modules (exits) it is given. The only folder that touches SES: the `Compartment`
 * installed by `import 'ses'`, or `options.Compartment`.
 */
import { CordonError } from '../diagnostics/index.js';
import { makeCompartmentError, makeOwnFunction, makeOwnSymbol } from '../endow/index.js';
import { ModuleLoader, type LoaderOptions } from '../load/index.js';
import type { ModuleSourceRecord, PackageCompartmentMapDescriptor } from '../model/index.js';
import type { ReadPowers } from '../powers/index.js';
import { makeModuleEvaluation, type ModuleEvaluation } from './evaluation.js';
import { makeExitProvider } from './exits.js';
import { findUnknownCanonicalNames, suggestName, type NormalizedPolicy } from '../policy/index.js';
import { makeEnforcement, type Enforcement, type Requester } from './policy.js';
import { makeAuditEnforcement, type AuditEvent, type AuditRecorder } from './audit.js';

export { makeModuleEvaluation, type ModuleEvaluation, makeExitProvider, makeEnforcement, makeAuditEnforcement, type AuditEvent, type AuditRecorder, type Enforcement, type Requester };

/** An SES module descriptor, as `importHook`s return them. */
export type ModuleDescriptor = object;

export type ImportHook = (specifier: string, packageLocation: string) => ModuleDescriptor | undefined | Promise<ModuleDescriptor | undefined>;
export type ImportNowHook = (specifier: string, packageLocation: string) => ModuleDescriptor | undefined;

export interface CompartmentInstance {
  readonly globalThis: Record<PropertyKey, unknown>;
  import(specifier: string): Promise<unknown>;
  importNow(specifier: string): unknown;
  load(specifier: string): Promise<void>;
  evaluate(source: string, options?: Readonly<Record<string, unknown>>): unknown;
  module(specifier: string): unknown;
}

export type CompartmentConstructor = new (options: Record<string, unknown>) => CompartmentInstance;

/** What an application is given when it is imported (from a location, a map or an archive). */
export interface ImportOptions {
  /** Globals every compartment gets (without a policy, as Endo does). */
  globals?: Readonly<Record<string, unknown>> | undefined;
  /** Globals computed per package (e.g. `global` pointing at its own global object). */
  globalsFor?: ((compartmentGlobalThis: Record<PropertyKey, unknown>, label: string) => Record<string, unknown>) | undefined;
  /** Host modules: specifier → namespace (or any object whose keys become named exports). */
  modules?: Readonly<Record<string, object>> | undefined;
  importHook?: ImportHook | undefined;
  importNowHook?: ImportNowHook | undefined;
  Compartment?: CompartmentConstructor | undefined;
  transforms?: readonly unknown[] | undefined;
  __shimTransforms__?: readonly unknown[] | undefined;
  /** Endo's policy object or LavaMoat's policy.json (see docs/policy.md); absent: nothing restricted. */
  policy?: unknown;
  /** Instead of a policy: allow everything and report every package edge, builtin member and global used (`cordon policy generate --audit`). */
  policyAudit?: AuditRecorder | undefined;
  /** Cordon's host bridge (`cordon/host.js`): each package's own permission-checked host modules and globals. */
  hostBridge?: HostBridge | undefined;
}

/**
 * What the linker asks of a host bridge. Each package gets its own checked builtins and globals
 * (the requester of a host call is the package that holds the object); the policy's views apply on top.
 */
export interface HostBridge {
  /** Told every package's canonical name before anything runs (a grant for an unknown package is an error). */
  packages?(canonicalNames: readonly string[], rootName: string | undefined): void;
  /** What package `canonicalName` gets of the host module `specifier` (given its `module.exports`). */
  module(canonicalName: string, specifier: string, moduleExports: unknown): unknown;
  /** The package's globals: the given descriptors, with its own checked `process`, `fetch` … in place of the host's. */
  globals(canonicalName: string, descriptors: Readonly<Record<PropertyKey, PropertyDescriptor>>): Readonly<Record<PropertyKey, PropertyDescriptor>>;
}

export const IMPORT_OPTION_NAMES: readonly string[] = ['globals', 'globalsFor', 'modules', 'importHook', 'importNowHook', 'Compartment', 'transforms', '__shimTransforms__', 'policy', 'policyAudit', 'hostBridge'];

/** The import hooks a package's compartment is built with. */
export interface CompartmentHooks {
  readonly resolveHook?: ((specifier: string, referrer: string) => string) | undefined;
  readonly importHook: (specifier: string) => unknown;
  readonly importNowHook: (specifier: string) => unknown;
}

/**
 * How every package compartment of one import is made (by `link` and by the archive reader):
 * - its own `Symbol`, `Function` and `Error` (ownGlobals);
 * - its globals: the given ones copied as properties (a lazy accessor stays lazy; their descriptors are
 *   read once for all the compartments), then the per-package ones (`globalsFor`);
 * - its modules share the compartment's evaluator: the hooks hand SES each record with the functor made
 *   by the compartment's own `evaluate` instead of SES building an evaluator per module (a new scope, a
 *   scan of the whole global object and a new optimizer function each time; the result is the same
 *   function in the same global scope), with `__shimTransforms__` applied as SES would;
 * - that functor evaluates under the application's module evaluation (evaluation.ts: top-level await).
 */
const HostError = globalThis.Error as ErrorConstructor & { captureStackTrace?: unknown };
const HostSymbol = globalThis.Symbol;

/** What every package compartment gets of its own before the host's globals (see endow/own-globals.ts, endow/v8-errors.ts). */
export const ownGlobals = (global: Record<PropertyKey, unknown>): void => {
  const define = (name: string, value: unknown) => Object.defineProperty(global, name, { value, writable: true, enumerable: false, configurable: true });
  // Node's name for the global object: an alias of the compartment's own `globalThis`, no authority.
  define('global', global);
  define('Symbol', makeOwnSymbol(HostSymbol));
  define('Function', makeOwnFunction(global.Function as FunctionConstructor, global));
  // V8's stack API (depd, hence express, reads call sites through it), where the host's Error has it.
  if (typeof HostError.captureStackTrace === 'function') define('Error', makeCompartmentError(HostError));
};

export const makeCompartmentMaker = (
  options: ImportOptions,
  enforcement?: Enforcement,
  evaluation: ModuleEvaluation = makeModuleEvaluation(),
): ((label: string, hooks: CompartmentHooks, isEntry?: boolean) => CompartmentInstance) => {
  const Compartment = findCompartmentConstructor(options.Compartment);
  const descriptors = options.globals ? Object.getOwnPropertyDescriptors(options.globals) : undefined;
  const { globalsFor, transforms, __shimTransforms__, hostBridge } = options;
  const transformOptions = { ...(transforms ? { transforms } : {}), ...(__shimTransforms__ ? { __shimTransforms__ } : {}) };
  const moduleEvaluateOptions = __shimTransforms__ ? { transforms: [...__shimTransforms__] } : undefined;
  return (label, hooks, isEntry = false) => {
    const evaluate = (source: string): unknown => compartment.evaluate(source, moduleEvaluateOptions);
    const resolveHook = hooks.resolveHook ?? ((specifier: string) => specifier);
    const bind = (specifier: string, descriptor: unknown): unknown => {
      if (descriptor === null || typeof descriptor !== 'object' || !('source' in descriptor)) return descriptor;
      const source = descriptor.source as ModuleSourceRecord;
      if (source === null || typeof source !== 'object') return descriptor;
      // A compartment's `transforms` apply to its evaluate() but, in SES, not to its modules: with
      // them, SES evaluates each module itself, and module evaluation is SES's (no top-level await).
      if (transforms) {
        if ((source as { __cordonTopLevelAwait__?: boolean }).__cordonTopLevelAwait__) {
          throw new CordonError('CORDON_TOP_LEVEL_AWAIT', `Module ${specifier} of package ${label} awaits at its top level, which needs Cordon's module evaluation; the "transforms" option turns it off`, {
            specifier,
            package: label,
            hint: 'Give module transforms as __shimTransforms__ (they apply to modules), or drop the "transforms" option.',
          });
        }
        return descriptor;
      }
      const referrer = 'specifier' in descriptor && typeof descriptor.specifier === 'string' ? descriptor.specifier : specifier;
      const bound = evaluation.bind(source, compartment, referrer, resolveHook, evaluate);
      return bound === source ? descriptor : { ...descriptor, source: bound };
    };
    const compartment: CompartmentInstance = new Compartment({
      __options__: true,
      name: label,
      ...hooks,
      importHook: async (specifier: string) => bind(specifier, await hooks.importHook(specifier)),
      importNowHook: (specifier: string) => bind(specifier, hooks.importNowHook(specifier)),
      __noNamespaceBox__: true,
      ...transformOptions,
    });
    ownGlobals(compartment.globalThis);
    const given = hostBridge ? hostBridge.globals(label, descriptors ?? {}) : descriptors;
    if (enforcement) enforcement.applyGlobals(compartment.globalThis, { canonicalName: label, isEntry }, given);
    else if (given) Object.defineProperties(compartment.globalThis, given);
    if (globalsFor) Object.assign(compartment.globalThis, globalsFor(compartment.globalThis, label));
    return compartment;
  };
};

export interface LinkOptions extends Omit<LoaderOptions, 'isHostModule' | 'hasExitHook' | 'exitModule' | 'gate' | 'foreignExports'>, Readonly<ImportOptions> {
  /** Load only (for archives): host modules are placeholders, nothing may run. */
  readonly archiveOnly?: boolean | undefined;
}

export interface LinkedApplication {
  readonly loader: ModuleLoader;
  readonly compartments: ReadonlyMap<string, CompartmentInstance>;
  readonly entryCompartment: CompartmentInstance;
  readonly entryModule: string;
  /** The policy in force, when one was given. */
  readonly enforcement?: Enforcement | undefined;
  /** The application's module evaluation: `settled(namespace)` waits for top-level await. */
  readonly evaluation: ModuleEvaluation;
}

export const findCompartmentConstructor = (given: CompartmentConstructor | undefined): CompartmentConstructor => {
  const found = given ?? (globalThis as { Compartment?: CompartmentConstructor }).Compartment;
  if (typeof found !== 'function') {
    throw new CordonError('CORDON_NO_COMPARTMENT', 'No SES Compartment: import "ses" and call lockdown() first, or pass options.Compartment');
  }
  return found;
};

/** Endo's warning for names a policy uses that the application does not have, with the nearest real one. */
const warnUnknownNames = (policy: NormalizedPolicy, known: readonly string[], log: (...args: unknown[]) => void): void => {
  for (const name of findUnknownCanonicalNames(policy, known)) {
    const nearest = suggestName(name, known);
    log(`WARN: the policy names ${JSON.stringify(name)}, which is not a package of this application${nearest === undefined ? '' : ` (did you mean ${JSON.stringify(nearest)}?)`}`);
  }
};

/**
 * What a package gets of a host module, for the exit provider (`viewFor`): its bridge-backed copy
 * (when a host bridge is given), then the policy's view of it (when a policy is given).
 */
export const exitViewOf = (
  enforcement: Enforcement | undefined,
  requesterOf: (key: string) => Requester,
  hostBridge?: HostBridge,
): ((specifier: string, key: string, moduleExports: unknown) => unknown) | undefined => {
  if (!enforcement && !hostBridge) return undefined;
  return (specifier, key, moduleExports) => {
    const requester = requesterOf(key);
    const bridged = hostBridge ? hostBridge.module(requester.canonicalName, specifier, moduleExports) : moduleExports;
    if (!enforcement) return bridged;
    return enforcement.exitNamespace(requester, specifier, enforcement.checkExit(requester, specifier, { specifier }), bridged);
  };
};

/** The policy's enforcement, the audit's, or none. */
export const enforcementOf = (options: ImportOptions, rootName: string | undefined): Enforcement | undefined => {
  if (options.policy !== undefined && options.policyAudit !== undefined) {
    throw new CordonError('CORDON_INVALID_ARGUMENT', 'Give either a policy or a policyAudit recorder, not both');
  }
  if (options.policy !== undefined) return makeEnforcement(options.policy, rootName);
  return options.policyAudit === undefined ? undefined : makeAuditEnforcement(options.policyAudit);
};

/**
 * The requester each compartment of a map stands for (its canonical name; whether it is the entry),
 * made once: a package compartment map (by location) or an archive's (by compartment name).
 */
export const makeRequesters = (map: { readonly compartments: Readonly<Record<string, { readonly label: string }>>; readonly entry: { readonly compartment: string } }): ((key: string) => Requester) => {
  const made = new Map<string, Requester>();
  return location => {
    let requester = made.get(location);
    if (!requester) made.set(location, (requester = Object.freeze({ canonicalName: map.compartments[location]?.label ?? location, isEntry: location === map.entry.compartment })));
    return requester;
  };
};

export const link = (map: PackageCompartmentMapDescriptor, readPowers: ReadPowers, options: LinkOptions): LinkedApplication => {
  const enforcement = enforcementOf(options, map.compartments[map.entry.compartment]?.name);
  if (enforcement?.policy && options.log) warnUnknownNames(enforcement.policy, Object.values(map.compartments).map(c => c.label), options.log);
  const evaluation = makeModuleEvaluation();
  const makeCompartment = makeCompartmentMaker(options, enforcement, evaluation);
  const requesterOf = makeRequesters(map);
  const modules = options.modules ?? {};
  const { importHook, importNowHook } = options;
  const viewFor = exitViewOf(enforcement, requesterOf, options.hostBridge);
  options.hostBridge?.packages?.(Object.values(map.compartments).map(c => c.label), map.compartments[map.entry.compartment]?.name);
  const loader = new ModuleLoader(map, readPowers, {
    ...options,
    isHostModule: specifier => Object.hasOwn(modules, specifier),
    hasExitHook: importHook !== undefined || importNowHook !== undefined,
    exitModule: makeExitProvider(modules, importHook, importNowHook, options.archiveOnly, () => findCompartmentConstructor(options.Compartment), viewFor),
    gate: enforcement
      ? (compartment, resolution, where) => {
          const requester = requesterOf(compartment.location);
          if (resolution.type === 'exit') enforcement.checkExit(requester, resolution.specifier, where);
          else if (resolution.type === 'module' && resolution.compartment !== compartment.location) {
            const target = map.compartments[resolution.compartment];
            enforcement.checkEdge(requester, target?.label ?? resolution.compartment, where, target?.name);
          }
        }
      : undefined,
    foreignExports: enforcement
      ? (importer, exporter, module, value) =>
          enforcement.foreignExports(requesterOf(importer.location), map.compartments[exporter]?.label ?? exporter, `${exporter}\u0000${module}`, value)
      : undefined,
  });
  const compartments = new Map<string, CompartmentInstance>();
  const compartmentOf = (location: string): CompartmentInstance => {
    const found = compartments.get(location);
    if (!found) throw new CordonError('CORDON_INVALID_ARGUMENT', `No compartment for ${location}`);
    return found;
  };
  for (const [location, descriptor] of Object.entries(map.compartments)) {
    compartments.set(location, makeCompartment(descriptor.label, loader.hooksFor(location, compartmentOf), location === map.entry.compartment));
  }
  const entryCompartment = compartmentOf(map.entry.compartment);
  return { loader, compartments, entryCompartment, entryModule: map.entry.module, enforcement, evaluation };
};
