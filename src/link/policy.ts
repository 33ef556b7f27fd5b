/**
 * A policy, enforced: every way one package reaches another package, a builtin or a global goes
 * through the checks here. The loader asks `checkEdge`/`checkExit` for every resolution (static
 * imports before anything runs; `require`, computed `require`, `import()`, `require.resolve` when
 * they happen), the exit provider asks `exitNamespace` for the package's own view of a builtin, and
 * the compartment maker asks `applyGlobals` for the package's globals.
 */
import { CordonError } from '../diagnostics/index.js';
import { makeExportsGuard, makeMemberView, makePrivateCopy, makePrivateOverlay, makeSharedGlobalCells } from '../endow/index.js';
import { builtinNameOf, LANGUAGE_GLOBALS } from '../model/index.js';
import { denialError, normalizePolicy, type BuiltinGrant, type DeniedKind, type NormalizedPolicy, type PackageGrants } from '../policy/index.js';

export interface Where {
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
  readonly specifier?: string | undefined;
}

/** The requesting package: its canonical name and whether it is the application's entry package. */
export interface Requester {
  readonly canonicalName: string;
  readonly isEntry: boolean;
}

export interface Enforcement {
  /** The policy enforced (absent for the audit, which allows everything). */
  readonly policy?: NormalizedPolicy | undefined;
  grantsOf(requester: Requester): PackageGrants | undefined;
  /**
   * Throws `CORDON_POLICY_DENIED` unless `requester` may import the package `target` (whose package
   * name is `targetName`) as `where.specifier` says: under a policy by its name, never by a path.
   */
  checkEdge(requester: Requester, target: string, where: Where, targetName?: string): void;
  /** What the package gets of the host module `specifier` (`undefined`: unrestricted); throws when denied. */
  checkExit(requester: Requester, specifier: string, where: Where): BuiltinGrant | undefined;
  /** The package's own namespace object for a host module it was granted. */
  exitNamespace(requester: Requester, specifier: string, grant: BuiltinGrant | undefined, moduleExports: unknown): unknown;
  /** Defines the package's granted globals on its global object. */
  applyGlobals(target: Record<PropertyKey, unknown>, requester: Requester, given: Readonly<Record<PropertyKey, PropertyDescriptor>> | undefined): void;
  /**
   * Loads the policy's attenuators (Endo's `attenuate` and `defaultAttenuator`: modules of the entry
   * package's dependencies, imported by `load`), then runs the globals attenuations made so far.
   */
  loadAttenuators(load: (specifier: string) => Promise<unknown>): Promise<void>;
  /** What `requester`'s `require()` gets of the module `key` of package `exporter` (its guarded exports). */
  foreignExports(requester: Requester, exporter: string, key: string, value: unknown): unknown;
}

const harden = <T>(value: T): T => ((globalThis as { harden?: <V>(v: V) => V }).harden ?? Object.freeze)(value);

/**
 * What a whole grant of the `module` builtin gives: its inert members. `createRequire`, `Module`
 * (`new Module().require`), `_load` and the rest load host modules outside the policy; a policy that
 * means to give one names it (`module.createRequire`).
 */
const MODULE_BUILTIN_SAFE = ['builtinModules', 'isBuiltin', 'findSourceMap', 'SourceMap'];

/** A specifier that is a path (relative, absolute, `file:`), not a package's name. */
const PATH_SPECIFIER = /^(?:\.{1,2}(?:\/|$)|\/|file:)/;

/** Names the process object must not give without `native` (addons and raw bindings). */
const NATIVE_MEMBERS = new Set(['dlopen', 'binding', '_linkedBinding']);

