/**
 * What `require()` returns for a module namespace. Node returns `module.exports` for CommonJS (and the
 * parsed value for JSON, the module object for builtins), and the namespace for an ES module. A module
 * whose `require()` value is its default export marks its namespace's `default` getter (a function SES
 * makes per module instance) when it executes; `requireValue` checks the mark.
 */
const defaultValued = new WeakSet<object>();

/** Marks a virtual module instance (its exports target) so that `require()` of it returns its default export. */
export const markRequireReturnsDefault = (exportsTarget: Record<string, unknown>): void => {
  const getter = Reflect.getOwnPropertyDescriptor(exportsTarget, 'default')?.get;
  if (getter) defaultValued.add(getter);
};

/** What `require()` yields for a namespace: the default of a marked module, else the ES module's (see esmRequireValue). */
export const requireValue = (namespace: Record<string, unknown>): unknown => {
  const getter = Reflect.getOwnPropertyDescriptor(namespace, 'default')?.get;
  return getter && defaultValued.has(getter) ? getter() : esmRequireValue(namespace);
};

const facades = new WeakMap<object, object>();
const { defineProperty, preventExtensions, keys, hasOwn, create } = Object;

/**
 * `require()` of an ES module gives, as Node ≥ 20.19 does, its namespace, or, when it has a default
 * export (and no `__esModule` of its own), a namespace-shaped object with `__esModule: true` besides the
 * module's exports (so transpiled callers read `default` right): null prototype, keys in code-unit
 * order, writable enumerable non-configurable properties, `Symbol.toStringTag` 'Module', not
 * extensible. Its values are read when first required (a binding still uninitialised in a cycle is
 * `undefined`); the same object is returned each time.
 */
const esmRequireValue = (namespace: Record<string, unknown>): unknown => {
  // An ES module may name what require() gives: its export named 'module.exports' (yargs does).
  if (hasOwn(namespace, 'module.exports')) return namespace['module.exports'];
  if (!hasOwn(namespace, 'default') || hasOwn(namespace, '__esModule')) return namespace;
  let facade = facades.get(namespace);
  if (!facade) {
    const made: Record<PropertyKey, unknown> = create(null);
    for (const key of ['__esModule', ...keys(namespace)].sort()) {
      let value: unknown = true;
      if (key !== '__esModule') {
        try {
          value = namespace[key];
        } catch {
          value = undefined;
        }
      }
      defineProperty(made, key, { value, writable: true, enumerable: true, configurable: false });
    }
    defineProperty(made, Symbol.toStringTag, { value: 'Module', writable: false, enumerable: false, configurable: false });
    facade = preventExtensions(made);
    facades.set(namespace, facade);
  }
  return facade;
};
