/**
 * Either format → the one form enforcement queries (`NormalizedPolicy`): per canonical name, which
 * packages, globals and builtins a package gets. Everything returned is frozen; sets and maps are
 * read-only wrappers (`FrozenSet`, `FrozenMap`).
 *
 * Endo: an absent `entry` leaves the entry unrestricted; a package the policy does not list gets
 * nothing; `'any'` allows everything of its kind; a globals record gives its truthy keys (`'write'`:
 * write access); an attenuation definition calls an attenuator (an implicit `[params…]` calls the
 * package's `defaultAttenuator`, else the policy's). An implicit definition for a builtin with no
 * default attenuator anywhere is Cordon's member picker: its params are member names.
 *
 * LavaMoat: the root is unrestricted unless `root.usePolicy` names the resource that applies to it;
 * `builtin` keys are `module` or `module.member.path` (`fs/promises.readFile`: module `fs/promises`),
 * without `node:`; a whole module wins over members; `globals` paths are kept as given (`true` and
 * `'read'` → read, `'write'` and `'redefine'` → write, `false` → nothing).
 */
import type {
  AttenuatorCall,
  BuiltinGrant,
  EndoAttenuationDefinition,
  EndoPackagePolicy,
  EndoPolicy,
  GlobalAccess,
  LavaMoatPolicy,
  LavaMoatResourcePolicy,
  NormalizedPolicy,
  PackageGrants,
} from './types.js';
import { checkDottedPath, fieldPath, invalidPolicy, keyPath, Problems } from './problems.js';
import { compareCodePoints, deepFreeze, FrozenMap, FrozenSet, sortedUnique } from './readonly.js';
import { validatePolicy, type PolicyValidationOptions } from './validate.js';
import { isAttenuationDefinition, isExplicitAttenuation } from './validate-endo.js';
import { builtinNameOf } from '../model/index.js';

/** The name of Endo's compartment that runs attenuators. */
export const ATTENUATORS_COMPARTMENT = '<ATTENUATORS>';
/** The canonical name of the entry package. */
export const ROOT_NAME = '$root$';

export interface NormalizeOptions extends PolicyValidationOptions {
  /** Recorded as every grant's `source` (e.g. `"policy.json"`). */
  readonly source?: string | undefined;
  /** The policy's name in messages. */
  readonly where?: string | undefined;
}

interface GrantFields {
  packages: PackageGrants['packages'];
  globals: PackageGrants['globals'];
  globalsAttenuator?: AttenuatorCall | undefined;
  builtins: PackageGrants['builtins'];
  native?: boolean;
  noGlobalFreeze?: boolean;
  source?: string | undefined;
}

const makeGrants = (fields: GrantFields): PackageGrants => {
  const grants = Object.create(null) as Record<string, unknown>;
  grants.packages = fields.packages;
  grants.globals = fields.globals;
  if (fields.globalsAttenuator !== undefined) grants.globalsAttenuator = fields.globalsAttenuator;
  grants.builtins = fields.builtins;
  grants.native = fields.native === true;
  grants.noGlobalFreeze = fields.noGlobalFreeze === true;
  if (fields.source !== undefined) grants.source = fields.source;
  return deepFreeze(grants) as unknown as PackageGrants;
};

/** Nothing allowed: what a package the policy does not list gets. */
export const EMPTY_GRANTS: PackageGrants = makeGrants({ packages: new FrozenSet(), globals: new FrozenMap(), builtins: new FrozenMap() });

/** Endo's `<ATTENUATORS>` compartment: any package (the attenuators), no globals, no builtins. */
const ATTENUATORS_GRANTS: PackageGrants = makeGrants({ packages: 'any', globals: new FrozenMap(), builtins: new FrozenMap() });

/** Read-only collections in code-point order of their keys (so grants do not depend on how a policy was written). */
const sortedSet = (names: Iterable<string>): FrozenSet<string> => new FrozenSet(sortedUnique(names));
const sortedMap = <V>(entries: Iterable<readonly [string, V]>): FrozenMap<string, V> => new FrozenMap([...entries].sort((a, b) => compareCodePoints(a[0], b[0])));

const frozenCall = (attenuate: string, params: readonly unknown[]): AttenuatorCall => deepFreeze({ attenuate, params });

/** Builtin grants for one module given twice (`fs` and `node:fs`): all wins, members join, attenuation conflicts. */
const combineBuiltin = (a: BuiltinGrant, b: BuiltinGrant): BuiltinGrant | undefined => {
  if (a.kind === 'attenuate' || b.kind === 'attenuate') return undefined;
  if (a.kind === 'all' || b.kind === 'all') return { kind: 'all' };
  return { kind: 'members', members: sortedUnique([...a.members, ...b.members]) };
};

