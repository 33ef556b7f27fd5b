/**
 * A package's own `http2`: `connect(authority, options)` dials through the package's checked
 * `net.connect` (`http:`) or `tls.connect` (`https:`, ALPN `h2`), at the destination Node would use (the
 * authority's host and port, which `options.host`/`options.port` override, as Node's spread of the
 * options does); a denial is the session's `'error'`. A `createConnection` option is the package's own
 * function (it dials through what the package holds), but the authority is checked first all the same.
 * `createServer`/`createSecureServer` give host servers with a pinned, checked `listen` and
 * `constructor`, whose sockets are pinned as `net`'s are.
 */
import type { PackageAccess } from '../permissions.js';
import type { BridgeContext } from './types.js';
import { copyModule, isAccessDenied, failLater, unbracket, validPort } from './net-check.js';
import { netKitFor } from './net.js';
import { tlsKitFor } from './tls.js';
import { isIP } from 'node:net';

type AnyFunction = (...args: any[]) => any;

const unsupported = (protocol: string): Error => Object.assign(new Error(`protocol "${protocol}" is unsupported.`), { code: 'ERR_HTTP2_UNSUPPORTED_PROTOCOL' });

/** The package's own `http2` module. */
export const makeGuestHttp2 = (access: PackageAccess, real: Record<string, unknown>, context: BridgeContext): unknown => {
  const net = netKitFor(access, context);
  const tls = tlsKitFor(access, context);
  const realHttp2Connect = real.connect as AnyFunction;
  const realCreateServer = real.createServer as AnyFunction;
  const realCreateSecureServer = real.createSecureServer as AnyFunction;
  const realNet = context.hostBuiltin('net') as { Server: { prototype: { listen: AnyFunction } } };
  const listen = net.checkedListen(realNet.Server.prototype.listen, 'http2 server listen');
  const netConnect = net.connect;
  const tlsConnect = tls.connect;

  const connect = (authority: unknown, given?: unknown, listener?: unknown): unknown => {
    if (typeof given === 'function') {
      listener = given;
      given = undefined;
    }
    const options: Record<string, unknown> = { ...((given ?? {}) as object) };
    const target = (typeof authority === 'string' ? new URL(authority) : authority) as { protocol?: string; port?: string | number; hostname?: string; host?: string } | null;
    if (target === null || typeof target !== 'object') return Reflect.apply(realHttp2Connect, undefined, [authority, options, listener]);
    const protocol = String(target.protocol || options.protocol || 'https:');
    const port = `${target.port !== '' && target.port !== undefined ? target.port : target.protocol === 'http:' ? 80 : 443}`;
    let host = 'localhost';
    if (target.hostname) host = unbracket(String(target.hostname));
    else if (target.host) host = String(target.host);
    const guestCreate = options.createConnection;
    if (typeof guestCreate !== 'function' && protocol !== 'http:' && protocol !== 'https:') throw unsupported(protocol);
    let denial: Error | null = null;
    try {
      const dialled = { port, host, ...options } as { port?: unknown; host?: unknown };
      const dialPort = validPort(dialled.port) ?? 0;
      const dialHost = typeof dialled.host === 'string' && dialled.host !== '' ? dialled.host : 'localhost';
      net.guard.connect(dialHost, dialPort, (options.lookup ?? undefined) as never, 'http2.connect');
    } catch (error) {
      if (!isAccessDenied(error)) throw error;
      denial = error;
    }
    options.createConnection = (url: unknown, sessionOptions: Record<string, unknown>): unknown => {
      if (denial) {
        const failed = new net.Socket();
        failLater(failed, denial);
        return failed;
      }
      if (typeof guestCreate === 'function') return Reflect.apply(guestCreate, undefined, [url, sessionOptions]);
      const dial: Record<string, unknown> = { port, host, ...sessionOptions };
      delete dial.createConnection;
      if (protocol === 'http:') return netConnect(dial);
      const alpn = ['h2'];
      if (dial.allowHTTP1 === true) alpn.push('http/1.1');
      dial.ALPNProtocols = alpn;
      if (!dial.servername && typeof dial.host === 'string' && isIP(dial.host) === 0) dial.servername = dial.host;
      return tlsConnect(dial);
    };
    return Reflect.apply(realHttp2Connect, undefined, listener === undefined ? [authority, options] : [authority, options, listener]);
  };

  function Http2Server(...args: unknown[]): unknown {
    return createServer(...args);
  }
  function Http2SecureServer(...args: unknown[]): unknown {
    return createSecureServer(...args);
  }
  const createServer = (...args: unknown[]): unknown => {
    const server = Reflect.apply(realCreateServer, undefined, args) as object;
    net.pinServer(server, listen, Http2Server, net.Socket);
    return server;
  };
  const createSecureServer = (...args: unknown[]): unknown => {
    const server = Reflect.apply(realCreateSecureServer, undefined, args) as object;
    net.pinServer(server, listen, Http2SecureServer, tls.TLSSocket);
    return server;
  };

  const guest = copyModule(real);
  guest.connect = connect;
  guest.createServer = createServer;
  guest.createSecureServer = createSecureServer;
  return guest;
};
