/**
 * The checks every bridge-backed network builtin makes (`net`, `tls`, `http`, `https`, `http2`,
 * `dgram`, `dns`, `fetch`, `WebSocket`). The resource is `net`: `host` or `host:port`, normalized as
 * the flags are (`normalizeHost`), a rule without a port covering every port.
 *
 * Connecting (`net.connect`, `Socket#connect`, `tls.connect`, `http(s).request`, `http2.connect`,
 * `dgram` `send`/`connect`, `fetch`, `WebSocket`) checks the destination `host:port`:
 * - an IP literal in any spelling (`2130706433`, `0x7f000001`, `127.1`, `[::ffff:127.0.0.1]`) is checked
 *   in its one form (so an alias cannot dodge `--deny-net=127.0.0.1`; `127.0.0.2` is another host and
 *   `[::1]` is not `127.0.0.1`), and the host is handed its one form too;
 * - a name must be allowed by name (asking the DNS about it can itself leak data), except `localhost`
 *   and `*.localhost`, which may also be reached when their (loopback) answer is allowed by IP;
 * - every DNS answer used to connect is checked as well: the host's connect is given our own `lookup`
 *   (around the host's `dns.lookup`, or around the package's own `lookup` option). Answers for a name
 *   allowed by name are refused only when a rule denies them (`--allow-net=good.test
 *   --deny-net=10.0.0.1`); answers from a package's own `lookup`, for `localhost` not allowed by name, or
 *   for an IP literal must be allowed by IP. An answer refused is dropped; with none left the lookup fails.
 * Unix sockets and named pipes (`path`, `socketPath`), and sockets made on a file descriptor or handle,
 * need all of `net` (resource undefined).
 *
 * Listening (`Server#listen` of every server kind, `dgram` `bind`) checks `host:port`; an unspecified
 * address (none given, `0.0.0.0` or `::`: both listen on every interface) is allowed by a rule for
 * `0.0.0.0` or for `[::]` (and refused by a denial of either); `localhost` by a rule for `localhost`,
 * `127.0.0.1` or `[::1]`; port 0 (any port) needs a rule for the host without a port (or all of `net`).
 *
 * Denials: synchronous APIs throw; a socket, request or session gets the error as its `'error'` event
 * (asynchronously, as Node delivers a connection error); callbacks get it as their error; promises reject.
 */
import { isIP } from 'node:net';
import type { PackageAccess } from '../permissions.js';
import { packageMatches } from '../permissions.js';
import { normalizeHost, overlaps, hostOf } from '../resources.js';
import type { BridgeContext } from './types.js';

/** The shape of `dns.lookup` (and of a `lookup` option): `(hostname, options, callback)`. */
export type LookupFunction = (hostname: string, options: unknown, callback: (...results: any[]) => void) => void;

/** `[::1]` → `::1`; anything else as it is. */
export const unbracket = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** `host[:port]` with `host` in its one spelling (IPv6 bracketed). */
export const netResource = (host: string, port?: number | undefined): string => {
  const normalized = normalizeHost(host);
  const spelled = normalized.includes(':') && !normalized.startsWith('[') ? `[${normalized}]` : normalized;
  return port === undefined ? spelled : `${spelled}:${port}`;
};

const isLocalName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost');

/** Node's own error for a port out of range (`ERR_SOCKET_BAD_PORT`). */
const badPort = (value: unknown): RangeError =>
  Object.assign(new RangeError(`Port should be >= 0 and < 65536. Received ${typeof value === 'string' ? `"${value}"` : String(value)}.`), { code: 'ERR_SOCKET_BAD_PORT' });

/** A port as Node validates one (a number or a string of digits, 0–65535), as a number; `undefined` stays. */
export const validPort = (value: unknown): number | undefined => {
  if (value === undefined || value === null) return undefined;
  if ((typeof value !== 'number' && typeof value !== 'string') || (typeof value === 'string' && value.trim() === '')) throw badPort(value);
  const port = Number(value);
  if (port !== port >>> 0 || port > 0xffff) throw badPort(value);
  return port;
};

/** Node's `ERR_INVALID_ARG_TYPE` for a member that must be a string or a function. */
export const invalidArg = (name: string, expected: string, value: unknown): TypeError =>
  Object.assign(new TypeError(`The "${name}" argument must be of type ${expected}. Received ${value === null ? 'null' : typeof value}`), { code: 'ERR_INVALID_ARG_TYPE' });

export const isAccessDenied = (error: unknown): error is Error => error instanceof Error && (error as { code?: unknown }).code === 'ERR_ACCESS_DENIED';

