/**
 * A package's own `dgram`: `createSocket`/`Socket` give the package's own subclass whose
 * - `send` (not connected) checks its destination `address:port` as a connection (`net-check.ts`; the
 *   default address is `127.0.0.1` / `::1`); a name is resolved by the bridge (through the package's own
 *   `lookup` option if it gave one) and every answer checked, then the host sends to the IP;
 * - `connect` checks the same way (a connected socket's `send` then needs nothing more);
 * - `bind` checks listening on `address:port` (default `0.0.0.0` / `::`; port 0: a rule for the host
 *   without a port); `bind({ fd })` needs all of `net`.
 * The bind Node makes by itself for a socket that sends or connects unbound (port 0, every interface:
 * an ephemeral client port) is part of that send or connect and needs nothing more. The host socket is
 * given a `lookup` that resolves IP literals only, so the host never resolves a name the bridge has not.
 * Denials: `send` and `connect` give the error to their callback (else as `'error'`); `bind` as `'error'`.
 * Limits as `net`'s: the host's `Socket.prototype` is one `Object.getPrototypeOf` away.
 */
import { isIP } from 'node:net';
import type { PackageAccess } from '../permissions.js';
import type { BridgeContext } from './types.js';
import { normalizeHost } from '../resources.js';
import { copyModule, invalidArg, isAccessDenied, netGuardFor, unbracket, validPort, type LookupFunction } from './net-check.js';
import { defineMethods, delegateInstanceof } from './net.js';

type Ctor = new (...args: any[]) => any;
type AnyFunction = (this: any, ...args: any[]) => any;
type DgramSocket = { type: string; emit(event: string, error: Error): unknown; remoteAddress(): unknown };

const ipOnlyLookup = (address: string, family: unknown, callback: (...results: unknown[]) => void): void => {
  if (typeof family === 'function') callback = family as typeof callback;
  const kind = isIP(address);
  if (kind !== 0) return process.nextTick(callback, null, address, kind);
  process.nextTick(callback, Object.assign(new Error(`getaddrinfo ENOTFOUND ${address}`), { code: 'ENOTFOUND', hostname: address }));
};

