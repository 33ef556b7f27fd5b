/**
 * A package's own copy of a builtin it may use freely (`path`, `util`, `events` …): the same
 * functions, but what the package writes on it (`path.join = …`, `delete util.inspect`) lands on its
 * own copy, never on the host's module that Cordon and every other package use. A module that is a
 * function (`events` is `EventEmitter`, `assert`, `stream`) gets a proxy that keeps the package's writes
 * in a shadow of its own. Class prototypes are the host's (frozen by nobody): see docs/permissions.md.
 */
const { create, defineProperty, getOwnPropertyDescriptor, getPrototypeOf, hasOwn } = Object;
const { ownKeys } = Reflect;

const copyObject = (host: object): object => {
  const copy = create(getPrototypeOf(host)) as Record<PropertyKey, unknown>;
  for (const key of ownKeys(host)) {
    const descriptor = getOwnPropertyDescriptor(host, key)!;
    if (!descriptor.configurable && !('get' in descriptor) && descriptor.writable === false) {
      defineProperty(copy, key, descriptor);
      continue;
    }
    // Live: a lazy or later-defined member of the host's module reads through; a write replaces it here only.
    defineProperty(copy, key, {
      get: () => Reflect.get(host, key),
      set(this: object, value: unknown) {
        // On whatever is assigned to: the copy, or an object that inherits from it.
        defineProperty(this, key, { value, writable: true, enumerable: descriptor.enumerable ?? true, configurable: true });
      },
      enumerable: descriptor.enumerable ?? true,
      configurable: true,
    });
  }
  return copy;
};

const shadowFunction = (host: Function): Function => {
  const shadow: Record<PropertyKey, PropertyDescriptor> = create(null);
  const deleted = new Set<PropertyKey>();
  const fixed = (key: PropertyKey): boolean => {
    const descriptor = getOwnPropertyDescriptor(host, key);
    return descriptor !== undefined && !descriptor.configurable;
  };
  const proxy: Function = new Proxy(host, {
    get(target, key, receiver) {
      if (hasOwn(shadow, key)) {
        const descriptor = shadow[key]!;
        return 'value' in descriptor ? descriptor.value : descriptor.get?.call(receiver);
      }
      if (deleted.has(key)) return undefined;
      return Reflect.get(target, key, receiver);
    },
    set(_target, key, value, receiver) {
      // A subclass's static assignment (`class WebSocket extends EventEmitter`; `WebSocket.Server = …`)
      // reaches here through the prototype chain: it belongs on the subclass, as in plain JavaScript.
      if (receiver !== proxy) return Reflect.defineProperty(receiver as object, key, { value, writable: true, enumerable: true, configurable: true });
      if (fixed(key)) return false;
      deleted.delete(key);
      shadow[key] = { value, writable: true, enumerable: true, configurable: true };
      return true;
    },
    defineProperty(_target, key, descriptor) {
      if (fixed(key)) return false;
      deleted.delete(key);
      shadow[key] = { ...descriptor, configurable: true };
      return true;
    },
    deleteProperty(_target, key) {
      if (fixed(key)) return false;
      delete shadow[key];
      deleted.add(key);
      return true;
    },
    has(target, key) {
      return hasOwn(shadow, key) || (!deleted.has(key) && Reflect.has(target, key));
    },
    getOwnPropertyDescriptor(target, key) {
      if (hasOwn(shadow, key)) return shadow[key];
      if (deleted.has(key)) return undefined;
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    ownKeys(target) {
      const keys = Reflect.ownKeys(target).filter(key => !deleted.has(key) && !hasOwn(shadow, key));
      return [...keys, ...Reflect.ownKeys(shadow)];
    },
  });
  return proxy;
};

/** The package's own copy of `moduleExports` (a non-object is handed over as it is). */
export const makeOwnCopy = (moduleExports: unknown): unknown => {
  if (typeof moduleExports === 'function') return shadowFunction(moduleExports);
  if (moduleExports === null || typeof moduleExports !== 'object' || Array.isArray(moduleExports)) return moduleExports;
  return copyObject(moduleExports);
};
