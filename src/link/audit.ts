/**
 * The runtime audit behind `cordon policy generate --audit`: an application run with everything
 * allowed and a recorder on every way in, so that what no static analysis sees (computed requires,
 * plugin loaders, globals reached by computed names) ends up in the policy. It has the shape of an
 * enforcement (see policy.ts) that never denies:
 * - every package edge and every host module a package resolves is recorded when it is resolved;
 * - what a package's `require()` of a builtin returns records the members read off it
 *   (`fs.readFileSync`), and a call of the module itself (`require('events')()`) the whole module;
 * - every global a package reads or writes is recorded as it happens; members of `process` one level
 *   deep (`process.env`), since that is where the authority is.
 */
import { builtinNameOf } from '../model/index.js';
import type { BuiltinGrant } from '../policy/index.js';
import { readGiven, type Enforcement, type Requester } from './policy.js';

export interface AuditEvent {
  /** `module`: a builtin was resolved (whether any member of it is then read is recorded as `builtin`). */
  readonly kind: 'package' | 'builtin' | 'module' | 'global';
  /** The package that reached it. */
  readonly canonicalName: string;
  readonly isEntry: boolean;
  /** A canonical name, a builtin name or member path (`fs`, `fs.readFileSync`), a global path. */
  readonly resource: string;
  readonly access: 'read' | 'write';
}

export type AuditRecorder = (event: AuditEvent) => void;

const ALL: BuiltinGrant = Object.freeze({ kind: 'all' });

const isObjectLike = (value: unknown): value is object => value !== null && (typeof value === 'object' || typeof value === 'function');

export const makeAuditEnforcement = (record: AuditRecorder): Enforcement => {
  const views = new Map<string, unknown>();
  const note = (requester: Requester, kind: AuditEvent['kind'], resource: string, access: AuditEvent['access'] = 'read') =>
    record(Object.freeze({ kind, canonicalName: requester.canonicalName, isEntry: requester.isEntry, resource, access }));

  /** `value`, with reads of its members recorded as `path.member`. */
  const recording = (value: object, onMember: (key: string) => void, onWhole: () => void): object =>
    new Proxy(value, {
      get(target, key) {
        if (typeof key === 'string') onMember(key);
        return Reflect.get(target, key, target);
      },
      apply(target, thisArgument, args) {
        onWhole();
        return Reflect.apply(target as (...a: unknown[]) => unknown, thisArgument, args);
      },
      construct(target, args, newTarget) {
        onWhole();
        return Reflect.construct(target as new (...a: unknown[]) => object, args, newTarget as (new (...a: unknown[]) => object));
      },
    });

  const exitNamespace = (requester: Requester, specifier: string, _grant: BuiltinGrant | undefined, moduleExports: unknown): unknown => {
    const name = builtinNameOf(specifier);
    const key = `${requester.canonicalName}\u0000${name}`;
    if (views.has(key)) return views.get(key);
    let view: unknown = moduleExports;
    if (isObjectLike(moduleExports)) {
      // Named imports are static (the analysis has them); what `require()` returns records its reads.
      const namespace: Record<string, unknown> = Object.create(null);
      for (const member of Object.keys(moduleExports)) namespace[member] = (moduleExports as Record<string, unknown>)[member];
      namespace.default = recording(moduleExports, member => note(requester, 'builtin', `${name}.${member}`), () => note(requester, 'builtin', name));
      view = namespace;
    }
    views.set(key, view);
    return view;
  };

  const applyGlobals: Enforcement['applyGlobals'] = (target, requester, given) => {
    if (!given) return;
    for (const name of Reflect.ownKeys(given)) {
      if (typeof name !== 'string' || Object.hasOwn(target, name)) {
        Object.defineProperty(target, name, given[name as string]!);
        continue;
      }
      const descriptor = given[name]!;
      const read = (): unknown => readGiven(given, name);
      let cached: { value: unknown; view: unknown } | undefined;
      Object.defineProperty(target, name, {
        get() {
          note(requester, 'global', name);
          const value = read();
          if (name !== 'process' || !isObjectLike(value)) return value;
          if (cached?.value !== value) cached = { value, view: recording(value, member => note(requester, 'global', `process.${member}`), () => undefined) };
          return cached.view;
        },
        set(value: unknown) {
          note(requester, 'global', name, 'write');
          Object.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true });
        },
        enumerable: descriptor.enumerable ?? false,
        configurable: true,
      });
    }
  };

  return Object.freeze({
    grantsOf: () => undefined,
    checkEdge: (requester: Requester, target: string) => {
      if (target !== requester.canonicalName) note(requester, 'package', target);
    },
    checkExit: (requester: Requester, specifier: string) => {
      note(requester, 'module', builtinNameOf(specifier));
      return ALL;
    },
    exitNamespace,
    applyGlobals,
    loadAttenuators: async () => undefined,
    foreignExports: (_requester: Requester, _exporter: string, _key: string, value: unknown) => value,
  });
};