/** One package's network checks. */
export interface NetGuard {
  readonly access: PackageAccess;
  /** Throws unless the package has all of `net` (unix sockets, file descriptors, handles). */
  all(what: string): void;
  /**
   * Checks connecting to `host:port` and returns the `lookup` the host's connect must use (it checks
   * every answer); `guestLookup` is the package's own `lookup` option, if it gave one. Throws the denial.
   */
  connect(host: string, port: number, guestLookup: LookupFunction | undefined, what: string): LookupFunction;
  /** Checks listening on `host:port` (`host` undefined: every interface; port 0: any port). */
  listen(host: string | undefined, port: number, what: string): void;
  /** Checks a DNS query of `name` (or a reverse query of an IP): it must be allowed on some port. */
  query(name: string, what: string): void;
  /** `null` when the package may use `address` as an answer for port `port`, else the denial. */
  answer(address: string, port: number, byIp: boolean, what: string): Error | null;
  /** The host's own `dns.lookup`. */
  readonly hostLookup: LookupFunction;
}

const guards = new WeakMap<PackageAccess, NetGuard>();

/** The package's network checks (one per package). */
export const netGuardFor = (access: PackageAccess, context: BridgeContext): NetGuard => {
  const known = guards.get(access);
  if (known) return known;
  const hostDns = context.hostBuiltin('dns') as { lookup: LookupFunction };
  const hostLookup: LookupFunction = hostDns.lookup;
  const canonicalName = access.canonicalName;

  // Whether a rule for `rule.package` may cover this package. The root's own package name is not known
  // here, so for the root a rule naming any package is taken to be its own (a denial errs on refusing).
  const mayCover = (rule: { package?: string | undefined; exact?: boolean | undefined }, denial: boolean): boolean =>
    rule.package === undefined || packageMatches(rule.package, canonicalName, undefined, rule.exact ?? false) || (denial && canonicalName === '$root$' && rule.exact !== true && !rule.package.includes('>'));
  const explicitlyDenied = (resource: string): boolean =>
    context.engine.permissions.deny.net.some(rule => mayCover(rule, true) && (rule.resource === undefined || overlaps('net', rule.resource, resource)));
  const denial = (resource: string | undefined, what: string): Error | null => {
    try {
      access.check('net', resource, what);
      return null;
    } catch (error) {
      if (isAccessDenied(error)) return error;
      throw error;
    }
  };

  const answer = (address: string, port: number, byIp: boolean, what: string): Error | null => {
    if (isIP(address) === 0) return Object.assign(new TypeError(`Invalid IP address: ${address}`), { code: 'ERR_INVALID_IP_ADDRESS' });
    const resource = netResource(address, port);
    if (!byIp) return explicitlyDenied(resource) ? denial(resource, what) : null;
    return denial(resource, what);
  };

  // A lookup that hands the host only the answers the package may use.
  const checkedLookup = (port: number, byIp: boolean, inner: LookupFunction, what: string): LookupFunction =>
    function lookup(hostname: string, given: unknown, callback: (...results: any[]) => void): void {
      let options: Record<string, unknown> = {};
      if (typeof given === 'function') callback = given as typeof callback;
      else if (typeof given === 'number') options = { family: given };
      else if (given !== null && typeof given === 'object') options = { ...(given as Record<string, unknown>) };
      const all = options.all === true;
      Reflect.apply(inner, undefined, [hostname, options, (error: unknown, address: unknown, family: unknown) => {
        if (error) return callback(error);
        const entries = Array.isArray(address) ? address : [{ address, family }];
        const kept: { address: string; family: number }[] = [];
        let refused: Error | null = null;
        for (const entry of entries) {
          const ip = String(entry !== null && typeof entry === 'object' ? (entry as { address?: unknown }).address : entry);
          const why = answer(ip, port, byIp, `${what}: ${hostname} → ${ip}`);
          if (why) refused ??= why;
          else kept.push({ address: ip, family: isIP(ip) });
        }
        if (kept.length === 0) return callback(refused ?? Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }));
        if (all) callback(null, kept);
        else callback(null, kept[0]!.address, kept[0]!.family);
      }]);
    };

  const connect = (host: string, port: number, guestLookup: LookupFunction | undefined, what: string): LookupFunction => {
    const normalized = normalizeHost(host === '' ? 'localhost' : host);
    const bare = unbracket(normalized);
    const resource = netResource(normalized, port);
    if (isIP(bare) !== 0) {
      access.check('net', resource, what);
      return checkedLookup(port, true, guestLookup ?? hostLookup, what);
    }
    if (isLocalName(bare) && (guestLookup !== undefined || !access.allows('net', resource))) {
      // Reached when its answer is allowed; a denial of the name itself still holds.
      if (explicitlyDenied(resource)) access.check('net', resource, what);
      return checkedLookup(port, true, guestLookup ?? hostLookup, what);
    }
    access.check('net', resource, what);
    return checkedLookup(port, guestLookup !== undefined, guestLookup ?? hostLookup, what);
  };

  const firstAllowed = (candidates: readonly string[], what: string): void => {
    const refused = candidates.find(explicitlyDenied);
    if (refused !== undefined) return access.check('net', refused, what);
    access.check('net', candidates.find(candidate => access.allows('net', candidate)) ?? candidates[0], what);
  };

  const listen = (host: string | undefined, port: number, what: string): void => {
    const anyPort = port === 0 ? undefined : port;
    const bare = host === undefined || host === '' ? '0.0.0.0' : unbracket(normalizeHost(host));
    if (bare === '0.0.0.0' || bare === '::') return firstAllowed([netResource('0.0.0.0', anyPort), netResource('::', anyPort)], what);
    if (bare === 'localhost') return firstAllowed([netResource('localhost', anyPort), netResource('127.0.0.1', anyPort), netResource('::1', anyPort)], what);
    access.check('net', netResource(bare, anyPort), what);
  };

  const query = (name: string, what: string): void => {
    const resource = netResource(name);
    if (access.allows('net', resource)) return access.check('net', resource, what);
    const host = hostOf(resource);
    const onSomePort = context.engine.permissions.allow.net.some(rule => mayCover(rule, false) && rule.resource !== undefined && hostOf(rule.resource) === host);
    if (onSomePort && !explicitlyDenied(resource)) return;
    access.check('net', resource, what);
  };

  const guard: NetGuard = Object.freeze({
    access,
    all: (what: string) => access.check('net', undefined, what),
    connect,
    listen,
    query,
    answer,
    hostLookup,
  });
  guards.set(access, guard);
  return guard;
};

