/**
 * What a policy hands a package instead of the host's own objects (SES style: captured intrinsics,
 * null-prototype views, hardened outputs):
 * - a member view: a fresh hardened object holding only the granted member paths of a builtin or a
 *   global (`fs.readFileSync`, `process.env`, `promises.readFile`), each read live from the host's
 *   object, functions bound to their owner; no prototype, no constructor, nothing else;
 * - a private copy: a whole builtin granted to a package is that package's own object, with the
 *   host's members, so what one package writes into it (graceful-fs patches `fs.close`) stays in that
 *   package, and no package can replace a member another package calls;
 * - a shared write cell: a global that the policy lets several packages write (`"write"`).
 */

const { create, defineProperty, freeze, getOwnPropertyDescriptor, getPrototypeOf, hasOwn } = Object;
const { apply, ownKeys } = Reflect;
const ArrayIsArray = Array.isArray;

const hardenOf = (): (<T>(value: T) => T) => {
  const found = (globalThis as { harden?: <T>(value: T) => T }).harden;
  return found ?? (value => freeze(value));
};

type Trie = { [key: string]: Trie | true };

/** `['a', 'b.c', 'b.d']` → `{ a: true, b: { c: true, d: true } }`; a broader path wins over a deeper one. */
const trieOf = (paths: readonly string[]): Trie => {
  const root: Trie = create(null);
  for (const path of paths) {
    const parts = path.split('.');
    let node: Trie = root;
    for (let index = 0; index < parts.length; index += 1) {
      const part = parts[index]!;
      const last = index === parts.length - 1;
      const existing = node[part];
      if (existing === true) break;
      if (last) {
        node[part] = true;
        break;
      }
      node = existing ?? (node[part] = create(null) as Trie);
    }
  }
  return root;
};

const isObjectLike = (value: unknown): value is object => value !== null && (typeof value === 'object' || typeof value === 'function');

/**
 * A function read off `owner`, callable through the view as if called on the owner: a proxy whose
 * calls with the view as `this` go to the owner, and which is otherwise the function itself (its
 * `prototype`, so `class X extends view.Readable` works, `new`, `instanceof`).
 */
const bindTo = (cache: WeakMap<object, unknown>, value: unknown, owner: object, view: object): unknown => {
  if (typeof value !== 'function') return value;
  let bound = cache.get(value);
  if (bound === undefined) {
    bound = new Proxy(value, {
      apply: (target, thisArgument, args) => apply(target, thisArgument === view ? owner : thisArgument, args),
    });
    cache.set(value, bound);
  }
  return bound;
};

const viewOf = (source: () => unknown, trie: Trie, cache: WeakMap<object, unknown>): object => {
  const view: Record<string, unknown> = create(null);
  for (const key of ownKeys(trie) as string[]) {
    const node = trie[key]!;
    if (node === true) {
      defineProperty(view, key, {
        get: () => {
          const owner = source();
          if (!isObjectLike(owner)) return undefined;
          return bindTo(cache, (owner as Record<string, unknown>)[key], owner, view);
        },
        enumerable: true,
        configurable: false,
      });
    } else {
      const inner = viewOf(() => {
        const owner = source();
        return isObjectLike(owner) ? (owner as Record<string, unknown>)[key] : undefined;
      }, node, cache);
      defineProperty(view, key, { value: inner, enumerable: true, writable: false, configurable: false });
    }
  }
  return hardenOf()(view);
};

/**
 * A fresh hardened object holding only `members` (dotted paths) of what `source()` returns,
 * read live. `makeMemberView(() => fs, ['readFileSync'])` has `readFileSync` and nothing else.
 */
export const makeMemberView = (source: () => unknown, members: readonly string[]): object => viewOf(source, trieOf(members), new WeakMap());

/**
 * A package's own copy of a host module's exports: an object with the same prototype and the
 * host's own members (as accessors reading the host's object until the package writes one), so
 * writes stay in the package. A function (`require('events')` is `EventEmitter`) is given as is.
 */
export const makePrivateCopy = (moduleExports: unknown): unknown => {
  if (!isObjectLike(moduleExports) || typeof moduleExports === 'function' || ArrayIsArray(moduleExports)) return moduleExports;
  const host = moduleExports as Record<PropertyKey, unknown>;
  const copy = create(getPrototypeOf(host)) as Record<PropertyKey, unknown>;
  for (const key of ownKeys(host)) {
    const descriptor = getOwnPropertyDescriptor(host, key)!;
    if (!descriptor.configurable && !('get' in descriptor) && descriptor.writable === false) {
      defineProperty(copy, key, descriptor);
      continue;
    }
    defineProperty(copy, key, {
      get: () => host[key],
      set(value: unknown) {
        defineProperty(copy, key, { value, writable: true, enumerable: descriptor.enumerable ?? true, configurable: true });
      },
      enumerable: descriptor.enumerable ?? true,
      configurable: true,
    });
  }
  return copy;
};

