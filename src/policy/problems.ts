/**
 * The reading half of validation, shared by both formats: safe readers of untrusted values (own data
 * properties only, plain objects and arrays only, no prototype keys, limits), JSON paths for
 * problems, and the one error that lists them all.
 */
import { CordonError } from '../diagnostics/index.js';

/** One thing wrong with a policy, at a JSON path (`resources["a>b"].builtin["fs.readFile"]`). */
export interface PolicyProblem {
  readonly path: string;
  readonly message: string;
}

/** The error `assertPolicy` and friends throw: `CORDON_INVALID_POLICY` with every problem. */
export type InvalidPolicyError = CordonError & { readonly problems: readonly PolicyProblem[] };

export const MAX_RESOURCES = 100_000;
export const MAX_KEY_LENGTH = 1_000;
export const MAX_DEPTH = 100;
/** How many problems the message prints (`error.problems` holds all of them). */
const MAX_LISTED = 50;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The path of the whole policy, where a problem concerns it as a whole. */
export const ROOT_PATH = '<policy>';

export const fieldPath = (base: string, field: string): string => (base === '' ? field : `${base}.${field}`);
export const keyPath = (base: string, key: string): string => `${base === '' ? ROOT_PATH : base}[${JSON.stringify(key)}]`;
export const indexPath = (base: string, index: number): string => `${base}[${index}]`;

/** A short description of a value for "expected …, got …" (never the whole of a large value). */
export const describeValue = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const quoted = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
      return quoted;
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
};

export class Problems {
  readonly list: PolicyProblem[] = [];
  add(path: string, message: string): void {
    this.list.push(Object.freeze({ path: path === '' ? ROOT_PATH : path, message }));
  }
  expected(path: string, what: string, value: unknown): void {
    this.add(path, `expected ${what}, got ${describeValue(value)}`);
  }
  get size(): number {
    return this.list.length;
  }
}

/** The `CORDON_INVALID_POLICY` error for `problems` (at least one), with `problems` attached. */
export const invalidPolicy = (problems: readonly PolicyProblem[], where: string | undefined, summary?: string): InvalidPolicyError => {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.slice(0, MAX_LISTED).map(problem => `  ${problem.path}: ${problem.message}`);
  if (problems.length > MAX_LISTED) lines.push(`  … and ${problems.length - MAX_LISTED} more (error.problems lists them all)`);
  const head = `Invalid policy${where === undefined ? '' : ` ${where}`}: ${summary ?? count}`;
  const error = new CordonError('CORDON_INVALID_POLICY', `${head}\n${lines.join('\n')}`);
  Object.defineProperty(error, 'problems', { value: Object.freeze([...problems]), enumerable: true });
  if (where !== undefined) Object.defineProperty(error, 'file', { value: where, enumerable: true });
  return error as InvalidPolicyError;
};

const isPlainPrototype = (proto: unknown): boolean => proto === null || proto === Object.prototype;

/** Checks a key (length, prototype keys); reports and returns false when it is refused. */
const checkKey = (key: string, at: string, problems: Problems): boolean => {
  if (FORBIDDEN_KEYS.has(key)) {
    problems.add(at, `the key ${JSON.stringify(key)} is not allowed (prototype keys are refused)`);
    return false;
  }
  if (key.length > MAX_KEY_LENGTH) {
    problems.add(at, `the key is ${key.length} characters long (at most ${MAX_KEY_LENGTH})`);
    return false;
  }
  return true;
};

/**
 * The own data properties of a plain object, as entries with safe keys; `undefined` (reported) when
 * `value` is not a plain object. Symbol keys, accessors and refused keys are reported and left out.
 * `limit`: at most this many keys (reported, and nothing returned, beyond it).
 */
export const readObject = (value: unknown, path: string, problems: Problems, limit = Infinity): [string, unknown][] | undefined => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.expected(path, 'an object', value);
    return undefined;
  }
  if (!isPlainPrototype(Reflect.getPrototypeOf(value))) {
    problems.add(path, 'expected a plain object (an object literal or JSON object), got an instance of another class');
    return undefined;
  }
  const keys = Reflect.ownKeys(value);
  if (keys.length > limit) {
    problems.add(path, `has ${keys.length} entries (at most ${limit})`);
    return undefined;
  }
  const entries: [string, unknown][] = [];
  for (const key of keys) {
    if (typeof key === 'symbol') {
      problems.add(path, `has the symbol key ${String(key)} (policies are plain data)`);
      continue;
    }
    const at = keyPath(path, key);
    if (!checkKey(key, at, problems)) continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined) continue;
    if (!('value' in descriptor)) {
      problems.add(at, 'is an accessor property (policies are plain data)');
      continue;
    }
    if (descriptor.enumerable !== true) continue;
    entries.push([key, descriptor.value]);
  }
  return entries;
};

