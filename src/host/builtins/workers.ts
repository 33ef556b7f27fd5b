/**
 * A package's own `worker_threads` and `cluster`.
 *
 * - `worker_threads`: `new Worker(file | URL | code with eval: true)` needs all of `run` (`--allow-run`,
 *   or `--allow-run=PKG=*`): a worker runs its code outside every compartment, with the host's builtins,
 *   so it holds every power. Everything else (`isMainThread`, `parentPort`, `threadId`, `workerData`,
 *   `MessageChannel`, `MessagePort`, `BroadcastChannel`, `receiveMessageOnPort`, `SHARE_ENV`,
 *   `get/setEnvironmentData` …) is handed over, so a package that only probes (pino's thread-stream
 *   imports worker_threads) still loads. `Worker.prototype` stays the host's; subclasses
 *   (`class X extends Worker`) are checked when constructed.
 * - `cluster`: `fork` and `setupPrimary`/`setupMaster` need all of `run` (a cluster worker is a plain Node
 *   process); its events, `workers`, `settings`, `isPrimary` … are the host's. A package that replaces one
 *   of the functions of its `cluster` replaces it on its own object only.
 */
import type { PackageAccess } from '../permissions.js';

/** `target` (a constructor) checked for all of `run` when called or constructed. */
const needsAllOfRun = <T extends Function>(access: PackageAccess, target: T, what: string): T =>
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

/** Package `access`'s own `worker_threads`: a fresh object whose `Worker` needs all of `run`. */
export const makeGuestWorkerThreads = (access: PackageAccess, real: Record<string, unknown>): Record<string, unknown> => {
  const guest: Record<string, unknown> = {};
  for (const key of Reflect.ownKeys(real)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(real, key)!;
    if (key === 'Worker' && typeof descriptor.value === 'function') {
      Object.defineProperty(guest, key, { ...descriptor, value: needsAllOfRun(access, descriptor.value as Function, 'worker_threads.Worker: a worker runs outside every compartment') });
      continue;
    }
    Object.defineProperty(guest, key, { ...descriptor, configurable: true });
  }
  return guest;
};

const CLUSTER_GATED: ReadonlySet<string> = new Set(['fork', 'setupPrimary', 'setupMaster']);

/** Package `access`'s own `cluster`: the host's, through a proxy whose `fork`/`setupPrimary` need all of `run`. */
export const makeGuestCluster = (access: PackageAccess, real: Record<string, unknown>): unknown => {
  const own = new Map<PropertyKey, unknown>();
  for (const name of CLUSTER_GATED) {
    const method = real[name];
    if (typeof method !== 'function') continue;
    own.set(name, function (this: unknown, ...args: unknown[]) {
      access.check('run', undefined, `cluster.${name}: a cluster worker is a plain Node process`);
      return Reflect.apply(method, real, args);
    });
  }
  return new Proxy(real, {
    get(target, key, receiver) {
      if (own.has(key)) return own.get(key);
      return Reflect.get(target, key, receiver);
    },
    getOwnPropertyDescriptor(target, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
      if (own.has(key)) return { value: own.get(key), writable: true, enumerable: descriptor?.enumerable ?? true, configurable: true };
      return descriptor;
    },
    has(target, key) {
      return own.has(key) || Reflect.has(target, key);
    },
    set(target, key, value) {
      // Functions (and the gated members) land on this package's object; data (schedulingPolicy, the
      // emitter's own bookkeeping) on the host's, where Node reads it.
      if (own.has(key) || typeof Reflect.get(target, key) === 'function' || typeof value === 'function') {
        own.set(key, value);
        return true;
      }
      return Reflect.set(target, key, value);
    },
    deleteProperty(target, key) {
      // A deleted gated member reads as undefined (never as the host's ungated function).
      if (own.has(key)) return own.set(key, undefined), true;
      return typeof Reflect.get(target, key) === 'function' ? true : Reflect.deleteProperty(target, key);
    },
  });
};
