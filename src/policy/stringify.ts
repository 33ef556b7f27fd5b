/**
 * A policy as stable, diff-friendly JSON: 2-space indent, a trailing newline, `resources` and every
 * record sorted by code point, each resource's fields in LavaMoat's order (`globals`, `builtin`,
 * `packages`, `native`, `meta`; Endo's: `globals`, `builtins`, `packages`, `noGlobalFreeze`,
 * `defaultAttenuator`, `options`). Lists keep their order (attenuator params mean something by
 * position) except `include`, which is sorted. The same policy gives the same text whatever order
 * its keys were written in. (The writer is Cordon's own: `JSON.stringify` would put integer-like
 * keys first.)
 */
import type { EndoPackagePolicy, EndoPolicy, LavaMoatPolicy, LavaMoatResourcePolicy } from './types.js';
import { compareCodePoints } from './readonly.js';
import { validatePolicy } from './validate.js';
import { isAttenuationDefinition } from './validate-endo.js';

/** An object whose keys are already in the order to write. */
class Ordered {
  constructor(readonly entries: readonly (readonly [string, unknown])[]) {}
}

const byKey = (a: readonly [string, unknown], b: readonly [string, unknown]): number => compareCodePoints(a[0], b[0]);

/** Any JSON value with every object's keys sorted. */
const sorted = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === 'object') return new Ordered(Object.entries(value).map(([key, item]): [string, unknown] => [key, sorted(item)]).sort(byKey));
  return value;
};

/** The fields of `object` in `order` (absent ones left out), each value through `map`. */
const fields = (object: object, order: readonly string[], map: (key: string, value: unknown) => unknown = (_, value) => sorted(value)): Ordered => {
  const present = Object.entries(object);
  const known = order.flatMap(key => present.filter(([name]) => name === key)).map(([key, value]): [string, unknown] => [key, map(key, value)]);
  const rest = present.filter(([name]) => !order.includes(name)).map(([key, value]): [string, unknown] => [key, sorted(value)]);
  return new Ordered([...known, ...rest.sort(byKey)]);
};

const recordOf = (value: object, map: (item: unknown) => unknown = sorted): Ordered =>
  new Ordered(Object.entries(value).map(([key, item]): [string, unknown] => [key, map(item)]).sort(byKey));

const attenuation = (value: unknown): unknown => (Array.isArray(value) ? value.map(sorted) : value !== null && typeof value === 'object' ? fields(value, ['attenuate', 'params']) : value);

const lavaMoatResource = (resource: LavaMoatResourcePolicy): Ordered => fields(resource, ['globals', 'builtin', 'packages', 'native', 'meta']);

const includeName = (item: unknown): [string, string] => (typeof item === 'string' ? [item, ''] : [(item as { name: string }).name, (item as { entry: string }).entry]);

const lavaMoat = (policy: LavaMoatPolicy): Ordered =>
  fields(policy, ['resources', 'root', 'include', 'resolutions'], (key, value) => {
    if (key === 'resources') return recordOf(value as object, item => lavaMoatResource(item as LavaMoatResourcePolicy));
    if (key === 'include') {
      return [...(value as readonly unknown[])]
        .sort((a, b) => {
          const [nameA, entryA] = includeName(a);
          const [nameB, entryB] = includeName(b);
          return compareCodePoints(nameA, nameB) || compareCodePoints(entryA, entryB) || (typeof a === 'string' ? -1 : 1);
        })
        .map(sorted);
    }
    return sorted(value);
  });

const endoPackage = (policy: EndoPackagePolicy): Ordered =>
  fields(policy, ['globals', 'builtins', 'packages', 'noGlobalFreeze', 'defaultAttenuator', 'options'], (key, value) => {
    if (key === 'globals') return isAttenuationDefinition(value) ? attenuation(value) : sorted(value);
    if (key === 'builtins' && value !== 'any') return recordOf(value as object, attenuation);
    return sorted(value);
  });

const endo = (policy: EndoPolicy): Ordered =>
  fields(policy, ['defaultAttenuator', 'entry', 'resources'], (key, value) => {
    if (key === 'entry') return endoPackage(value as EndoPackagePolicy);
    if (key === 'resources') return recordOf(value as object, item => endoPackage(item as EndoPackagePolicy));
    return sorted(value);
  });

const write = (value: unknown, indent: string): string => {
  const inner = `${indent}  `;
  if (value instanceof Ordered) {
    if (value.entries.length === 0) return '{}';
    return `{\n${value.entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${write(item, inner)}`).join(',\n')}\n${indent}}`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map(item => `${inner}${write(item, inner)}`).join(',\n')}\n${indent}]`;
  }
  return JSON.stringify(value);
};

/** The policy (validated first) as stable, sorted JSON text ending in a newline. */
export const stringifyPolicy = (policy: EndoPolicy | LavaMoatPolicy): string => {
  const { format, policy: checked } = validatePolicy(policy);
  return `${write(format === 'endo' ? endo(checked as EndoPolicy) : lavaMoat(checked as LavaMoatPolicy), '')}\n`;
};