const addBuiltin = (builtins: Map<string, BuiltinGrant>, module: string, grant: BuiltinGrant, path: string, problems: Problems): void => {
  const existing = builtins.get(module);
  if (existing === undefined) {
    builtins.set(module, grant);
    return;
  }
  const combined = combineBuiltin(existing, grant);
  if (combined === undefined) problems.add(path, `the builtin ${JSON.stringify(module)} is given twice (with and without "node:") and one of them is attenuated; give it once`);
  else builtins.set(module, combined);
};

// ─── Endo ────────────────────────────────────────────────────────────────────────────────────────

interface EndoContext {
  readonly problems: Problems;
  readonly policyDefault: string | undefined;
  readonly source: string | undefined;
}

const endoCall = (definition: EndoAttenuationDefinition, fallback: string | undefined, path: string, problems: Problems): AttenuatorCall | undefined => {
  if (!Array.isArray(definition)) {
    const explicit = definition as { readonly attenuate: string; readonly params?: readonly unknown[] };
    return frozenCall(explicit.attenuate, explicit.params ?? []);
  }
  if (fallback !== undefined) return frozenCall(fallback, definition);
  problems.add(path, 'an implicit attenuation definition ([params…]) needs a defaultAttenuator, in the package policy or at the top of the policy');
  return undefined;
};

const endoBuiltin = (definition: boolean | EndoAttenuationDefinition, fallback: string | undefined, path: string, problems: Problems): BuiltinGrant | undefined => {
  if (definition === true) return { kind: 'all' };
  if (definition === false) return undefined;
  if (Array.isArray(definition) && fallback === undefined) {
    // Cordon's member picker: the params are member names.
    const members: string[] = [];
    definition.forEach((member: unknown, index: number) => {
      const at = `${path}[${index}]`;
      if (typeof member !== 'string') problems.expected(at, 'a member name (with no defaultAttenuator, the params of a builtin are the members it may use)', member);
      else if (checkDottedPath(member, at, problems)) members.push(member);
    });
    return { kind: 'members', members: sortedUnique(members) };
  }
  const call = endoCall(definition as EndoAttenuationDefinition, fallback, path, problems);
  return call && { kind: 'attenuate', call };
};

const endoGrants = (policy: EndoPackagePolicy, path: string, context: EndoContext): PackageGrants => {
  const { problems } = context;
  const fallback = policy.defaultAttenuator ?? context.policyDefault;
  const packages = policy.packages === 'any' ? 'any' : sortedSet(Object.entries(policy.packages ?? {}).flatMap(([name, allowed]) => (allowed ? [name] : [])));
  let globals: PackageGrants['globals'] = new FrozenMap();
  let globalsAttenuator: AttenuatorCall | undefined;
  const given = policy.globals;
  if (given === 'any') globals = 'any';
  else if (isAttenuationDefinition(given)) {
    globalsAttenuator = endoCall(given, fallback, fieldPath(path, 'globals'), problems);
  } else if (given !== undefined) {
    const access = Object.entries(given as Readonly<Record<string, boolean | 'write'>>).flatMap(([name, value]): [string, GlobalAccess][] =>
      value === 'write' ? [[name, 'write']] : value ? [[name, 'read']] : [],
    );
    globals = sortedMap(access);
  }
  let builtins: PackageGrants['builtins'];
  if (policy.builtins === 'any') builtins = 'any';
  else {
    const map = new Map<string, BuiltinGrant>();
    for (const [specifier, definition] of Object.entries(policy.builtins ?? {})) {
      const at = keyPath(fieldPath(path, 'builtins'), specifier);
      const grant = endoBuiltin(definition, fallback, at, problems);
      if (grant) addBuiltin(map, builtinNameOf(specifier), grant, at, problems);
    }
    builtins = sortedMap(map);
  }
  return makeGrants({ packages, globals, globalsAttenuator, builtins, noGlobalFreeze: policy.noGlobalFreeze === true, source: context.source });
};

const endoAttenuators = (policy: EndoPolicy): string[] => {
  const found: string[] = [];
  const add = (definition: unknown): void => {
    if (isExplicitAttenuation(definition)) found.push(definition.attenuate);
  };
  if (policy.defaultAttenuator !== undefined) found.push(policy.defaultAttenuator);
  for (const packagePolicy of [policy.entry, ...Object.values(policy.resources)]) {
    if (packagePolicy === undefined) continue;
    if (packagePolicy.defaultAttenuator !== undefined) found.push(packagePolicy.defaultAttenuator);
    add(packagePolicy.globals);
    if (packagePolicy.builtins !== undefined && packagePolicy.builtins !== 'any') for (const definition of Object.values(packagePolicy.builtins)) add(definition);
  }
  return sortedUnique(found);
};

