/**
 * A package's own `net`: `connect`/`createConnection`, `Socket` (its `connect` checked; `fd`/`handle`
 * options need all of `net`), `Server`/`createServer` (its `listen` checked), as `net-check.ts` says.
 * Its classes are the package's own subclasses of the host's (`instanceof` still holds for the host's
 * sockets), and the host-made sockets a package is handed (a server's connections) get own, pinned
 * `connect` and `constructor` members that check too. The host's prototypes are never changed.
 *
 * What remains open (closing it needs a membrane around every host object): the host's classes and
 * prototypes are still one `Object.getPrototypeOf` away (`Object.getPrototypeOf(net.Socket)`,
 * `Object.getPrototypeOf(Socket.prototype).connect`), and a live socket's libuv handle (`_handle`) has
 * the binding's own `bind`/`listen`/`connect`; `_createServerHandle` is not handed over.
 */
import type { PackageAccess } from '../permissions.js';
import type { BridgeContext } from './types.js';
import { checkConnectOptions, copyModule, failLater, invalidArg, isAccessDenied, isPipeName, netGuardFor, normalizeConnectArgs, pin, validPort, type NetGuard } from './net-check.js';

type Ctor = new (...args: any[]) => any;
type AnyFunction = (this: any, ...args: any[]) => any;

/** What `net` is made of, shared by the package's `tls`, `http`, `https`, `http2`. */
export interface NetKit {
  readonly guard: NetGuard;
  readonly Socket: Ctor;
  readonly Server: Ctor;
  /** A checked `Socket#connect` for any socket (`this`). */
  readonly checkedConnect: AnyFunction;
  /** A checked `Server#listen` for any server (`this`): the host's `listen` of that server's own class. */
  checkedListen(realListen: AnyFunction, what: string): AnyFunction;
  /** Pins a checked `connect` (and `constructor`) on a host-made socket. */
  pinSocket(socket: object, constructor: Ctor): void;
  /** Pins a checked `listen` (and `constructor`) on a server, and pins each socket it is handed. */
  pinServer(server: object, listen: AnyFunction, constructor: unknown, socketConstructor: Ctor): void;
  /** The package's `net.connect`. */
  connect(...args: unknown[]): unknown;
}

/** `instanceof` a package's class also holds for the host's instances (a server's sockets). */
export const delegateInstanceof = (guest: Ctor, real: Ctor): void => {
  Object.defineProperty(guest, Symbol.hasInstance, {
    value(this: unknown, value: unknown) {
      return this === guest ? value instanceof real : Function.prototype[Symbol.hasInstance].call(this, value);
    },
  });
};

/** Defines `members` on a class's prototype, non-enumerable as class methods are. */
export const defineMethods = (prototype: object, members: Readonly<Record<string, unknown>>): void => {
  for (const [key, value] of Object.entries(members)) Object.defineProperty(prototype, key, { value, writable: false, enumerable: false, configurable: false });
};

/**
 * Listen arguments after the check: a fresh options object (or the port as a number). Throws for
 * arguments Node would throw for; returns the denial as `denial`.
 */
export const prepareListen = (guard: NetGuard, args: unknown[], what: string): { args: unknown[]; denial?: Error } => {
  try {
    const first = args[0];
    if (first !== null && typeof first === 'object') {
      const given = first as Record<string, unknown>;
      if ('_handle' in given || 'handle' in given || typeof given.fd === 'number') {
        guard.all(`${what}: a handle or file descriptor`);
        return { args };
      }
      const options = { ...given };
      if (options.path !== undefined && options.path !== null) {
        guard.all(`${what}: a unix socket or pipe (${String(options.path)})`);
        return { args: [options, ...args.slice(1)] };
      }
      if (options.host !== undefined && options.host !== null && typeof options.host !== 'string') throw invalidArg('options.host', 'string', options.host);
      const port = validPort(options.port) ?? 0;
      guard.listen((options.host ?? undefined) as string | undefined, port, what);
      if (options.port !== undefined) options.port = port;
      return { args: [options, ...args.slice(1)] };
    }
    if (first === undefined || first === null || typeof first === 'function') {
      guard.listen(undefined, 0, what);
      return { args };
    }
    if (isPipeName(first)) {
      guard.all(`${what}: a unix socket or pipe (${first})`);
      return { args };
    }
    const port = validPort(first) ?? 0;
    guard.listen(typeof args[1] === 'string' ? args[1] : undefined, port, what);
    return { args: [port, ...args.slice(1)] };
  } catch (error) {
    if (isAccessDenied(error)) return { args, denial: error };
    throw error;
  }
};