/** The elements of a plain array; `undefined` (reported) when `value` is not one. */
export const readArray = (value: unknown, path: string, problems: Problems, limit = MAX_RESOURCES): unknown[] | undefined => {
  if (!Array.isArray(value) || Reflect.getPrototypeOf(value) !== Array.prototype) {
    problems.expected(path, 'an array', value);
    return undefined;
  }
  const length = (value as unknown[]).length;
  if (length > limit) {
    problems.add(path, `has ${length} elements (at most ${limit})`);
    return undefined;
  }
  const elements: unknown[] = [];
  for (let index = 0; index < length; index += 1) {
    const descriptor = Reflect.getOwnPropertyDescriptor(value, String(index));
    if (descriptor === undefined || !('value' in descriptor)) {
      problems.add(indexPath(path, index), descriptor === undefined ? 'is a hole (policies are plain data)' : 'is an accessor property (policies are plain data)');
      continue;
    }
    elements.push(descriptor.value);
  }
  return elements;
};

/** A null-prototype record of `entries` (keys already checked). */
export const record = <V>(entries: Iterable<readonly [string, V]>): Record<string, V> => {
  const result = Object.create(null) as Record<string, V>;
  for (const [key, value] of entries) result[key] = value;
  return result;
};

/** A copy of any JSON-like value (`options`, `meta`, attenuator params), checked like the rest. */
export const copyJsonValue = (value: unknown, path: string, problems: Problems, depth = 0): unknown => {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    problems.expected(path, 'a finite number', value);
    return undefined;
  }
  if (typeof value !== 'object') {
    problems.expected(path, 'JSON data (null, a boolean, a number, a string, an array or an object)', value);
    return undefined;
  }
  if (depth >= MAX_DEPTH) {
    problems.add(path, `is nested more than ${MAX_DEPTH} levels deep`);
    return undefined;
  }
  if (Array.isArray(value)) return readArray(value, path, problems)?.map((element, index) => copyJsonValue(element, indexPath(path, index), problems, depth + 1));
  const entries = readObject(value, path, problems);
  return entries && record(entries.map(([key, item]) => [key, copyJsonValue(item, keyPath(path, key), problems, depth + 1)]));
};

/** A canonical name (`a`, `a>b`, `@s/a>b`): non-empty `>` segments (or Endo's `<ATTENUATORS>`). */
export const checkCanonicalName = (name: string, path: string, problems: Problems): boolean => {
  if (name === '<ATTENUATORS>') return true;
  if (name === '') problems.add(path, 'a canonical name may not be empty');
  else if (name.split('>').includes('')) problems.add(path, `the canonical name ${JSON.stringify(name)} has an empty ">" segment`);
  else return true;
  return false;
};

/** A dotted path (`process.env`, `fs.readFile`): non-empty `.` segments. */
export const checkDottedPath = (key: string, path: string, problems: Problems): boolean => {
  if (key === '') problems.add(path, 'a path may not be empty');
  else if (key.split('.').includes('')) problems.add(path, `the path ${JSON.stringify(key)} has an empty "." segment`);
  else return true;
  return false;
};

export const checkString = (value: unknown, path: string, problems: Problems): value is string => {
  if (typeof value === 'string' && value !== '') return true;
  problems.expected(path, 'a non-empty string', value);
  return false;
};

export const checkBoolean = (value: unknown, path: string, problems: Problems): value is boolean => {
  if (typeof value === 'boolean') return true;
  problems.expected(path, 'true or false', value);
  return false;
};

/** Reports each key of `entries` not in `allowed` (with `explain` giving a reason for some). */
export const checkKeys = (entries: readonly [string, unknown][], allowed: readonly string[], path: string, problems: Problems, explain: (key: string) => string | undefined = () => undefined): void => {
  for (const [key] of entries) {
    if (!allowed.includes(key)) problems.add(keyPath(path, key), explain(key) ?? `unknown key (expected one of ${allowed.join(', ')})`);
  }
};