export const makeEnforcement = (given: unknown, rootName: string | undefined): Enforcement => {
  const policy = normalizePolicy(given as Parameters<typeof normalizePolicy>[0]);
  const cache = new Map<string, PackageGrants | undefined>();
  const cells = makeSharedGlobalCells();
  const views = new Map<string, { value: unknown; made: unknown }>();
  const attenuators = new Set(policy.attenuators);
  const loaded = new Map<string, Record<string, unknown>>();
  const pendingGlobals: (() => void)[] = [];
  const attenuatorOf = (specifier: string, member: 'attenuateModule' | 'attenuateGlobals', requester: Requester): ((...args: unknown[]) => unknown) => {
    const namespace = loaded.get(specifier);
    const fn = namespace?.[member];
    if (typeof fn !== 'function') {
      throw new CordonError('CORDON_INVALID_POLICY', `Attenuator ${JSON.stringify(specifier)} (for ${requester.canonicalName}) ${namespace ? `does not export a function ${member}` : 'was not loaded'}`, {
        package: requester.canonicalName,
        specifier,
        hint: `An attenuator is a module of a dependency of the entry package that exports ${member}(params, …); check the policy's "attenuate" and "defaultAttenuator".`,
      });
    }
    return fn as (...args: unknown[]) => unknown;
  };

  const grantsOf = ({ canonicalName, isEntry }: Requester): PackageGrants | undefined => {
    const key = `${isEntry ? 'entry' : 'package'}\u0000${canonicalName}`;
    if (!cache.has(key)) cache.set(key, policy.grantsFor(canonicalName, isEntry));
    return cache.get(key);
  };

  const deny = (requester: Requester, kind: DeniedKind, resource: string, where: Where): never => {
    throw denialError({ kind, canonicalName: requester.canonicalName, rootName, resource, format: policy.format, ...where });
  };

  const checkEdge = (requester: Requester, target: string, where: Where, targetName?: string): void => {
    if (target === requester.canonicalName) return;
    const grants = grantsOf(requester);
    const granted = grants === undefined || grants.packages === 'any' || grants.packages.has(target);
    // The entry package reaches the attenuators the policy names (Endo's attenuators compartment).
    if (!granted && !(requester.isEntry && where.specifier !== undefined && attenuators.has(where.specifier))) deny(requester, 'package', target, where);
    // Another package is reached by its name (its `exports` say what it offers), never by a path into its files.
    if (where.specifier !== undefined && PATH_SPECIFIER.test(where.specifier)) {
      throw new CordonError('CORDON_POLICY_DENIED', `Package ${requester.canonicalName} reaches into package ${target} by the path ${JSON.stringify(where.specifier)}`, {
        ...where,
        package: requester.canonicalName,
        hint: `Under a policy a package reaches another only by its name (${JSON.stringify(targetName ?? target)}, and the subpaths its "exports" offer), never by a path into its files.`,
      });
    }
  };

  const builtinGrant = (grants: PackageGrants, name: string): BuiltinGrant | undefined => {
    if (grants.builtins === 'any') return { kind: 'all' };
    const exact = grants.builtins.get(name);
    if (exact) return exact;
    // `fs/promises` comes with the whole of `fs` (it is `fs.promises`).
    const slash = name.indexOf('/');
    if (slash > 0 && grants.builtins.get(name.slice(0, slash))?.kind === 'all') return { kind: 'all' };
    return undefined;
  };

  const checkExit = (requester: Requester, specifier: string, where: Where): BuiltinGrant | undefined => {
    const grants = grantsOf(requester);
    if (grants === undefined) return undefined;
    const name = builtinNameOf(specifier);
    const grant = builtinGrant(grants, name);
    if (grant === undefined) return deny(requester, 'builtin', name, { specifier, ...where });
    return grant;
  };

  /** `process`, minus what needs `native`, and with `getBuiltinModule` checked by the builtins policy. */
  const guardedProcess = (requester: Requester, host: object): object => {
    const grants = grantsOf(requester);
    if (grants === undefined) return host;
    const getBuiltinModule = (id: unknown) => {
      if (typeof id !== 'string') throw new TypeError('The "id" argument must be of type string');
      const grant = checkExit(requester, id, { specifier: id });
      const hostGet = (host as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
      const found = hostGet ? Reflect.apply(hostGet, host, [id]) : undefined;
      return found === undefined ? undefined : exitNamespace(requester, id, grant, found);
    };
    // Writes that would replace one of its functions stay in the package (see makePrivateOverlay).
    return makePrivateOverlay(host, key => {
      if (typeof key === 'string' && NATIVE_MEMBERS.has(key) && !grants.native) return { value: () => deny(requester, 'native', `process.${key}`, {}) };
      if (key === 'getBuiltinModule' && typeof Reflect.get(host, key, host) === 'function') return { value: getBuiltinModule };
      return undefined;
    });
  };

  /** A host object every granted package shares (`console`): what would replace one of its functions stays in the package. */
  const sharedObjects = new Map<string, { value: unknown; made: object }>();
  const guardedShared = (requester: Requester, name: string, value: object): object =>
    rememberFor(sharedObjects, `${requester.canonicalName}\u0000${name}`, value, () => makePrivateOverlay(value));

  const isHostProcess = (value: unknown): boolean =>
    value !== null && typeof value === 'object' && Object.prototype.toString.call(value) === '[object process]';

  const exitNamespace = (requester: Requester, specifier: string, grant: BuiltinGrant | undefined, moduleExports: unknown): unknown => {
    if (grant === undefined) return moduleExports;
    const name = builtinNameOf(specifier);
    return rememberFor(views, `${requester.isEntry ? 'entry' : 'package'}\u0000${requester.canonicalName}\u0000${name}`, moduleExports, () => {
      if (grant.kind === 'all' && name === 'module') return makeMemberView(() => moduleExports, MODULE_BUILTIN_SAFE);
      if (grant.kind === 'members') return makeMemberView(() => moduleExports, grant.members);
      if (isHostProcess(moduleExports)) return guardedProcess(requester, moduleExports as object);
      if (grant.kind === 'all') return makePrivateCopy(moduleExports);
      return attenuatorOf(grant.call.attenuate, 'attenuateModule', requester)(harden([...grant.call.params]), moduleExports);
    });
  };

  const applyGlobals = (target: Record<PropertyKey, unknown>, requester: Requester, given: Readonly<Record<PropertyKey, PropertyDescriptor>> | undefined): void => {
    const grants = grantsOf(requester);
    const descriptors = given ?? {};
    const attenuation = grants?.globalsAttenuator;
    if (attenuation !== undefined) {
      // Endo's globals attenuator: called with the host's globals once the attenuators are loaded.
      giveLanguageGlobals(target, descriptors);
      const attenuate = () => {
        const originals = Object.create(null, descriptors) as object;
        const result = attenuatorOf(attenuation.attenuate, 'attenuateGlobals', requester)(harden([...attenuation.params]), originals, target);
        if (result !== null && typeof result === 'object') Object.assign(target, result);
      };
      // Compartments made after the attenuators are loaded (an archive makes them when first reached) get theirs at once.
      if (loaded.has(attenuation.attenuate)) attenuate();
      else pendingGlobals.push(attenuate);
      return;
    }
    if (grants === undefined || grants.globals === 'any') {
      if (given) Object.defineProperties(target, given);
      if (grants !== undefined && !grants.native && Object.hasOwn(descriptors, 'process')) {
        const host = readGiven(descriptors, 'process');
        if (isHostProcess(host)) Object.defineProperty(target, 'process', { value: guardedProcess(requester, host as object), writable: true, enumerable: false, configurable: true });
      }
      return;
    }
    giveLanguageGlobals(target, descriptors);
    const byName = new Map<string, string[] | true>();
    for (const [path, access] of grants.globals) {
      const dot = path.indexOf('.');
      const name = dot < 0 ? path : path.slice(0, dot);
      if (access === 'write' && dot < 0) {
        cells.define(target, name, () => readGiven(descriptors, name));
        byName.delete(name);
        continue;
      }
      if (Object.hasOwn(target, name) && !Object.hasOwn(descriptors, name)) continue;
      const known = byName.get(name);
      if (dot < 0) byName.set(name, true);
      else if (known !== true) byName.set(name, [...(known ?? []), path.slice(dot + 1)]);
    }
    for (const [name, grant] of byName) {
      if (!Object.hasOwn(descriptors, name)) continue;
      if (grant === true) {
        const value = readGiven(descriptors, name);
        if (isHostProcess(value)) Object.defineProperty(target, name, { value: guardedProcess(requester, value as object), writable: true, enumerable: false, configurable: true });
        else if (value !== null && typeof value === 'object') Object.defineProperty(target, name, { value: guardedShared(requester, name, value as object), writable: true, enumerable: false, configurable: true });
        else Object.defineProperty(target, name, descriptors[name]!);
      } else {
        Object.defineProperty(target, name, { value: makeMemberView(() => readGiven(descriptors, name), grant), writable: true, enumerable: false, configurable: true });
      }
    }
  };

  const loadAttenuators = async (load: (specifier: string) => Promise<unknown>): Promise<void> => {
    for (const specifier of attenuators) {
      if (!loaded.has(specifier)) loaded.set(specifier, (await load(specifier)) as Record<string, unknown>);
    }
    for (const run of pendingGlobals.splice(0)) run();
  };

  const guards = new Map<string, { value: unknown; made: unknown }>();
  const foreignExports = (requester: Requester, exporter: string, key: string, value: unknown): unknown =>
    rememberFor(guards, `${requester.canonicalName}\u0000${key}`, value, () =>
      makeExportsGuard(
        value,
        property =>
          new CordonError('CORDON_FOREIGN_EXPORT_WRITE', `Package ${requester.canonicalName} may not replace ${String(property)}, which package ${exporter} exports: only ${exporter} changes its own functions`, {
            package: requester.canonicalName,
          }),
      ),
    );

  return Object.freeze({ policy, grantsOf, checkEdge, checkExit, exitNamespace, applyGlobals, loadAttenuators, foreignExports });
};

/**
 * The language's own globals are no authority: every package gets those the host gives, whatever its
 * policy (the CLI's Date and Math replace SES's; Float64Array, Intl, WeakRef fill in what SES leaves out).
 */
const giveLanguageGlobals = (target: Record<PropertyKey, unknown>, descriptors: Readonly<Record<PropertyKey, PropertyDescriptor>>): void => {
  for (const name of Reflect.ownKeys(descriptors)) {
    if (typeof name === 'string' && (Object.hasOwn(target, name) || LANGUAGE_GLOBALS.has(name))) Object.defineProperty(target, name, descriptors[name]!);
  }
};

/** What `make` gave for `key` while the host's value is still `value` (views and guards are made once per package). */
const rememberFor = <V>(memo: Map<string, { value: unknown; made: V }>, key: string, value: unknown, make: () => V): V => {
  const known = memo.get(key);
  if (known && known.value === value) return known.made;
  const made = make();
  memo.set(key, { value, made });
  return made;
};

export const readGiven = (descriptors: Readonly<Record<PropertyKey, PropertyDescriptor>>, name: string): unknown => {
  const descriptor = descriptors[name];
  if (!descriptor) return undefined;
  return 'value' in descriptor ? descriptor.value : descriptor.get?.call(undefined);
};
