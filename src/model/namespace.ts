/**
 * Module namespace objects with the spec's shape. SES's namespaces are proxies over accessor
 * properties (so `getOwnPropertyDescriptor` gives `get`/`set`, and `delete` throws); what a program
 * observes of a namespace in Node is the spec's exotic object: null prototype, not extensible, its
 * export names in code-unit order, each a writable, enumerable, non-configurable data property whose
 * value is the binding's current value (a binding in its TDZ throws), `Symbol.toStringTag` 'Module',
 * writes and definitions refused, deletes of exports refused (returning false). Cordon hands out this
 * view of every namespace it gives to code (`import * as`, `import()`, the host's result); one view
 * per namespace, so identity holds.
 */
const views = new WeakMap<object, object>();
const { create, defineProperty, preventExtensions, hasOwn } = Object;
const { ownKeys, getOwnPropertyDescriptor } = Reflect;

const isObject = (value: unknown): value is object => value !== null && (typeof value === 'object' || typeof value === 'function');

/** A value read from a namespace: a namespace re-exported as a binding (`export * as ns`, `export { ns }`) is shown as its view too. */
const viewOf = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') return value;
  const view = views.get(value);
  if (view) return view;
  if (Object.getPrototypeOf(value) !== null) return value;
  try {
    return Object.prototype.toString.call(value) === '[object Module]' ? specNamespace(value) : value;
  } catch {
    return specNamespace(value, true); // a namespace whose module has not begun to execute (a cycle)
  }
};

/**
 * The spec-shaped view of `namespace`. `known`: the caller knows it is a namespace (an `import * as`
 * binding, an `import()` result), which may not have begun to execute yet (in a cycle): its names are
 * then read when the view is first used.
 */
export const specNamespace = <T>(namespace: T, known = false): T => {
  if (!isObject(namespace)) return namespace;
  const existing = views.get(namespace);
  if (existing) return existing as T;
  if (!known && Object.prototype.toString.call(namespace) !== '[object Module]') return namespace;
  const source = namespace as Record<PropertyKey, unknown>;
  const target: Record<PropertyKey, unknown> = create(null);
  let ready = false;
  const ensure = (): void => {
    if (ready) return;
    const names = ownKeys(namespace)
      .filter((key): key is string => typeof key === 'string')
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) defineProperty(target, name, { value: undefined, writable: true, enumerable: true, configurable: false });
    defineProperty(target, Symbol.toStringTag, { value: 'Module', writable: false, enumerable: false, configurable: false });
    preventExtensions(target);
    ready = true;
  };
  const view = new Proxy(target, {
    get: (_, key) => {
      ensure();
      return typeof key === 'symbol' ? target[key] : hasOwn(target, key) ? viewOf(source[key]) : undefined;
    },
    getOwnPropertyDescriptor: (_, key) => {
      ensure();
      const descriptor = getOwnPropertyDescriptor(target, key);
      if (descriptor === undefined || typeof key === 'symbol') return descriptor;
      return { value: viewOf(source[key]), writable: true, enumerable: true, configurable: false };
    },
    has: (_, key) => (ensure(), hasOwn(target, key)),
    ownKeys: () => (ensure(), ownKeys(target)),
    isExtensible: () => (ensure(), false),
    preventExtensions: () => (ensure(), true),
    getPrototypeOf: () => null,
    set: () => false,
    defineProperty: () => false,
    deleteProperty: (_, key) => (ensure(), !hasOwn(target, key)),
    setPrototypeOf: (_, prototype) => prototype === null,
  });
  views.set(namespace, view);
  views.set(view, view);
  return view as T;
};

type Updater = (value: unknown) => void;
type UpdateRecord = Iterable<[string, Iterable<[string, Updater[]]>]>;
interface FunctorEnvironment {
  /** SES's wiring of the imports; Cordon's evaluator returns what tells the module to wait (see program.ts). */
  readonly imports: (record: UpdateRecord) => unknown;
  readonly import?: (specifier: string) => Promise<unknown>;
  readonly [name: string]: unknown;
}

/**
 * A precompiled module's functor whose `import * as` bindings and `import()` results are spec-shaped
 * namespace views (SES hands the functor its own namespaces).
 */
export const withSpecNamespaces = (functor: (environment: FunctorEnvironment) => unknown) =>
  (environment: FunctorEnvironment): unknown => {
    // The record is any iterable of [specifier, iterable of [name, updaters]] (SES iterates it).
    const imports = (record: UpdateRecord): unknown => {
      // Most modules have no `import * as`: hand their record over untouched (this runs once per module).
      let stars = false;
      for (const [, updaters] of record) for (const [name] of updaters) if (name === '*') stars = true;
      if (!stars) return environment.imports(record);
      const wrapped: [string, [string, Updater[]][]][] = [];
      for (const [specifier, updaters] of record) {
        const names: [string, Updater[]][] = [];
        for (const [name, list] of updaters) names.push([name, name === '*' ? [...list].map(update => (value: unknown) => update(specNamespace(value, true))) : list]);
        wrapped.push([specifier, names]);
      }
      return environment.imports(wrapped as unknown as UpdateRecord);
    };
    const dynamicImport = environment.import;
    return functor(
      Object.freeze({
        ...environment,
        imports,
        ...(dynamicImport ? { import: async (specifier: string) => specNamespace(await dynamicImport(specifier), true) } : {}),
      }),
    );
  };
