// Shared by the net*.test.js files: a bridge from flags, servers on 127.0.0.1, bounded waits.
import { createRequire } from 'node:module';
import net from 'node:net';
import http from 'node:http';
import { makePermissionEngine, parsePermissionFlags, makeHostBridge } from '../../dist/host.js';

const require = createRequire(import.meta.url);

/** A bridge whose packages have the rules of `flags` ({ allow: { net: [...] }, deny: { net: [...] } }). */
export const bridgeFor = (flags, options = {}) => {
  const set = parsePermissionFlags(flags, { cwd: process.cwd(), pathVariable: process.env.PATH });
  const engine = makePermissionEngine(set, options);
  return makeHostBridge({ engine, hostBuiltin: name => require(`node:${name}`), env: process.env, cwd: () => process.cwd() });
};

/** `pkg`'s own builtin `name` under `flags`. */
export const builtin = (flags, name, pkg = 'client', options) => bridgeFor(flags, options).builtinFor(pkg, name);

/** A package's global (`fetch`, `WebSocket`) under `flags`. */
export const globalFor = (flags, name, pkg = 'client') => {
  const bridge = bridgeFor(flags);
  const descriptors = bridge.globals(pkg, { [name]: Object.getOwnPropertyDescriptor(globalThis, name) });
  return descriptors[name].get();
};

/** A promise that rejects after `ms` (every wait in these tests is bounded). */
export const within = (promise, ms = 5000, what = 'operation') =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} did not settle in ${ms} ms`)), ms).unref())]);

/** A TCP server on 127.0.0.1 that answers every connection with `reply` and closes it. */
export const tcpServer = async (reply = 'hello') => {
  const server = net.createServer(socket => socket.end(reply));
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, port: server.address().port, close: () => new Promise(resolve => server.close(resolve)) };
};

/** An HTTP server on `host` (127.0.0.1): `handler(req, res)`, default answers `ok <url>`. */
export const httpServer = async (handler = (req, res) => res.end(`ok ${req.url}`), host = '127.0.0.1') => {
  const server = http.createServer(handler);
  await new Promise(resolve => server.listen(0, host, resolve));
  return { server, port: server.address().port, close: () => new Promise(resolve => { server.closeAllConnections?.(); server.close(resolve); }) };
};

/** Connects with `connect(...)` (a guest's function) and resolves with the data or the error. */
export const outcome = socket =>
  within(new Promise(resolve => {
    let data = '';
    socket.on('data', chunk => (data += chunk));
    socket.on('error', error => resolve({ error }));
    socket.on('end', () => resolve({ data }));
  }), 5000, 'connection');

/** A request's outcome: { status, body } or { error }. */
export const requestOutcome = request =>
  within(new Promise(resolve => {
    request.on('error', error => resolve({ error }));
    request.on('response', response => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', chunk => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
    request.end();
  }), 5000, 'request');
