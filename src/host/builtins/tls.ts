/**
 * A package's own `tls`: `connect` checks its destination as `net.connect` does (`net-check.ts`) and
 * connects with the checked `lookup`; `connect({ socket })` wraps a stream the package already has (no
 * new connection, nothing to check). `TLSSocket` (its `connect` checked) and `Server`/`createServer`
 * (its `listen` checked) are the package's own subclasses; the sockets a server is handed and the one
 * `connect` returns get pinned, checked `connect` and `constructor` members. The same limits as `net`'s.
 */
import type { PackageAccess } from '../permissions.js';
import type { BridgeContext } from './types.js';
import { checkConnectOptions, copyModule, failLater, normalizeConnectArgs } from './net-check.js';
import { defineMethods, delegateInstanceof, netKitFor, type NetKit } from './net.js';

type Ctor = new (...args: any[]) => any;
type AnyFunction = (...args: any[]) => any;

/** What the package's `https` and `http2` build on. */
export interface TlsKit {
  readonly TLSSocket: Ctor;
  readonly Server: Ctor;
  connect(...args: unknown[]): unknown;
}

/** `tls.connect`'s arguments as one fresh options object and the callback, as Node merges them. */
const tlsConnectArgs = (args: readonly unknown[]): [Record<string, unknown>, Function | undefined] => {
  const [options, callback] = normalizeConnectArgs(args);
  const second = args[1];
  const third = args[2];
  if (second !== null && typeof second === 'object') Object.assign(options, { ...(second as object) });
  else if (third !== null && typeof third === 'object') Object.assign(options, { ...(third as object) });
  return [options, callback];
};

const kits = new WeakMap<PackageAccess, TlsKit>();

export const tlsKitFor = (access: PackageAccess, context: BridgeContext): TlsKit => {
  const known = kits.get(access);
  if (known) return known;
  const real = context.hostBuiltin('tls') as { TLSSocket: Ctor; Server: Ctor; connect: AnyFunction };
  const net: NetKit = netKitFor(access, context);
  const realConnect = real.connect;
  const RealTLSSocket = real.TLSSocket;
  const RealServer = real.Server;

  class TLSSocket extends RealTLSSocket {}
  defineMethods(TLSSocket.prototype, { connect: net.checkedConnect });
  delegateInstanceof(TLSSocket, RealTLSSocket);

  const listen = net.checkedListen(RealServer.prototype.listen as AnyFunction, 'tls.Server#listen');
  class Server extends RealServer {
    constructor(...args: any[]) {
      super(...args);
      const emitter = this as unknown as { prependListener(event: string, listener: (socket: object) => void): unknown };
      emitter.prependListener('connection', socket => net.pinSocket(socket, net.Socket));
      emitter.prependListener('secureConnection', socket => net.pinSocket(socket, TLSSocket));
    }
  }
  defineMethods(Server.prototype, { listen });
  delegateInstanceof(Server, RealServer);

  const connect = (...args: unknown[]): unknown => {
    const [options, callback] = tlsConnectArgs(args);
    if (options.socket === undefined || options.socket === null) {
      const denial = checkConnectOptions(net.guard, options, 'tls.connect');
      if (denial) {
        const failed = new TLSSocket();
        failLater(failed, denial);
        return failed;
      }
    }
    const socket = Reflect.apply(realConnect, undefined, callback ? [options, callback] : [options]) as object;
    net.pinSocket(socket, TLSSocket);
    return socket;
  };

  const kit: TlsKit = Object.freeze({ TLSSocket, Server, connect });
  kits.set(access, kit);
  return kit;
};

/** The package's own `tls` module. */
export const makeGuestTls = (access: PackageAccess, real: Record<string, unknown>, context: BridgeContext): unknown => {
  const kit = tlsKitFor(access, context);
  const guest = copyModule(real);
  guest.TLSSocket = kit.TLSSocket;
  guest.Server = kit.Server;
  guest.connect = kit.connect;
  guest.createServer = (...args: unknown[]) => new kit.Server(...args);
  return guest;
};
