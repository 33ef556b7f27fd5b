/**
 * What a bridge-backed builtin is made from: the package's `PackageAccess` (its permissions; the
 * requester of every call made through the result), the host's real module, and the bridge's context.
 * A factory runs once per package and builtin; what it returns is that package's own module
 * (`module.exports` shape: the object `require()` gives).
 */
import type { PackageAccess, PermissionEngine } from '../permissions.js';

export interface BridgeContext {
  readonly engine: PermissionEngine;
  /** The working directory relative paths are resolved against (read at each call). */
  cwd(): string;
  /** The host's real builtin `name` (`fs`, `dns` …), for wrappers built on another one. */
  hostBuiltin(name: string): unknown;
  /** The package's own bridge-backed builtin `name` (https builds on its tls, streams on its fs …). */
  guestBuiltin(access: PackageAccess, name: string): unknown;
  /** The environment a child of this package gets: only the keys it may read, from `env` (default: the host's). */
  childEnv(access: PackageAccess, env?: Readonly<Record<string, string | undefined>> | undefined): Record<string, string>;
}

export type BuiltinFactory = (access: PackageAccess, real: any, context: BridgeContext) => unknown;

/** A global's per-package value (`process`, `fetch`, `WebSocket`), made from the host's. */
export type GlobalFactory = (access: PackageAccess, real: any, context: BridgeContext) => unknown;