/** Cells for the globals several packages may write: one value per name, shared by its writers. */
export interface SharedGlobalCells {
  define(target: object, name: string, initial: () => unknown): void;
}

export const makeSharedGlobalCells = (): SharedGlobalCells => {
  const values: Record<string, { value: unknown }> = create(null);
  return freeze({
    define(target: object, name: string, initial: () => unknown) {
      const cell = hasOwn(values, name) ? values[name]! : (values[name] = { value: initial() });
      defineProperty(target, name, {
        get: () => cell.value,
        set: (value: unknown) => {
          cell.value = value;
        },
        enumerable: true,
        configurable: false,
      });
    },
  });
};

/**
 * Another package's CommonJS exports as a package `require()`s them under a policy: the exporter's own
 * object, read live (the exporter may keep changing it), but through a guard that refuses to replace,
 * redefine or delete a function the exporter exports, or to swap its prototype — the poisoning of one
 * package's API for every other package. Other writes (configuration flags such as `chalk.enabled`,
 * setters such as `mongoose.Promise`) reach the exporter's object as in Node.
 */
/** Whether `target` has `key` as its own function-valued data property (what a write would replace for everyone). */
export const holdsFunction = (target: object, key: PropertyKey): boolean => {
  const descriptor = getOwnPropertyDescriptor(target, key);
  return descriptor !== undefined && 'value' in descriptor && typeof descriptor.value === 'function';
};

export const makeExportsGuard = (exportsValue: unknown, refuse: (key: PropertyKey) => Error): unknown => {
  if (!isObjectLike(exportsValue)) return exportsValue;
  const exportsFunction = holdsFunction;
  return new Proxy(exportsValue, {
    set(target, key, value) {
      if (exportsFunction(target, key)) throw refuse(key);
      return Reflect.set(target, key, value, target);
    },
    defineProperty(target, key, descriptor) {
      if (exportsFunction(target, key)) throw refuse(key);
      return Reflect.defineProperty(target, key, descriptor);
    },
    deleteProperty(target, key) {
      if (exportsFunction(target, key)) throw refuse(key);
      return Reflect.deleteProperty(target, key);
    },
    setPrototypeOf() {
      throw refuse('__proto__');
    },
  });
};

/**
 * A host object several packages are granted (`process`, `console`) as one package sees it: the
 * host's own object, whose data it reads and writes as everyone does (`process.exitCode = 1`), but
 * where replacing, redefining or deleting one of its functions (graceful-fs caches `process.cwd`;
 * a logger wraps `console.log`) lands in this package's own overlay: the package sees its change,
 * no other package does. `special` answers first for the members it knows (`undefined`: not special).
 */
export const makePrivateOverlay = (host: object, special?: (key: PropertyKey) => { value: unknown } | undefined): object => {
  const overlay = new Map<PropertyKey, PropertyDescriptor>();
  const privately = (target: object, key: PropertyKey): boolean => overlay.has(key) || holdsFunction(target, key);
  let view: object;
  const handler: ProxyHandler<object> = {
    get(target, key) {
      const own = overlay.get(key);
      if (own) return 'value' in own ? own.value : own.get?.call(view);
      const answer = special?.(key);
      if (answer) return answer.value;
      return Reflect.get(target, key, target);
    },
    set(target, key, value) {
      if (!privately(target, key)) return Reflect.set(target, key, value, target);
      overlay.set(key, { value, writable: true, enumerable: true, configurable: true });
      return true;
    },
    defineProperty(target, key, descriptor) {
      if (!privately(target, key)) return Reflect.defineProperty(target, key, descriptor);
      // A non-configurable property the host's object lacks would break the proxy's invariants.
      if (descriptor.configurable === false) return false;
      overlay.set(key, { ...descriptor });
      return true;
    },
    deleteProperty(target, key) {
      if (!privately(target, key)) return Reflect.deleteProperty(target, key);
      overlay.set(key, { value: undefined, writable: true, enumerable: false, configurable: true });
      return true;
    },
  };
  view = new Proxy(host, handler);
  return view;
};