/** `s` names a pipe (not a port), as Node decides for `connect(s)` and `listen(s)`. */
export const isPipeName = (value: unknown): value is string => typeof value === 'string' && !(Number(value) >= 0);

/** `connect(…)`'s arguments as `[options, callback]`, the options a fresh copy (read once), as Node's `_normalizeArgs`. */
export const normalizeConnectArgs = (args: readonly unknown[]): [Record<string, unknown>, Function | undefined] => {
  if (args.length === 0) return [{}, undefined];
  const first = args[0];
  let options: Record<string, unknown> = {};
  if (first !== null && typeof first === 'object') options = { ...(first as Record<string, unknown>) };
  else if (isPipeName(first)) options.path = first;
  else {
    options.port = first;
    if (args.length > 1 && typeof args[1] === 'string') options.host = args[1];
  }
  const last = args[args.length - 1];
  return [options, typeof last === 'function' ? last : undefined];
};

/**
 * Checks connect options (already a fresh copy) in place: validates `host`, `port` and `lookup` as Node
 * does, then puts in the host's one spelling of an IP host and the checked `lookup`. Returns the denial
 * (not thrown: connecting APIs deliver it as an event), or `null`.
 */
export const checkConnectOptions = (guard: NetGuard, options: Record<string, unknown>, what: string): Error | null => {
  try {
    if (options.path !== undefined && options.path !== null) {
      guard.all(`${what}: a unix socket or pipe (${String(options.path)})`);
      return null;
    }
    const { host, lookup } = options;
    if (host !== undefined && host !== null && typeof host !== 'string') throw invalidArg('options.host', 'string', host);
    if (lookup !== undefined && lookup !== null && typeof lookup !== 'function') throw invalidArg('options.lookup', 'function', lookup);
    const port = validPort(options.port) ?? 0;
    const name = typeof host === 'string' && host !== '' ? host : 'localhost';
    const checked = guard.connect(name, port, (lookup ?? undefined) as LookupFunction | undefined, what);
    // The host resolves (or dials) exactly what was checked.
    options.host = unbracket(normalizeHost(name));
    options.port = port;
    options.lookup = checked;
    return null;
  } catch (error) {
    if (isAccessDenied(error)) return error;
    throw error;
  }
};

/** Destroys `stream` with `error` on the next tick: its `'error'` and `'close'` events, as a failed connection. */
export const failLater = (stream: { destroy(error?: Error): unknown; destroyed?: boolean; _undestroy?: () => void }, error: Error): void => {
  // A socket connected again after it was destroyed is made live first, as Node's `connect` does.
  if (stream.destroyed === true && typeof stream._undestroy === 'function') stream._undestroy();
  process.nextTick(() => stream.destroy(error));
};

/** Own, non-writable members on an object the bridge hands a package (its host prototype keeps its own). */
export const pin = (target: object, members: Readonly<Record<string, unknown>>): void => {
  for (const [key, value] of Object.entries(members)) {
    Object.defineProperty(target, key, { value, writable: false, enumerable: false, configurable: false });
  }
};

/** The host module's members, without its `_internal` ones except those named, as a fresh object. */
export const copyModule = (real: Record<string, unknown>, keepInternal: readonly string[] = []): Record<string, unknown> => {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(real)) {
    if (key.startsWith('_') && !keepInternal.includes(key)) continue;
    copy[key] = real[key];
  }
  return copy;
};
