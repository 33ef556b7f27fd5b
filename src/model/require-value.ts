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

/** What `require()` yields for a namespace: the default of a marked module, else the namespace. */
export const requireValue = (namespace: Record<string, unknown>): unknown => {
  const getter = Reflect.getOwnPropertyDescriptor(namespace, 'default')?.get;
  return getter && defaultValued.has(getter) ? getter() : namespace;
};