const kits = new WeakMap<PackageAccess, NetKit>();

export const netKitFor = (access: PackageAccess, context: BridgeContext): NetKit => {
  const known = kits.get(access);
  if (known) return known;
  const real = context.hostBuiltin('net') as { Socket: Ctor; Server: Ctor };
  const guard = netGuardFor(access, context);
  const RealSocket = real.Socket;
  const RealServer = real.Server;
  const realConnect = RealSocket.prototype.connect as AnyFunction;
  const realListen = RealServer.prototype.listen as AnyFunction;

  const checkedConnect = function connect(this: { destroy(error?: Error): unknown }, ...args: unknown[]) {
    const [options, callback] = normalizeConnectArgs(args);
    const denial = checkConnectOptions(guard, options, 'net.connect');
    if (denial) {
      failLater(this, denial);
      return this;
    }
    return Reflect.apply(realConnect, this, callback ? [options, callback] : [options]);
  };

  const checkedListen = (listen: AnyFunction, what: string): AnyFunction =>
    function listenChecked(this: { emit(event: string, error: Error): unknown }, ...args: unknown[]) {
      const prepared = prepareListen(guard, args, what);
      if (prepared.denial) {
        const denial = prepared.denial;
        process.nextTick(() => this.emit('error', denial));
        return this;
      }
      return Reflect.apply(listen, this, prepared.args);
    };

  const pinSocket = (socket: object, constructor: Ctor): void => {
    if (Object.hasOwn(socket, 'connect')) return;
    pin(socket, { connect: checkedConnect, constructor });
  };

  const pinServer = (server: object, listen: AnyFunction, constructor: unknown, socketConstructor: Ctor): void => {
    pin(server, { listen, constructor });
    const emitter = server as { prependListener(event: string, listener: (socket: object) => void): unknown };
    emitter.prependListener('connection', socket => pinSocket(socket, socketConstructor));
    emitter.prependListener('secureConnection', socket => pinSocket(socket, socketConstructor));
  };

  const checkSocketOptions = (options: unknown): void => {
    if (options === null || typeof options !== 'object') return;
    const given = options as Record<string, unknown>;
    if (given.fd !== undefined || given.handle !== undefined) guard.all('new net.Socket({ fd | handle })');
  };

  class Socket extends RealSocket {
    constructor(...args: any[]) {
      checkSocketOptions(args[0]);
      super(...args);
    }
  }
  defineMethods(Socket.prototype, { connect: checkedConnect });
  delegateInstanceof(Socket, RealSocket);

  const listen = checkedListen(realListen, 'net.Server#listen');
  class Server extends RealServer {
    constructor(...args: any[]) {
      super(...args);
      const emitter = this as unknown as { prependListener(event: string, listener: (socket: object) => void): unknown };
      emitter.prependListener('connection', socket => pinSocket(socket, Socket));
    }
  }
  defineMethods(Server.prototype, { listen });
  delegateInstanceof(Server, RealServer);

  const connect = (...args: unknown[]): unknown => {
    const [options, callback] = normalizeConnectArgs(args);
    const socket = new Socket(options);
    if (options.timeout) (socket as { setTimeout(ms: unknown): void }).setTimeout(options.timeout);
    return Reflect.apply(checkedConnect, socket, callback ? [options, callback] : [options]);
  };

  const kit: NetKit = Object.freeze({ guard, Socket, Server, checkedConnect, checkedListen, pinSocket, pinServer, connect });
  kits.set(access, kit);
  return kit;
};

/** The package's own `net` module. */
export const makeGuestNet = (access: PackageAccess, real: Record<string, unknown>, context: BridgeContext): unknown => {
  const kit = netKitFor(access, context);
  const guest = copyModule(real, ['_normalizeArgs']);
  guest.Socket = kit.Socket;
  guest.Stream = kit.Socket;
  guest.Server = kit.Server;
  guest.connect = kit.connect;
  guest.createConnection = kit.connect;
  guest.createServer = (...args: unknown[]) => new kit.Server(...args);
  return guest;
};
