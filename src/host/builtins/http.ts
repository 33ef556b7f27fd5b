/**
 * A package's own `http` and `https`: the client side is `http-client.ts` (`request`, `get`,
 * `ClientRequest`, `Agent`, `globalAgent`); the servers (`Server`, `createServer`) are the package's own
 * subclasses whose `listen` is checked (`net-check.ts`), and each socket a server is handed gets pinned,
 * checked `connect` and `constructor` members. The same limits as `net`'s (the host's classes are one
 * `Object.getPrototypeOf` away).
 */
import type { PackageAccess } from '../permissions.js';
import type { BridgeContext } from './types.js';
import { copyModule } from './net-check.js';
import { defineMethods, delegateInstanceof, netKitFor } from './net.js';
import { tlsKitFor } from './tls.js';
import { httpClientKitFor } from './http-client.js';

type Ctor = new (...args: any[]) => any;
type AnyFunction = (...args: any[]) => any;

/** A server class of the package's own: `listen` checked, the sockets it is handed pinned. */
const guestServerClass = (access: PackageAccess, context: BridgeContext, RealServer: Ctor, what: string, secure: boolean): Ctor => {
  const net = netKitFor(access, context);
  const tls = tlsKitFor(access, context);
  const listen = net.checkedListen(RealServer.prototype.listen as AnyFunction, what);
  class Server extends RealServer {
    constructor(...args: any[]) {
      super(...args);
      const emitter = this as unknown as { prependListener(event: string, listener: (socket: object) => void): unknown };
      emitter.prependListener('connection', socket => net.pinSocket(socket, net.Socket));
      if (secure) emitter.prependListener('secureConnection', socket => net.pinSocket(socket, tls.TLSSocket));
    }
  }
  defineMethods(Server.prototype, { listen });
  delegateInstanceof(Server, RealServer);
  return Server;
};

/** `globalAgent` as Node's: settable (the package's requests then use the agent it set). */
const defineGlobalAgent = (guest: Record<string, unknown>, get: () => object, set: (agent: object) => void): void => {
  Object.defineProperty(guest, 'globalAgent', { get, set, enumerable: true, configurable: true });
};

/** The package's own `http` module. */
export const makeGuestHttp = (access: PackageAccess, real: Record<string, unknown>, context: BridgeContext): unknown => {
  const kit = httpClientKitFor(access, context);
  const Server = guestServerClass(access, context, real.Server as Ctor, 'http.Server#listen', false);
  const guest = copyModule(real, ['_connectionListener']);
  guest.Agent = kit.Agent;
  guest.ClientRequest = kit.ClientRequest;
  guest.Server = Server;
  guest.createServer = (...args: unknown[]) => new Server(...args);
  guest.request = (...args: unknown[]) => kit.request('http', args);
  guest.get = (...args: unknown[]) => {
    const request = kit.request('http', args) as { end(): void };
    request.end();
    return request;
  };
  defineGlobalAgent(guest, () => kit.httpAgent, agent => (kit.httpAgent = agent));
  return guest;
};

/** The package's own `https` module. */
export const makeGuestHttps = (access: PackageAccess, real: Record<string, unknown>, context: BridgeContext): unknown => {
  const kit = httpClientKitFor(access, context);
  const Server = guestServerClass(access, context, real.Server as Ctor, 'https.Server#listen', true);
  const guest = copyModule(real);
  guest.Agent = kit.HttpsAgent;
  guest.Server = Server;
  guest.createServer = (...args: unknown[]) => new Server(...args);
  guest.request = (...args: unknown[]) => kit.request('https', args);
  guest.get = (...args: unknown[]) => {
    const request = kit.request('https', args) as { end(): void };
    request.end();
    return request;
  };
  defineGlobalAgent(guest, () => kit.httpsAgent, agent => (kit.httpsAgent = agent));
  return guest;
};
