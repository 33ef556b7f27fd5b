/**
 * A package's own `dns` and `dns/promises`. A query of a name (`lookup`, `resolve*`, `Resolver#resolve*`)
 * needs the name allowed by `net` on some port (a rule `good.test` or `good.test:443`; a denial of the
 * name without a port refuses it): asking a resolver about a name can itself carry data out. `lookup` of
 * an IP literal asks nothing and needs nothing. A reverse query (`reverse(ip)`, `lookupService(ip, port)`)
 * needs that IP the same way. `setServers` (of the package's module or a `Resolver`) points queries at
 * other servers: each must be allowed as a destination `ip:port` (port 53 unless given).
 * The module's `resolve*`, `getServers` and `setServers` work on a `Resolver` of the package's own, so
 * one package's `setServers` changes no other package's queries. `setDefaultResultOrder` is the host's
 * (a process-wide setting: the order of answers, no power).
 * Denials: callbacks get the error (asynchronously); promises reject; with no callback, it is thrown.
 */
import { isIP } from 'node:net';
import type { PackageAccess } from '../permissions.js';
import type { BridgeContext } from './types.js';
import { normalizeHostPort, splitHostPort } from '../resources.js';
import { copyModule, isAccessDenied, netGuardFor, netResource, unbracket, type NetGuard } from './net-check.js';
import { delegateInstanceof } from './net.js';

type Ctor = new (...args: any[]) => any;
type AnyFunction = (this: any, ...args: any[]) => any;

const RESOLVE_METHODS = ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname', 'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt'] as const;

/** `check(first argument)` before `method`; a denial goes to the callback, the promise, or is thrown. */
const checked = (method: AnyFunction, promises: boolean, check: (value: string) => void): AnyFunction =>
  function checkedQuery(this: unknown, ...args: unknown[]) {
    const first = args[0];
    if (typeof first === 'string' && first !== '') {
      try {
        check(first);
      } catch (error) {
        if (!isAccessDenied(error)) throw error;
        if (promises) return Promise.reject(error);
        const callback = args[args.length - 1];
        if (typeof callback !== 'function') throw error;
        process.nextTick(callback as AnyFunction, error);
        return undefined;
      }
    }
    return Reflect.apply(method, this, args);
  };

const checkServers = (guard: NetGuard, servers: unknown): void => {
  if (!Array.isArray(servers)) return;
  for (const server of servers) {
    if (typeof server !== 'string') continue;
    const [host, port] = splitHostPort(normalizeHostPort(server));
    guard.access.check('net', netResource(host, port === undefined ? 53 : Number(port)), `dns.setServers(${JSON.stringify(server)})`);
  }
};

/** The package's own `Resolver` class (of `dns` or of `dns/promises`). */
const guestResolver = (guard: NetGuard, RealResolver: Ctor, promises: boolean): Ctor => {
  const prototype = RealResolver.prototype as Record<string, AnyFunction>;
  const parent = Object.getPrototypeOf(prototype) as Record<string, AnyFunction>;
  const prefix = promises ? 'dnsPromises.Resolver#' : 'dns.Resolver#';
  class Resolver extends RealResolver {}
  const members: Record<string, unknown> = {};
  for (const name of RESOLVE_METHODS) {
    const method = prototype[name];
    if (typeof method === 'function') members[name] = checked(method, promises, hostname => guard.query(hostname, `${prefix}${name}(${JSON.stringify(hostname)})`));
  }
  const reverse = prototype.reverse!;
  members.reverse = checked(reverse, promises, ip => guard.query(unbracket(ip), `${prefix}reverse(${JSON.stringify(ip)})`));
  const setServers = (prototype.setServers ?? parent.setServers)!;
  members.setServers = function (this: unknown, servers: unknown) {
    checkServers(guard, servers);
    return Reflect.apply(setServers, this, [servers]);
  };
  for (const [key, value] of Object.entries(members)) Object.defineProperty(Resolver.prototype, key, { value, writable: false, enumerable: false, configurable: false });
  delegateInstanceof(Resolver, RealResolver);
  return Resolver;
};

const makeDns = (access: PackageAccess, real: Record<string, unknown>, context: BridgeContext, promises: boolean): Record<string, unknown> => {
  const guard = netGuardFor(access, context);
  const Resolver = guestResolver(guard, real.Resolver as Ctor, promises);
  const own = new Resolver() as Record<string, AnyFunction>;
  const name = promises ? 'dnsPromises' : 'dns';
  const guest = copyModule(real);
  guest.Resolver = Resolver;
  for (const method of [...RESOLVE_METHODS, 'reverse', 'getServers', 'setServers'] as const) {
    const bound = own[method]!;
    guest[method] = (...args: unknown[]) => Reflect.apply(bound, own, args);
  }
  guest.lookup = checked(real.lookup as AnyFunction, promises, hostname => {
    if (isIP(unbracket(hostname)) === 0) guard.query(hostname, `${name}.lookup(${JSON.stringify(hostname)})`);
  });
  guest.lookupService = checked(real.lookupService as AnyFunction, promises, address => guard.query(address, `${name}.lookupService(${JSON.stringify(address)})`));
  return guest;
};

/** The package's own `dns` (its `promises` is the package's own `dns/promises`). */
export const makeGuestDns = (access: PackageAccess, real: Record<string, unknown>, context: BridgeContext): unknown => {
  const guest = makeDns(access, real, context, false);
  Object.defineProperty(guest, 'promises', { get: () => context.guestBuiltin(access, 'dns/promises'), enumerable: true, configurable: true });
  return guest;
};

/** The package's own `dns/promises`. */
export const makeGuestDnsPromises = (access: PackageAccess, real: Record<string, unknown>, context: BridgeContext): unknown => makeDns(access, real, context, true);
