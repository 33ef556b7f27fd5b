/**
 * A builtin without a wrapper of its own that holds host power is gated whole: each of its functions
 * (and constructors, and those of its nested objects) asks for `run` (all of it: what these reach is
 * outside any compartment) before it does anything; its data members are handed over.
 */
import type { PackageAccess } from '../permissions.js';

const gate = (access: PackageAccess, target: Function, what: string): Function =>
  new Proxy(target, {
    apply(fn, self, args) {
      access.check('run', undefined, what);
      return Reflect.apply(fn, self, args);
    },
    construct(fn, args, newTarget) {
      access.check('run', undefined, `new ${what}`);
      return Reflect.construct(fn, args, newTarget);
    },
  });

/** `value` with every function reachable through its own members (to `depth`) checked as `what`. */
export const gateValue = (access: PackageAccess, value: unknown, what: string, depth = 2, allowed: ReadonlySet<string> = new Set()): unknown => {
  if (typeof value === 'function') return gate(access, value, what);
  if (value === null || typeof value !== 'object' || depth === 0 || Array.isArray(value)) return value;
  // Only namespaces (plain objects: `fs.promises`, `dns.promises`) are copied; an instance keeps its class.
  const prototype = Reflect.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<PropertyKey, unknown> = {};
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(value, key)!;
    const name = `${what}.${String(key)}`;
    if (!('value' in descriptor)) {
      Object.defineProperty(copy, key, { get: () => gateValue(access, Reflect.get(value, key, value), name, depth - 1, allowed), enumerable: descriptor.enumerable ?? false, configurable: true });
      continue;
    }
    const member = descriptor.value;
    copy[key as string] = typeof key === 'string' && allowed.has(key) ? member : gateValue(access, member, name, depth - 1, allowed);
  }
  return copy;
};

export const gatedModule = (access: PackageAccess, real: unknown, name: string, allowed?: ReadonlySet<string>): unknown => gateValue(access, real, name, 2, allowed);
