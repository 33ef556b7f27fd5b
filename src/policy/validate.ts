/**
 * Validation of untrusted policies. The format is told by shape (`detect.ts`); a policy using keys of
 * both formats is refused, naming them. Every problem is collected and reported in one
 * `CORDON_INVALID_POLICY` error (`error.problems`: each with its JSON path). What is returned is a
 * deeply frozen copy made of own data properties only (null-prototype objects), so nothing read
 * later can differ from what was checked.
 */
import { CordonError } from '../diagnostics/index.js';
import { lineColumnOf } from '../model/index.js';
import type { EndoPolicy, LavaMoatPolicy, PolicyFormat } from './types.js';
import { formatMarkers, formatOf } from './detect.js';
import { type PolicyProblem, Problems, invalidPolicy, readObject } from './problems.js';
import { deepFreeze } from './readonly.js';
import { readEndoPolicy } from './validate-endo.js';
import { readLavaMoatPolicy } from './validate-lavamoat.js';

export interface PolicyValidationOptions {
  /** The format the caller expects (Endo's API passes `'endo'`); keys of the other format are then refused. */
  readonly format?: PolicyFormat | undefined;
}

export interface ValidatedPolicy {
  readonly format: PolicyFormat;
  readonly policy: EndoPolicy | LavaMoatPolicy;
}

/** The largest policy text `parsePolicyText` reads (in UTF-16 code units, so at least this many bytes). */
export const MAX_POLICY_TEXT = 64 * 1024 * 1024;

const NAMES = { endo: "Endo's", lavamoat: "LavaMoat's" } as const;

const listed = (paths: readonly string[]): string => (paths.length > 5 ? `${paths.slice(0, 5).join(', ')}, …` : paths.join(', '));

/** Validates `value` and says which format it is in; throws `CORDON_INVALID_POLICY` listing every problem. */
export const validatePolicy = (value: unknown, where?: string, options: PolicyValidationOptions = {}): ValidatedPolicy => {
  const markers = formatMarkers(value);
  const detected = formatOf(markers);
  if (detected === 'mixed') {
    const problems: PolicyProblem[] = [
      ...markers.lavamoat.map(path => ({ path, message: "a key of LavaMoat's format" })),
      ...markers.endo.map(path => ({ path, message: "a key of Endo's format" })),
    ];
    const summary = `it mixes the two formats (LavaMoat's: ${listed(markers.lavamoat)}; Endo's: ${listed(markers.endo)}); write it in one of them`;
    throw invalidPolicy(problems, where, summary);
  }
  const expected = options.format;
  if (expected !== undefined && detected !== undefined && detected !== expected) {
    const found = markers[detected];
    const problems = found.map(path => ({ path, message: `a key of ${NAMES[detected]} format, but ${NAMES[expected]} is expected here` }));
    throw invalidPolicy(problems, where, `expected ${NAMES[expected]} format, found ${NAMES[detected]} keys (${listed(found)})`);
  }
  const format = expected ?? detected ?? 'lavamoat';
  const problems = new Problems();
  const entries = readObject(value, '', problems);
  const policy = entries && (format === 'endo' ? readEndoPolicy(entries, problems) : readLavaMoatPolicy(entries, problems));
  if (problems.size > 0 || policy === undefined) throw invalidPolicy(problems.list, where);
  return Object.freeze({ format, policy: deepFreeze(policy) });
};

/**
 * Checks that `value` is a policy in Endo's or LavaMoat's format (told apart by shape) and returns a
 * frozen, validated copy of it. `where` names it in messages (a file name).
 */
export const assertPolicy = (value: unknown, where?: string, options?: PolicyValidationOptions): EndoPolicy | LavaMoatPolicy =>
  validatePolicy(value, where, options).policy;

/** Parses untrusted policy text (a file's contents; `where`: its name) and validates it. */
export const parsePolicyText = (text: string, where: string, options?: PolicyValidationOptions): EndoPolicy | LavaMoatPolicy => {
  if (typeof text !== 'string') throw new CordonError('CORDON_INVALID_ARGUMENT', `parsePolicyText: the text must be a string, got ${typeof text}`);
  if (text.length > MAX_POLICY_TEXT) {
    throw invalidPolicy([{ path: '<policy>', message: `the text is ${text.length} characters long (at most ${MAX_POLICY_TEXT}, 64 MiB)` }], where);
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const position = /at position (\d+)/.exec(reason);
    const at = position ? lineColumnOf(body, Number(position[1])) : undefined;
    const error = new CordonError('CORDON_INVALID_POLICY', `Invalid policy ${where}: not valid JSON: ${reason}`, { file: where, line: at?.line, column: at?.column, cause });
    Object.defineProperty(error, 'problems', { value: Object.freeze([Object.freeze({ path: '<policy>', message: `not valid JSON: ${reason}` })]), enumerable: true });
    throw error;
  }
  return assertPolicy(value, where, options);
};
