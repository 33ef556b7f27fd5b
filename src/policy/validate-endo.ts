/**
 * Endo's policy object (`@endo/compartment-mapper`'s `options.policy`): every problem reported with
 * its JSON path, and a clean copy of what was valid (null-prototype records, own data only).
 */
import { builtinNameOf } from '../model/index.js';
import type { EndoAttenuationDefinition, EndoPackagePolicy, EndoPolicy } from './types.js';
import {
  checkBoolean,
  checkCanonicalName,
  checkKeys,
  checkString,
  copyJsonValue,
  fieldPath,
  indexPath,
  keyPath,
  MAX_RESOURCES,
  type Problems,
  readArray,
  readObject,
  record,
} from './problems.js';

const TOP_KEYS = ['resources', 'entry', 'defaultAttenuator'];
const PACKAGE_KEYS = ['packages', 'globals', 'builtins', 'noGlobalFreeze', 'defaultAttenuator', 'options'];

const explainPackageKey = (key: string): string | undefined =>
  key === 'dynamic' ? 'unknown key ("dynamic" is in Endo\'s types but its validator refuses it, and so does Cordon)' : undefined;

/** `{ attenuate: '…', … }`: an explicit attenuation definition (a globals record may have a global named `attenuate`). */
export const isExplicitAttenuation = (value: unknown): value is { readonly attenuate: string; readonly params?: readonly unknown[] } => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const descriptor = Reflect.getOwnPropertyDescriptor(value, 'attenuate');
  return descriptor !== undefined && 'value' in descriptor && typeof descriptor.value === 'string';
};

/** An attenuation definition, implicit (`[params…]`) or explicit, rather than a record. */
export const isAttenuationDefinition = (value: unknown): value is EndoAttenuationDefinition => Array.isArray(value) || isExplicitAttenuation(value);

const readParams = (value: unknown, path: string, problems: Problems): unknown[] | undefined =>
  readArray(value, path, problems)?.map((param, index) => copyJsonValue(param, indexPath(path, index), problems, 2));

/** `[param, …]` (non-empty) or `{ attenuate, params? }`. */
export const readAttenuationDefinition = (value: unknown, path: string, problems: Problems): EndoAttenuationDefinition | undefined => {
  if (Array.isArray(value)) {
    const params = readParams(value, path, problems);
    if (params && params.length === 0) problems.add(path, 'an implicit attenuation definition needs at least one param');
    return params;
  }
  const entries = readObject(value, path, problems);
  if (!entries) return undefined;
  checkKeys(entries, ['attenuate', 'params'], path, problems);
  const fields = new Map(entries);
  const definition: { attenuate?: string; params?: unknown[] } = Object.create(null);
  const attenuate = fields.get('attenuate');
  if (checkString(attenuate, fieldPath(path, 'attenuate'), problems)) definition.attenuate = attenuate;
  if (fields.has('params')) {
    const params = readParams(fields.get('params'), fieldPath(path, 'params'), problems);
    if (params) definition.params = params;
  }
  return definition as EndoAttenuationDefinition;
};

const readPackages = (value: unknown, path: string, problems: Problems): EndoPackagePolicy['packages'] => {
  if (value === 'any') return 'any';
  const entries = readObject(value, path, problems);
  if (!entries) return undefined;
  const items: [string, boolean][] = [];
  for (const [name, allowed] of entries) {
    const at = keyPath(path, name);
    const validName = checkCanonicalName(name, at, problems);
    if (checkBoolean(allowed, at, problems) && validName) items.push([name, allowed]);
  }
  return record(items);
};

const readGlobals = (value: unknown, path: string, problems: Problems): EndoPackagePolicy['globals'] => {
  if (value === 'any') return 'any';
  if (isAttenuationDefinition(value)) return readAttenuationDefinition(value, path, problems);
  const entries = readObject(value, path, problems);
  if (!entries) return undefined;
  const items: [string, boolean | 'write'][] = [];
  for (const [name, access] of entries) {
    const at = keyPath(path, name);
    if (name === '') problems.add(at, 'a global name may not be empty');
    else if (access === true || access === false || access === 'write') items.push([name, access]);
    else problems.expected(at, 'true, false or "write"', access);
  }
  return record(items);
};

const readBuiltins = (value: unknown, path: string, problems: Problems): EndoPackagePolicy['builtins'] => {
  if (value === 'any') return 'any';
  const entries = readObject(value, path, problems);
  if (!entries) return undefined;
  const items: [string, boolean | EndoAttenuationDefinition][] = [];
  for (const [specifier, grant] of entries) {
    const at = keyPath(path, specifier);
    const bare = builtinNameOf(specifier);
    if (bare === '' || bare.split('/').includes('')) {
      problems.add(at, `${JSON.stringify(specifier)} is not a builtin module specifier`);
      continue;
    }
    if (typeof grant === 'boolean') items.push([specifier, grant]);
    else if (grant !== null && typeof grant === 'object') {
      const definition = readAttenuationDefinition(grant, at, problems);
      if (definition) items.push([specifier, definition]);
    } else problems.expected(at, 'true, false or an attenuation definition', grant);
  }
  return record(items);
};

/** One package policy (a resource, or `entry`). */
export const readEndoPackagePolicy = (value: unknown, path: string, problems: Problems): EndoPackagePolicy | undefined => {
  const entries = readObject(value, path, problems);
  if (!entries) return undefined;
  checkKeys(entries, PACKAGE_KEYS, path, problems, explainPackageKey);
  const result: Record<string, unknown> = Object.create(null);
  for (const [key, item] of entries) {
    const at = fieldPath(path, key);
    if (key === 'packages') result.packages = readPackages(item, at, problems);
    else if (key === 'globals') result.globals = readGlobals(item, at, problems);
    else if (key === 'builtins') result.builtins = readBuiltins(item, at, problems);
    else if (key === 'noGlobalFreeze') result.noGlobalFreeze = checkBoolean(item, at, problems) ? item : undefined;
    else if (key === 'defaultAttenuator') result.defaultAttenuator = checkString(item, at, problems) ? item : undefined;
    else if (key === 'options') result.options = copyJsonValue(item, at, problems, 1);
  }
  return result as EndoPackagePolicy;
};

/** Checks `entries` (the top-level properties) as Endo's format; the clean copy. */
export const readEndoPolicy = (entries: readonly [string, unknown][], problems: Problems): EndoPolicy => {
  checkKeys(entries, TOP_KEYS, '', problems);
  const result: Record<string, unknown> = Object.create(null);
  if (!entries.some(([key]) => key === 'resources')) problems.add('resources', 'is required');
  for (const [key, value] of entries) {
    if (key === 'resources') {
      const resources = readObject(value, 'resources', problems, MAX_RESOURCES);
      result.resources = record(
        (resources ?? []).flatMap(([name, policy]): [string, EndoPackagePolicy][] => {
          const at = keyPath('resources', name);
          const validName = checkCanonicalName(name, at, problems);
          const resource = readEndoPackagePolicy(policy, at, problems);
          return resource && validName ? [[name, resource]] : [];
        }),
      );
    } else if (key === 'entry') result.entry = readEndoPackagePolicy(value, 'entry', problems);
    else if (key === 'defaultAttenuator') result.defaultAttenuator = checkString(value, 'defaultAttenuator', problems) ? value : undefined;
  }
  return result as unknown as EndoPolicy;
};
