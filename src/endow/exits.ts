/**
 * Exit modules: host modules handed into compartments. Whatever form the host gives a builtin in —
 * `import('node:fs')`'s namespace, `require('fs')`'s object, Endo's `{ default: namespace, ...names }`
 * virtual source, `{ namespace }` — it becomes one virtual module source with Node's shape:
 * - its default export, and what `require()` returns, is the builtin's `module.exports`: the namespace's
 *   `default` (unwrapped once more when that is itself a module namespace with a `default`, as when a
 *   host puts `import()`'s namespace there), or the object itself when it has no `default`;
 * - its named exports are the namespace's own string keys, or, when it has none but `default`, the own
 *   keys of `module.exports` (what Node's ESM facade of a builtin offers).
 */
import { markRequireReturnsDefault, type VirtualModuleSource } from '../model/index.js';

const { hasOwn, freeze } = Object;
const { ownKeys } = Reflect;
const toString = Object.prototype.toString;

const isObjectLike = (value: unknown): value is object => value !== null && (typeof value === 'object' || typeof value === 'function');
const isModuleNamespace = (value: unknown): value is Record<string, unknown> => isObjectLike(value) && Reflect.apply(toString, value, []) === '[object Module]';

/** `module.exports` of a host module, from the namespace (or object) the host gave. */
export const moduleExportsOfHostNamespace = (namespace: object): unknown => {
  const record = namespace as Record<string, unknown>;
  let value: unknown = hasOwn(namespace, 'default') ? record.default : namespace;
  if (value !== namespace && isModuleNamespace(value) && hasOwn(value, 'default')) value = value.default;
  return value;
};

/** Own enumerable string keys (as Node's builtin facades name exports), without `default`. */
const stringKeys = (object: object): string[] =>
  ownKeys(object).filter((key): key is string => typeof key === 'string' && key !== 'default' && key !== 'module.exports' && Object.getOwnPropertyDescriptor(object, key)!.enumerable === true);

export const makeExitModuleSource = (namespace: object): VirtualModuleSource => {
  const defaultValue = moduleExportsOfHostNamespace(namespace);
  let from = namespace as Record<string, unknown>;
  let names = stringKeys(namespace);
  if (names.length === 0 && defaultValue !== namespace && isObjectLike(defaultValue)) {
    from = defaultValue as Record<string, unknown>;
    names = stringKeys(defaultValue);
  }
  return freeze({
    imports: freeze([]),
    exports: freeze([...names, 'default']),
    execute(exportsTarget: Record<string, unknown>) {
      for (const name of names) exportsTarget[name] = from[name];
      exportsTarget.default = defaultValue;
      markRequireReturnsDefault(exportsTarget);
    },
  });
};
