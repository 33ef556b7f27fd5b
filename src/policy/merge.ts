/**
 * Merging an override over a policy, as LavaMoat merges `policy-override.json` over `policy.json`
 * (and the same per resource for Endo's objects). Both must be in one format.
 *
 * LavaMoat: per resource, `globals`, `builtin`, `packages` and `meta` are shallow-merged with the
 * override winning; `native` is the override's if it has one; `include` is concatenated without
 * duplicates; `root` is shallow-merged; `resolutions` per package. Then, in `globals` and `builtin`,
 * every entry under a present broader one is dropped (an allowed parent covers it, a denied parent
 * denies what a generated policy listed under it), except entries the override itself allows; an
 * allowed entry left under an allowed parent is an error (set the parent to false to narrow it).
 * `builtin` keys are compared without `node:` and written without it.
 *
 * Endo: per resource (and `entry`), `packages`, `globals` and `builtins` records are shallow-merged
 * with the override winning; `'any'` on either side wins; a globals attenuation definition is the
 * override's if it has `globals`; `noGlobalFreeze`, `defaultAttenuator` and `options` are the
 * override's if present.
 */
import type { EndoPackagePolicy, EndoPolicy, HostPermissionGrants, LavaMoatPolicy, LavaMoatResourcePolicy, PolicyFormat } from './types.js';
import { formatMarkers, formatOf } from './detect.js';
import { hierarchyMessage, hierarchyViolations, reduceToTopmost } from './paths.js';
import { Problems, invalidPolicy, keyPath, fieldPath, record } from './problems.js';
import { validatePolicy } from './validate.js';
import { isAttenuationDefinition } from './validate-endo.js';
import { builtinNameOf } from '../model/index.js';

export interface MergeWhere {
  /** The policy's name in messages (e.g. `"lavamoat/node/policy.json"`). */
  readonly policy?: string | undefined;
  /** The override's name in messages (e.g. `"lavamoat/node/policy-override.json"`). */
  readonly override?: string | undefined;
}

type Rec<V> = Readonly<Record<string, V>>;

const entriesOf = <V>(value: Rec<V> | undefined): [string, V][] => (value === undefined ? [] : Object.entries(value));

/** `{...a, ...b}` as a null-prototype record, or `undefined` when both are absent. */
const shallow = <V>(a: Rec<V> | undefined, b: Rec<V> | undefined): Record<string, V> | undefined =>
  a === undefined && b === undefined ? undefined : record([...entriesOf(a), ...entriesOf(b)]);

/** A copy of `source` with only the fields whose value is not `undefined`. */
const defined = (source: Record<string, unknown>): Record<string, unknown> =>
  record(Object.entries(source).filter(([, value]) => value !== undefined));

const has = (value: object | undefined, key: string): boolean => value !== undefined && Object.hasOwn(value, key);

const dedupe = (items: Rec<unknown> | undefined, overrideItems: Rec<unknown> | undefined, path: string, problems: Problems): Record<string, unknown> | undefined => {
  if (items === undefined) return undefined;
  const map = new Map(Object.entries(items));
  reduceToTopmost(map);
  for (const [key, value] of entriesOf(overrideItems)) if (value !== false && !map.has(key)) map.set(key, value);
  for (const violation of hierarchyViolations(map)) problems.add(keyPath(path, violation.path), hierarchyMessage(violation));
  return record(map);
};

const withoutNodePrefix = (builtin: Rec<boolean> | undefined): Rec<boolean> | undefined =>
  builtin && record(Object.entries(builtin).map(([key, value]) => [builtinNameOf(key), value]));

const mergeLavaMoatResource = (a: LavaMoatResourcePolicy | undefined, b: LavaMoatResourcePolicy | undefined, path: string, problems: Problems): LavaMoatResourcePolicy => {
  const overrideBuiltin = withoutNodePrefix(b?.builtin);
  return defined({
    globals: dedupe(shallow(a?.globals, b?.globals), b?.globals, fieldPath(path, 'globals'), problems),
    builtin: dedupe(shallow(withoutNodePrefix(a?.builtin), overrideBuiltin), overrideBuiltin, fieldPath(path, 'builtin'), problems),
    packages: shallow(a?.packages, b?.packages),
    native: has(b, 'native') ? b?.native : a?.native,
    meta: shallow(a?.meta, b?.meta),
    permissions: unitePermissions(a?.permissions, b?.permissions),
  }) as LavaMoatResourcePolicy;
};

/** Host permissions add up: each kind's items, the policy's then the override's new ones. */
const unitePermissions = (a: HostPermissionGrants | undefined, b: HostPermissionGrants | undefined): HostPermissionGrants | undefined => {
  if (a === undefined || b === undefined) return a ?? b;
  const kinds = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof HostPermissionGrants>;
  return record([...kinds].map(kind => [kind, [...new Set([...(a[kind] ?? []), ...(b[kind] ?? [])])]])) as HostPermissionGrants;
};

const includeKey = (item: string | { readonly name: string; readonly entry: string }): string =>
  typeof item === 'string' ? JSON.stringify(item) : JSON.stringify([item.name, item.entry]);