const normalizeEndo = (policy: EndoPolicy, options: NormalizeOptions): NormalizedPolicy => {
  const context: EndoContext = { problems: new Problems(), policyDefault: policy.defaultAttenuator, source: options.source };
  const resources = new Map(Object.entries(policy.resources).map(([name, packagePolicy]) => [name, endoGrants(packagePolicy, keyPath('resources', name), context)]));
  const entry = policy.entry === undefined ? undefined : endoGrants(policy.entry, 'entry', context);
  if (context.problems.size > 0) throw invalidPolicy(context.problems.list, options.where);
  const names: string[] = [];
  for (const [name, packagePolicy] of [...Object.entries(policy.resources), ['', policy.entry] as const]) {
    if (name !== '') names.push(name);
    if (packagePolicy?.packages !== undefined && packagePolicy.packages !== 'any') names.push(...Object.keys(packagePolicy.packages));
  }
  return finish({
    format: 'endo',
    grantsFor: (name, isEntry) => (isEntry ? entry : name === ATTENUATORS_COMPARTMENT ? ATTENUATORS_GRANTS : (resources.get(name) ?? EMPTY_GRANTS)),
    names: sortedUnique(names),
    defaultAttenuator: policy.defaultAttenuator,
    attenuators: endoAttenuators(policy),
    original: policy,
  });
};

// ─── LavaMoat ────────────────────────────────────────────────────────────────────────────────────

const lavaMoatGrants = (resource: LavaMoatResourcePolicy, path: string, problems: Problems, source: string | undefined): PackageGrants => {
  const packages = sortedSet(Object.entries(resource.packages ?? {}).flatMap(([name, allowed]) => (allowed ? [name] : [])));
  const globals = sortedMap(
    Object.entries(resource.globals ?? {}).flatMap(([name, value]): [string, GlobalAccess][] =>
      value === 'write' || value === 'redefine' ? [[name, 'write']] : value === true || value === 'read' ? [[name, 'read']] : [],
    ),
  );
  const builtins = new Map<string, BuiltinGrant>();
  for (const [key, allowed] of Object.entries(resource.builtin ?? {})) {
    if (!allowed) continue;
    const bare = builtinNameOf(key);
    const dot = bare.indexOf('.');
    const grant: BuiltinGrant = dot === -1 ? { kind: 'all' } : { kind: 'members', members: [bare.slice(dot + 1)] };
    addBuiltin(builtins, dot === -1 ? bare : bare.slice(0, dot), grant, keyPath(fieldPath(path, 'builtin'), key), problems);
  }
  return makeGrants({ packages, globals, builtins: sortedMap(builtins), native: resource.native === true, source });
};

const normalizeLavaMoat = (policy: LavaMoatPolicy, options: NormalizeOptions): NormalizedPolicy => {
  const problems = new Problems();
  const resources = new Map(Object.entries(policy.resources).map(([name, resource]) => [name, lavaMoatGrants(resource, keyPath('resources', name), problems, options.source)]));
  if (problems.size > 0) throw invalidPolicy(problems.list, options.where);
  const usePolicy = policy.root?.usePolicy;
  const root = usePolicy === undefined ? undefined : (resources.get(usePolicy) ?? EMPTY_GRANTS);
  const names = Object.keys(policy.resources);
  for (const resource of Object.values(policy.resources)) names.push(...Object.keys(resource.packages ?? {}));
  if (usePolicy !== undefined) names.push(usePolicy);
  for (const item of policy.include ?? []) names.push(typeof item === 'string' ? item : item.name);
  return finish({
    format: 'lavamoat',
    grantsFor: (name, isEntry) => (isEntry ? root : (resources.get(name) ?? EMPTY_GRANTS)),
    names: sortedUnique(names),
    attenuators: [],
    original: policy,
  });
};

const finish = (policy: NormalizedPolicy): NormalizedPolicy => {
  const { grantsFor } = policy;
  const result = Object.create(null) as Record<string, unknown>;
  result.format = policy.format;
  result.grantsFor = (canonicalName: string, isEntry: boolean): PackageGrants | undefined =>
    typeof canonicalName === 'string' ? grantsFor(canonicalName, isEntry === true) : EMPTY_GRANTS;
  result.names = policy.names;
  if (policy.defaultAttenuator !== undefined) result.defaultAttenuator = policy.defaultAttenuator;
  result.attenuators = policy.attenuators;
  result.original = policy.original;
  return deepFreeze(result) as unknown as NormalizedPolicy;
};

/** Validates `policy` (either format, told by shape) and normalises it. */
export const normalizePolicy = (policy: EndoPolicy | LavaMoatPolicy, options: NormalizeOptions = {}): NormalizedPolicy => {
  const validated = validatePolicy(policy, options.where, options);
  return validated.format === 'endo' ? normalizeEndo(validated.policy as EndoPolicy, options) : normalizeLavaMoat(validated.policy as LavaMoatPolicy, options);
};