/** The package's own `dgram` module. */
export const makeGuestDgram = (access: PackageAccess, real: Record<string, unknown>, context: BridgeContext): unknown => {
  const guard = netGuardFor(access, context);
  const RealSocket = real.Socket as Ctor;
  const realBind = RealSocket.prototype.bind as AnyFunction;
  const realConnect = RealSocket.prototype.connect as AnyFunction;
  const realSend = RealSocket.prototype.send as AnyFunction;
  const ownLookup = new WeakMap<object, LookupFunction | undefined>();
  const implicit = new WeakSet<object>();

  const familyOf = (socket: DgramSocket): number => (socket.type === 'udp6' ? 6 : 4);
  const fail = (socket: DgramSocket, error: unknown, callback: unknown): void => {
    process.nextTick(() => (typeof callback === 'function' ? callback(error) : socket.emit('error', error as Error)));
  };
  /** Calls the host's method with Node's own bind (of an unbound socket) let through. */
  const withImplicitBind = (socket: DgramSocket, method: AnyFunction, args: unknown[]): unknown => {
    implicit.add(socket);
    try {
      return Reflect.apply(method, socket, args);
    } finally {
      implicit.delete(socket);
    }
  };
  /**
   * Checks sending or connecting to `address:port` and calls `then(ip)` with the address to hand the
   * host, or gives the denial to `callback` (else `'error'`). Throws for arguments Node throws for.
   */
  const toDestination = (socket: DgramSocket, port: number, address: unknown, callback: unknown, what: string, then: (ip: string) => void): void => {
    if (address !== undefined && address !== null && address !== '' && typeof address !== 'string') throw invalidArg('address', 'string', address);
    const name = typeof address === 'string' && address !== '' ? address : familyOf(socket) === 6 ? '::1' : '127.0.0.1';
    let lookup: LookupFunction;
    try {
      lookup = guard.connect(name, port, ownLookup.get(socket), what);
    } catch (error) {
      if (!isAccessDenied(error)) throw error;
      return fail(socket, error, callback);
    }
    const bare = unbracket(normalizeHost(name));
    if (isIP(bare) !== 0) return then(bare);
    lookup(name, { family: familyOf(socket) }, (error: unknown, ip: unknown) => (error ? fail(socket, error, callback) : then(String(ip))));
  };

  const isConnected = (socket: DgramSocket): boolean => {
    try {
      socket.remoteAddress();
      return true;
    } catch {
      return false;
    }
  };

  function send(this: DgramSocket, ...args: unknown[]): unknown {
    if (isConnected(this)) return withImplicitBind(this, realSend, args);
    const long = Boolean(args[4]) || (Boolean(args[3]) && typeof args[3] !== 'function');
    const head = long ? args.slice(0, 3) : args.slice(0, 1);
    let [port, address, callback] = long ? args.slice(3, 6) : args.slice(1, 4);
    if (typeof address === 'function') {
      callback = address;
      address = undefined;
    }
    const checkedPort = validPort(port) ?? 0;
    toDestination(this, checkedPort, address, callback, 'dgram send', ip => {
      withImplicitBind(this, realSend, [...head, checkedPort, ip, ...(callback === undefined ? [] : [callback])]);
    });
    return undefined;
  }

  function connect(this: DgramSocket, port: unknown, address?: unknown, callback?: unknown): unknown {
    if (typeof address === 'function') {
      callback = address;
      address = undefined;
    }
    const checkedPort = validPort(port) ?? 0;
    toDestination(this, checkedPort, address, callback, 'dgram connect', ip => {
      withImplicitBind(this, realConnect, callback === undefined ? [checkedPort, ip] : [checkedPort, ip, callback]);
    });
    return undefined;
  }

  function bind(this: DgramSocket, ...args: unknown[]): unknown {
    if (implicit.has(this)) return Reflect.apply(realBind, this, args);
    const first = args[0];
    let port: unknown;
    let address: unknown;
    let rest: unknown[];
    let options: Record<string, unknown> | undefined;
    if (first !== null && typeof first === 'object') {
      options = { ...(first as object) };
      if (typeof options.fd === 'number') {
        access.check('net', undefined, 'dgram bind({ fd })');
        return Reflect.apply(realBind, this, args);
      }
      ({ port, address } = options);
      rest = args.slice(1);
    } else if (typeof first === 'function') {
      rest = args;
    } else {
      port = first;
      address = typeof args[1] === 'function' ? undefined : args[1];
      rest = args.slice(typeof args[1] === 'function' || args.length < 2 ? 1 : 2);
    }
    if (address !== undefined && address !== null && address !== '' && typeof address !== 'string') throw invalidArg('address', 'string', address);
    const checkedPort = validPort(port) ?? 0;
    const host = typeof address === 'string' && address !== '' ? address : undefined;
    try {
      guard.listen(host, checkedPort, `dgram bind ${host ?? '(every interface)'}:${checkedPort}`);
    } catch (error) {
      if (!isAccessDenied(error)) throw error;
      fail(this, error, undefined);
      return this;
    }
    const go = (ip: string | undefined): void => {
      const given = options ? [{ ...options, port: checkedPort, ...(ip === undefined ? {} : { address: ip }) }, ...rest] : [checkedPort, ...(ip === undefined ? [] : [ip]), ...rest];
      Reflect.apply(realBind, this, given);
    };
    const bare = host === undefined ? undefined : unbracket(normalizeHost(host));
    if (bare === undefined || isIP(bare) !== 0) go(bare);
    else {
      // A name to listen on: resolved here (the host socket resolves IP literals only).
      const lookup = ownLookup.get(this) ?? guard.hostLookup;
      Reflect.apply(lookup, undefined, [bare, { family: familyOf(this) }, (error: unknown, ip: unknown) => (error ? fail(this, error, undefined) : go(String(ip)))]);
    }
    return this;
  }

  class Socket extends RealSocket {
    constructor(type: unknown, listener?: unknown) {
      let given = type;
      let guestLookup: LookupFunction | undefined;
      if (type !== null && typeof type === 'object') {
        const options: Record<string, unknown> = { ...(type as object) };
        if (options.lookup !== undefined && options.lookup !== null) {
          if (typeof options.lookup !== 'function') throw invalidArg('options.lookup', 'function', options.lookup);
          guestLookup = options.lookup as LookupFunction;
        }
        options.lookup = ipOnlyLookup;
        given = options;
      } else {
        given = { type, lookup: ipOnlyLookup };
      }
      super(given, listener);
      ownLookup.set(this, guestLookup);
    }
  }
  defineMethods(Socket.prototype, { send, connect, bind });
  delegateInstanceof(Socket, RealSocket);

  const guest = copyModule(real);
  guest.Socket = Socket;
  guest.createSocket = (type: unknown, listener?: unknown) => new Socket(type, listener);
  return guest;
};