const mergeLavaMoat = (a: LavaMoatPolicy, b: LavaMoatPolicy, problems: Problems): LavaMoatPolicy => {
  const names = new Set([...Object.keys(a.resources), ...Object.keys(b.resources)]);
  const resources = record([...names].map(name => [name, mergeLavaMoatResource(a.resources[name], b.resources[name], keyPath('resources', name), problems)]));
  let include: LavaMoatPolicy['include'];
  if (a.include !== undefined || b.include !== undefined) {
    const unique = new Map([...(a.include ?? []), ...(b.include ?? [])].map(item => [includeKey(item), item]));
    include = [...unique.values()];
  }
  let resolutions: Record<string, unknown> | undefined;
  if (a.resolutions !== undefined || b.resolutions !== undefined) {
    const packages = new Set([...Object.keys(a.resolutions ?? {}), ...Object.keys(b.resolutions ?? {})]);
    resolutions = record([...packages].map(name => [name, shallow(a.resolutions?.[name] as Rec<unknown> | undefined, b.resolutions?.[name] as Rec<unknown> | undefined)]));
  }
  const root = a.root === undefined && b.root === undefined ? undefined : defined({ ...shallow(a.root, b.root), permissions: unitePermissions(a.root?.permissions, b.root?.permissions) });
  return defined({ resources, root, include, resolutions }) as unknown as LavaMoatPolicy;
};

const isGlobalsRecord = (globals: EndoPackagePolicy['globals']): globals is Rec<boolean | 'write'> =>
  globals !== undefined && globals !== 'any' && !isAttenuationDefinition(globals);

const mergeAny = <V>(a: 'any' | Rec<V> | undefined, b: 'any' | Rec<V> | undefined): 'any' | Record<string, V> | undefined =>
  a === 'any' || b === 'any' ? 'any' : shallow(a, b);

const mergeEndoPackage = (a: EndoPackagePolicy | undefined, b: EndoPackagePolicy | undefined): EndoPackagePolicy => {
  let globals: EndoPackagePolicy['globals'];
  if (a?.globals === 'any' || b?.globals === 'any') globals = 'any';
  else if (isGlobalsRecord(a?.globals) && isGlobalsRecord(b?.globals)) globals = shallow(a?.globals, b?.globals);
  else globals = has(b, 'globals') ? b?.globals : a?.globals;
  return defined({
    packages: mergeAny(a?.packages, b?.packages),
    globals,
    builtins: mergeAny(a?.builtins, b?.builtins),
    noGlobalFreeze: has(b, 'noGlobalFreeze') ? b?.noGlobalFreeze : a?.noGlobalFreeze,
    defaultAttenuator: has(b, 'defaultAttenuator') ? b?.defaultAttenuator : a?.defaultAttenuator,
    options: has(b, 'options') ? b?.options : a?.options,
  }) as EndoPackagePolicy;
};

const mergeEndo = (a: EndoPolicy, b: EndoPolicy): EndoPolicy => {
  const names = new Set([...Object.keys(a.resources), ...Object.keys(b.resources)]);
  const resources = record([...names].map(name => [name, mergeEndoPackage(a.resources[name], b.resources[name])]));
  const entry = a.entry === undefined && b.entry === undefined ? undefined : mergeEndoPackage(a.entry, b.entry);
  const defaultAttenuator = has(b, 'defaultAttenuator') ? b.defaultAttenuator : a.defaultAttenuator;
  return defined({ resources, entry, defaultAttenuator }) as unknown as EndoPolicy;
};

/**
 * `override` merged over `policy` (both validated first; they must be in one format). The result is
 * validated and frozen; a hierarchy conflict the merge creates throws `CORDON_INVALID_POLICY`.
 */
export const mergePolicies = (policy: EndoPolicy | LavaMoatPolicy, override: EndoPolicy | LavaMoatPolicy, where: MergeWhere = {}): EndoPolicy | LavaMoatPolicy => {
  const policyFormat = formatOf(formatMarkers(policy));
  const overrideFormat = formatOf(formatMarkers(override));
  let format: PolicyFormat | undefined;
  if (policyFormat !== 'mixed' && overrideFormat !== 'mixed') {
    if (policyFormat !== undefined && overrideFormat !== undefined && policyFormat !== overrideFormat) {
      const problem = (name: string, format: PolicyFormat) => ({ path: '<policy>', message: `${name} is in ${format === 'endo' ? "Endo's" : "LavaMoat's"} format` });
      throw invalidPolicy(
        [problem(where.policy ?? 'the policy', policyFormat), problem(where.override ?? 'the override', overrideFormat)],
        undefined,
        'a policy and its override must both use one format (both LavaMoat\'s or both Endo\'s)',
      );
    }
    format = policyFormat ?? overrideFormat;
  }
  const a = validatePolicy(policy, where.policy, { format });
  const b = validatePolicy(override, where.override ?? 'override', { format: format ?? a.format });
  const problems = new Problems();
  const merged = a.format === 'endo' ? mergeEndo(a.policy as EndoPolicy, b.policy as EndoPolicy) : mergeLavaMoat(a.policy as LavaMoatPolicy, b.policy as LavaMoatPolicy, problems);
  const mergedWhere = `${where.policy ?? 'policy'} + ${where.override ?? 'override'}`;
  if (problems.size > 0) throw invalidPolicy(problems.list, mergedWhere);
  return validatePolicy(merged, mergedWhere, { format: a.format }).policy;
};
