/**
 * Canonical names a policy uses that the application does not have (a typo, a package since
 * removed, a name that changed with the install), with the nearest known name as a suggestion.
 */
import { CordonError } from '../diagnostics/index.js';
import type { EndoPolicy, LavaMoatPolicy, NormalizedPolicy } from './types.js';
import { ATTENUATORS_COMPARTMENT, normalizePolicy, ROOT_NAME } from './normalize.js';
import { compareCodePoints } from './readonly.js';

const isNormalized = (policy: unknown): policy is NormalizedPolicy =>
  policy !== null && typeof policy === 'object' && typeof (policy as { grantsFor?: unknown }).grantsFor === 'function';

/** The names a policy (normalised or not) uses, sorted. */
const namesOf = (policy: NormalizedPolicy | EndoPolicy | LavaMoatPolicy): readonly string[] =>
  (isNormalized(policy) ? policy : normalizePolicy(policy)).names;

/** The canonical names `policy` uses that are not in `knownNames` (`$root$` and `<ATTENUATORS>` always are), sorted. */
export const findUnknownCanonicalNames = (policy: NormalizedPolicy | EndoPolicy | LavaMoatPolicy, knownNames: Iterable<string>): string[] => {
  const known = new Set(knownNames);
  known.add(ROOT_NAME);
  known.add(ATTENUATORS_COMPARTMENT);
  return namesOf(policy).filter(name => !known.has(name));
};

/** Levenshtein distance, or `undefined` when it is more than `limit` (computed in a band of that width). */
const distanceWithin = (a: string, b: string, limit: number): number | undefined => {
  if (Math.abs(a.length - b.length) > limit) return undefined;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      current.push(value);
      if (value < best) best = value;
    }
    if (best > limit) return undefined;
    previous = current;
  }
  const distance = previous[b.length] as number;
  return distance <= limit ? distance : undefined;
};

const lastSegment = (name: string): string => name.slice(name.lastIndexOf('>') + 1);

/** `suggestName` over one set of known names (sorted once). */
const makeSuggester = (known: Iterable<string>): ((unknown: string) => string | undefined) => {
  const candidates = [...new Set(known)].sort(compareCodePoints);
  return unknown => {
    const limit = Math.max(2, Math.floor(unknown.length / 3));
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const name of candidates) {
      if (name === unknown) continue;
      const distance = distanceWithin(unknown, name, Math.min(limit, bestDistance - 1));
      if (distance !== undefined && distance < bestDistance) {
        best = name;
        bestDistance = distance;
      }
    }
    if (best !== undefined) return best;
    const last = lastSegment(unknown);
    return candidates.find(name => name !== unknown && lastSegment(name) === last);
  };
};

/**
 * The known name nearest to `unknown`: the smallest edit distance within `max(2, length / 3)`
 * (ties: the first in code-point order); failing that, a known name with the same last `>`
 * segment (the package reached by another path), the first in code-point order.
 */
export const suggestName = (unknown: string, known: Iterable<string>): string | undefined => makeSuggester(known)(unknown);

/** Throws `CORDON_UNKNOWN_POLICY_NAME` listing each name the policy uses that the application does not have. */
export const checkPolicyNames = (policy: NormalizedPolicy | EndoPolicy | LavaMoatPolicy, knownNames: Iterable<string>): void => {
  const known = [...knownNames];
  const unknown = findUnknownCanonicalNames(policy, known);
  if (unknown.length === 0) return;
  const suggest = makeSuggester(known);
  const lines = unknown.map(name => {
    const suggestion = suggest(name);
    return `  ${JSON.stringify(name)}${suggestion === undefined ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`}`;
  });
  const count = unknown.length === 1 ? 'a package' : `${unknown.length} packages`;
  const error = new CordonError('CORDON_UNKNOWN_POLICY_NAME', `The policy names ${count} the application does not have:\n${lines.join('\n')}`);
  Object.defineProperty(error, 'unknownNames', { value: Object.freeze(unknown), enumerable: true });
  throw error;
};
