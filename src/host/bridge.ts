/**
 * The host bridge: each package's own permission-checked builtins and globals, for the linker
 * (`options.hostBridge`). A package's `fs`, `net`, `child_process`, `process` … are made for it alone
 * (`builtins/`), so every host call it makes is checked against its own grants: the requester is the
 * package that holds the object, never a stack walk. Builtins that hold no host power (`path`, `util`,
 * `events` …) are handed over as they are; every other builtin without a wrapper of its own is gated
 * whole: its functions need `--allow-run` (they reach outside the compartment: `vm.runInThisContext`,
 * `inspector`, `repl`, `wasi` …).
 */
import { builtinNameOf } from '../model/index.js';
import type { PackageAccess, PermissionEngine } from './permissions.js';
import { BUILTIN_FACTORIES, GLOBAL_FACTORIES, SAFE_BUILTINS, gatedModule } from './builtins/index.js';
import type { BridgeContext } from './builtins/types.js';
import { makeOwnCopy } from './builtins/own-copy.js';
import { checkRulePackages } from './flags.js';

export interface HostBridgeOptions {
  readonly engine: PermissionEngine;
  /** The host's real builtins, by name without `node:` (`fs`, `fs/promises` …). */
  readonly hostBuiltin: (name: string) => unknown;
  /** The host's environment (`process.env`); children and `process.env` views read it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: () => string;
}

export interface HostBridgeInstance {
  packages(canonicalNames: readonly string[], rootName: string | undefined): void;
  module(canonicalName: string, specifier: string, moduleExports: unknown): unknown;
  globals(canonicalName: string, descriptors: Readonly<Record<PropertyKey, PropertyDescriptor>>): Readonly<Record<PropertyKey, PropertyDescriptor>>;
  /** Package `canonicalName`'s own bridge-backed builtin `name`. */
  builtinFor(canonicalName: string, name: string): unknown;
}

export const makeHostBridge = (options: HostBridgeOptions): HostBridgeInstance => {
  const { engine, hostBuiltin, env, cwd } = options;
  const made = new Map<string, unknown>();
  const context: BridgeContext = Object.freeze({
    engine,
    cwd,
    hostBuiltin,
    guestBuiltin: (access: PackageAccess, name: string) => builtinFor(access.canonicalName, name),
    childEnv: (access: PackageAccess, given?: Readonly<Record<string, string | undefined>>) => {
      const childEnv: Record<string, string> = {};
      for (const [key, value] of Object.entries(given ?? env)) {
        if (value !== undefined && access.allows('env', key)) childEnv[key] = value;
      }
      return childEnv;
    },
  });

  const builtinFor = (canonicalName: string, name: string, real: unknown = hostBuiltin(name)): unknown => {
    const key = `${canonicalName}\u0000${name}`;
    if (made.has(key)) return made.get(key);
    const access = engine.forPackage(canonicalName);
    const factory = BUILTIN_FACTORIES[name];
    // A builtin without host power is the package's own copy: what it writes on it, no other package sees.
    const value = factory ? factory(access, real, context) : SAFE_BUILTINS.has(name) ? makeOwnCopy(real) : gatedModule(access, real, name);
    made.set(key, value);
    return value;
  };

  const globalsMade = new Map<string, Record<PropertyKey, PropertyDescriptor>>();
  const globals = (canonicalName: string, descriptors: Readonly<Record<PropertyKey, PropertyDescriptor>>): Readonly<Record<PropertyKey, PropertyDescriptor>> => {
    const known = globalsMade.get(canonicalName);
    if (known) return known;
    const own: Record<PropertyKey, PropertyDescriptor> = { ...descriptors };
    const access = engine.forPackage(canonicalName);
    for (const [name, factory] of Object.entries(GLOBAL_FACTORIES)) {
      const descriptor = descriptors[name];
      if (descriptor === undefined) continue;
      let value: unknown;
      let ready = false;
      const read = (): unknown => {
        if (!ready) {
          const real = 'value' in descriptor ? descriptor.value : descriptor.get?.call(undefined);
          value = real === undefined ? undefined : factory(access, real, context);
          ready = true;
        }
        return value;
      };
      // Lazy, as Node's own lazy globals (`fetch` loads undici when first read).
      own[name] = {
        get: read,
        set(this: object, next: unknown) {
          Object.defineProperty(this, name, { value: next, writable: true, enumerable: descriptor.enumerable ?? false, configurable: true });
        },
        enumerable: descriptor.enumerable ?? false,
        configurable: true,
      };
    }
    globalsMade.set(canonicalName, own);
    return own;
  };

  return Object.freeze({
    packages: (canonicalNames: readonly string[], rootName: string | undefined) => checkRulePackages(engine.permissions, canonicalNames, rootName),
    module: (canonicalName: string, specifier: string, moduleExports: unknown) => builtinFor(canonicalName, builtinNameOf(specifier), moduleExports),
    globals,
    builtinFor: (canonicalName: string, name: string) => builtinFor(canonicalName, name),
  });
};

