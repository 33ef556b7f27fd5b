/**
 * A package's own `process` and `module`:
 * - `process.env` shows only the keys the package may read (`--allow-env`): any other reads as unset
 *   and is absent from `Object.keys`, `in` and `JSON.stringify`; writing or deleting a key needs it too;
 * - `process.binding`, `_linkedBinding`, `dlopen` (native addons), `process.kill` of another process,
 *   `process.report` and `process.loadEnvFile` need their permissions;
 * - `process.getBuiltinModule(id)` gives the package's own bridge-backed builtin.
 * - `module` gives its inert members, and a `createRequire` whose `require` gives the package's own
 *   builtins; loading any other module through it (outside every compartment) needs `--allow-run`.
 * Everything else is the host's `process`, reached through a proxy (its events, streams and timers work
 * as they do; writes land on the host's object, as Node's own globals do).
 */
import type { PackageAccess } from '../permissions.js';
import { resolvePath } from '../resources.js';
import type { BridgeContext } from './types.js';
import { gateValue } from './gated.js';

type Env = Record<string, string | undefined>;

const makeGuestEnv = (access: PackageAccess, env: Env): Env =>
  new Proxy(env, {
    get(target, key) {
      if (typeof key !== 'string') return Reflect.get(target, key);
      return key in target && access.uses('env', key, `process.env.${key}`) ? target[key] : undefined;
    },
    has(target, key) {
      return typeof key === 'string' && key in target && access.uses('env', key, `'${key}' in process.env`);
    },
    ownKeys(target) {
      return Reflect.ownKeys(target).filter(key => typeof key === 'string' && access.allows('env', key));
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key !== 'string' || !access.allows('env', key)) return undefined;
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    set(target, key, value) {
      if (typeof key !== 'string') return false;
      access.check('env', key, `process.env.${key} = …`);
      target[key] = value;
      return true;
    },
    defineProperty(target, key, descriptor) {
      if (typeof key !== 'string') return false;
      access.check('env', key, `process.env.${key} = …`);
      return Reflect.defineProperty(target, key, descriptor);
    },
    deleteProperty(target, key) {
      if (typeof key !== 'string') return true;
      access.check('env', key, `delete process.env.${key}`);
      return Reflect.deleteProperty(target, key);
    },
  });

export const makeGuestProcess = (access: PackageAccess, real: NodeJS.Process, context: BridgeContext): NodeJS.Process => {
  const env = makeGuestEnv(access, real.env);
  const needsRun = (name: string) =>
    function (this: unknown, ...args: unknown[]) {
      access.check('run', undefined, `process.${name}`);
      return Reflect.apply(Reflect.get(real, name) as Function, real, args);
    };
  const overrides: Record<string, unknown> = {
    env,
    binding: needsRun('binding'),
    _linkedBinding: needsRun('_linkedBinding'),
    dlopen: needsRun('dlopen'),
    kill(pid: number, signal?: string | number) {
      // Signalling itself is the app's own business; any other process is running a program's worth of power.
      if (Number(pid) !== real.pid) access.check('run', undefined, `process.kill(${Number(pid)})`);
      return real.kill(pid, signal);
    },
    getBuiltinModule(id: unknown) {
      if (typeof id !== 'string') throw new TypeError('The "id" argument must be of type string');
      const found = (real as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.(id);
      if (found === undefined) return undefined;
      return context.guestBuiltin(access, id.replace(/^node:/, ''));
    },
    loadEnvFile(file: unknown = './.env') {
      access.check('read', resolvePath(String(file), context.cwd()), 'process.loadEnvFile');
      access.check('env', undefined, 'process.loadEnvFile');
      return (real as { loadEnvFile: (file: unknown) => void }).loadEnvFile(file);
    },
  };
  let report: unknown;
  return new Proxy(real, {
    get(target, key, receiver) {
      if (typeof key === 'string') {
        if (key === 'report') return (report ??= gateValue(access, target.report, 'process.report', 1));
        if (Object.hasOwn(overrides, key) && key in target) return overrides[key];
        if (key === 'mainModule') return undefined;
      }
      return Reflect.get(target, key, receiver);
    },
    getOwnPropertyDescriptor(target, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
      if (descriptor && typeof key === 'string' && Object.hasOwn(overrides, key) && 'value' in descriptor) return { ...descriptor, value: overrides[key] };
      return descriptor;
    },
    // Writes land on the host's process (as Node's own globals do), except over its `env`.
    set(target, key, value) {
      if (key === 'env') return false;
      return Reflect.set(target, key, value, target);
    },
  });
};

const MODULE_SAFE = new Set(['builtinModules', 'isBuiltin', 'findSourceMap', 'SourceMap', 'constants']);

export const makeGuestModuleBuiltin = (access: PackageAccess, real: Record<string, unknown>, context: BridgeContext): unknown => {
  // A fresh object (the host's `module.exports` is the `Module` function itself): its inert members,
  // a checked `createRequire`, and every other function (`_load`, `Module`, `register` …) gated.
  const guest: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(real)) {
    if (key === 'prototype' || key === 'length' || key === 'name' || key === 'caller' || key === 'arguments') continue;
    const value = Reflect.get(real, key, real);
    guest[key] = MODULE_SAFE.has(key) ? value : gateValue(access, value, `module.${key}`, 1);
  }
  guest.Module = gateValue(access, real, 'module.Module', 0);
  const isBuiltin = real.isBuiltin as (id: string) => boolean;
  const hostCreateRequire = real.createRequire as (from: string | URL) => NodeJS.Require;
  guest.createRequire = (from: string | URL) => {
    const hostRequire = hostCreateRequire(from);
    const guestRequire = (id: string) => {
      if (typeof id === 'string' && isBuiltin(id)) return context.guestBuiltin(access, id.replace(/^node:/, ''));
      access.check('run', undefined, `createRequire(…)(${JSON.stringify(id)}): a module loaded outside every compartment`);
      return hostRequire(id);
    };
    guestRequire.resolve = (id: string, options?: { paths?: string[] }) => hostRequire.resolve(id, options);
    return guestRequire;
  };
  return guest;
};
