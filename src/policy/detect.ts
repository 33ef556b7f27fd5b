/**
 * Telling the two formats apart by shape. Each format has keys and values the other does not:
 *
 * - LavaMoat: top-level `root`, `include`, `resolutions`; in a resource `builtin`, `native`, `meta`;
 *   a `globals` value `"redefine"` or `"read"`.
 * - Endo: top-level `entry`, `defaultAttenuator`; in a resource `builtins`, `noGlobalFreeze`,
 *   `defaultAttenuator`, `options`, `dynamic`; `"any"` for `packages`, `globals` or `builtins`; a
 *   `globals` attenuation definition (an array, or an object whose `attenuate` is a string).
 *
 * (`"write"` as a `globals` value is in both.) A policy with neither kind of key — only `resources`
 * with `packages` and boolean `globals` — means the same in both formats except for dotted global
 * paths, which only LavaMoat has; it is read as LavaMoat's unless the caller says otherwise.
 */
import type { PolicyFormat } from './types.js';
import { fieldPath, keyPath } from './problems.js';

export interface FormatMarkers {
  /** JSON paths of the LavaMoat-only keys and values found. */
  readonly lavamoat: readonly string[];
  /** JSON paths of the Endo-only keys and values found. */
  readonly endo: readonly string[];
}

const LAVAMOAT_TOP = ['root', 'include', 'resolutions'];
const ENDO_TOP = ['entry', 'defaultAttenuator'];
const LAVAMOAT_RESOURCE = ['builtin', 'native', 'meta'];
const ENDO_RESOURCE = ['builtins', 'noGlobalFreeze', 'defaultAttenuator', 'options', 'dynamic'];

/** Own enumerable data properties of a plain-looking object, or nothing (never throws on odd values). */
const dataEntries = (value: unknown): [string, unknown][] => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const entries: [string, unknown][] = [];
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== 'string') continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
    if (descriptor && 'value' in descriptor && descriptor.enumerable === true) entries.push([key, descriptor.value]);
  }
  return entries;
};

const isAttenuationDefinitionShape = (value: unknown): boolean =>
  Array.isArray(value) || dataEntries(value).some(([key, item]) => key === 'attenuate' && typeof item === 'string');

const markPackagePolicy = (policy: unknown, path: string, lavamoat: string[], endo: string[]): void => {
  for (const [key, value] of dataEntries(policy)) {
    const at = fieldPath(path, key);
    if (LAVAMOAT_RESOURCE.includes(key)) lavamoat.push(at);
    else if (ENDO_RESOURCE.includes(key)) endo.push(at);
    else if ((key === 'packages' || key === 'globals' || key === 'builtins') && value === 'any') endo.push(at);
    else if (key === 'globals' && isAttenuationDefinitionShape(value)) endo.push(at);
    else if (key === 'globals') {
      for (const [name, access] of dataEntries(value)) if (access === 'redefine' || access === 'read') lavamoat.push(keyPath(at, name));
    }
  }
};

/** The format-specific keys a policy uses, by JSON path. */
export const formatMarkers = (value: unknown): FormatMarkers => {
  const lavamoat: string[] = [];
  const endo: string[] = [];
  for (const [key, item] of dataEntries(value)) {
    if (LAVAMOAT_TOP.includes(key)) lavamoat.push(key);
    else if (ENDO_TOP.includes(key)) endo.push(key);
    if (key === 'entry') markPackagePolicy(item, 'entry', lavamoat, endo);
    if (key === 'resources') for (const [name, policy] of dataEntries(item)) markPackagePolicy(policy, keyPath('resources', name), lavamoat, endo);
  }
  return { lavamoat, endo };
};

/** The format the markers show, `undefined` when there are none, `'mixed'` when there are both. */
export const formatOf = (markers: FormatMarkers): PolicyFormat | 'mixed' | undefined => {
  if (markers.lavamoat.length > 0 && markers.endo.length > 0) return 'mixed';
  if (markers.lavamoat.length > 0) return 'lavamoat';
  if (markers.endo.length > 0) return 'endo';
  return undefined;
};

/** What a policy is, by shape (`'lavamoat'` when nothing tells; `'mixed'` when both do). */
export const detectPolicyFormat = (value: unknown): PolicyFormat | 'mixed' => formatOf(formatMarkers(value)) ?? 'lavamoat';
