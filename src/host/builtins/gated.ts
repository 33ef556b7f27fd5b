/**
 * A builtin without a wrapper of its own that holds host power is gated whole: each of its functions
 * (and constructors, and those of its nested namespaces and static members) asks for `run` (all of
 * it: what these reach is outside any compartment) before it does anything; its data members are
 * handed over. The package gets stand-ins, never the host's functions themselves: what it writes on
 * them stays on its own stand-in, and a stand-in's `prototype` is not the host's (the host's prototype
 * methods are reached only through an instance, which only a checked constructor makes).
 */
import type { PackageAccess } from '../permissions.js';

const { defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Object;
const { apply, construct, ownKeys } = Reflect;

/** Per package, each host function's one stand-in (so `Module.Module === Module` holds, and cycles end). */
const made = new WeakMap<PackageAccess, WeakMap<Function, Function>>();

const standIn = (access: PackageAccess, real: Function, what: string, depth: number, allowed: ReadonlySet<string>): Function => {
  let known = made.get(access);
  if (!known) made.set(access, (known = new WeakMap()));
  const existing = known.get(real);
  if (existing) return existing;
  const gated = function (this: unknown, ...args: unknown[]): unknown {
    access.check('run', undefined, new.target ? `new ${what}` : what);
    return new.target ? construct(real, args) : apply(real, this, args);
  };
  defineProperty(gated, 'name', { value: real.name, configurable: true });
  defineProperty(gated, 'length', { value: real.length, configurable: true });
  known.set(real, gated);
  if (depth > 0) copyMembers(access, real, gated as unknown as Record<PropertyKey, unknown>, what, depth, allowed, new Set(['prototype', 'name', 'length', 'caller', 'arguments']));
  return gated;
};

const copyMembers = (access: PackageAccess, from: object, to: Record<PropertyKey, unknown>, what: string, depth: number, allowed: ReadonlySet<string>, skip: ReadonlySet<PropertyKey> = new Set()): void => {
  for (const key of ownKeys(from)) {
    if (skip.has(key)) continue;
    const descriptor = getOwnPropertyDescriptor(from, key)!;
    const name = `${what}.${String(key)}`;
    if (!('value' in descriptor)) {
      defineProperty(to, key, { get: () => gateValue(access, Reflect.get(from, key, from), name, depth - 1, allowed), enumerable: descriptor.enumerable ?? false, configurable: true });
      continue;
    }
    const member = descriptor.value as unknown;
    const value = typeof key === 'string' && allowed.has(key) ? member : gateValue(access, member, name, depth - 1, allowed);
    defineProperty(to, key, { value, writable: true, enumerable: descriptor.enumerable ?? false, configurable: true });
  }
};

/** `value` with every function reachable through its own members (to `depth`) checked as `what`. */
export const gateValue = (access: PackageAccess, value: unknown, what: string, depth = 2, allowed: ReadonlySet<string> = new Set()): unknown => {
  if (typeof value === 'function') return standIn(access, value, what, depth, allowed);
  if (value === null || typeof value !== 'object' || depth <= 0 || Array.isArray(value)) return value;
  // Only namespaces (plain objects: `fs.promises`, `dns.promises`) are copied; an instance keeps its class.
  const prototype = getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<PropertyKey, unknown> = {};
  copyMembers(access, value, copy, what, depth, allowed);
  return copy;
};

export const gatedModule = (access: PackageAccess, real: unknown, name: string, allowed?: ReadonlySet<string>): unknown => gateValue(access, real, name, 2, allowed);
