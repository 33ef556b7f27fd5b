/**
 * The client side of a package's `http` and `https`: `request`/`get`, `ClientRequest`, `Agent`,
 * `globalAgent`. The destination is read as Node's `ClientRequest` reads it (the URL, or `hostname`,
 * `host`, `port`, `defaultPort` and the agent's `defaultPort`; `setHost` only names the Host header) and
 * checked before anything is made; a denial is the request's `'error'` event. Connections are then made
 * by the package's own agents, whose `createConnection` is the package's checked `net.connect` /
 * `tls.connect` (with the checked `lookup`, around the request's own `lookup` option if it has one), so
 * the destination is checked again as it is dialled. `_defaultAgent` is always the package's own global
 * agent; an `agent` that is a host `http.Agent` not made through a package's bridge (its
 * `createConnection` is the host's) needs all of `net`. A `createConnection` option is the package's own
 * function (it can only dial through what the package holds). `http` follows no redirects itself.
 */
import type { PackageAccess } from '../permissions.js';
import type { BridgeContext } from './types.js';
import { invalidArg, isAccessDenied, validPort } from './net-check.js';
import { delegateInstanceof, netKitFor } from './net.js';
import { tlsKitFor } from './tls.js';

type Ctor = new (...args: any[]) => any;
type Agentish = { defaultPort?: unknown; constructor?: unknown };

/** Every agent made through a package's bridge (their connections are checked by the package that made them). */
const CHECKED_AGENTS = new WeakSet<object>();

export interface HttpClientKit {
  readonly Agent: Ctor;
  readonly HttpsAgent: Ctor;
  readonly ClientRequest: Ctor;
  /** The package's `http.globalAgent` / `https.globalAgent` (settable, as Node's). */
  httpAgent: object;
  httpsAgent: object;
  request(defaultAgent: 'http' | 'https', args: unknown[]): unknown;
}

/** Node's test for a URL given to `request` (a WHATWG URL, or an object that looks like one). */
const isURL = (value: unknown): value is URL =>
  value instanceof URL || Boolean(value !== null && typeof value === 'object' && (value as URL).href && (value as URL).protocol && (value as { auth?: unknown }).auth === undefined && (value as { path?: unknown }).path === undefined);

/** `request(url?, options?, callback?)` → one fresh options object and the callback, as Node merges them. */
const requestArgs = (args: readonly unknown[], urlToHttpOptions: (url: URL) => Record<string, unknown>): [Record<string, unknown>, unknown] => {
  let [input, options, callback] = args;
  if (typeof input === 'string') input = urlToHttpOptions(new URL(input));
  else if (isURL(input)) input = urlToHttpOptions(input);
  else {
    callback = options;
    options = input;
    input = null;
  }
  let merged: Record<string, unknown>;
  if (typeof options === 'function') {
    callback = options;
    merged = { ...((input ?? {}) as object) };
  } else {
    merged = { ...((input ?? {}) as object), ...((options ?? {}) as object) };
  }
  // A plain object with `href` and `protocol` would be read as a URL a second time.
  if (isURL(merged)) delete (merged as { href?: unknown }).href;
  return [merged, callback];
};

const kits = new WeakMap<PackageAccess, HttpClientKit>();

export const httpClientKitFor = (access: PackageAccess, context: BridgeContext): HttpClientKit => {
  const known = kits.get(access);
  if (known) return known;
  const http = context.hostBuiltin('http') as { Agent: Ctor; ClientRequest: Ctor };
  const https = context.hostBuiltin('https') as { Agent: Ctor };
  const { urlToHttpOptions } = context.hostBuiltin('url') as { urlToHttpOptions: (url: URL) => Record<string, unknown> };
  const net = netKitFor(access, context);
  const tls = tlsKitFor(access, context);
  const RealAgent = http.Agent;
  const RealHttpsAgent = https.Agent;
  const RealClientRequest = http.ClientRequest;
  const netConnect = net.connect;
  const tlsConnect = tls.connect;

  class Agent extends RealAgent {
    constructor(...args: any[]) {
      super(...args);
      CHECKED_AGENTS.add(this);
    }
    createConnection(...args: unknown[]): unknown {
      return netConnect(...args);
    }
  }
  delegateInstanceof(Agent, RealAgent);

  class HttpsAgent extends RealHttpsAgent {
    constructor(...args: any[]) {
      super(...args);
      CHECKED_AGENTS.add(this);
    }
    // As Node's https agent: reuse a cached TLS session for the same destination, evict it on an error.
    createConnection(...args: unknown[]): unknown {
      const [port, host, given] = args;
      const source = [port, host, given].find(value => value !== null && typeof value === 'object');
      let options: Record<string, unknown> = { ...((source ?? {}) as object) };
      if (typeof port === 'number') options.port = port;
      if (typeof host === 'string') options.host = host;
      const key = options._agentKey;
      const self = this as unknown as { _getSession(key: unknown): unknown; _cacheSession(key: unknown, session: unknown): void; _evictSession(key: unknown): void };
      if (key) {
        const session = self._getSession(key);
        if (session) options = { session, ...options };
      }
      const socket = tlsConnect(options) as { on(event: string, listener: (value: unknown) => void): unknown; once(event: string, listener: (value: unknown) => void): unknown };
      if (key) {
        socket.on('session', session => self._cacheSession(key, session));
        socket.once('close', failed => {
          if (failed) self._evictSession(key);
        });
      }
      return socket;
    }
  }
  delegateInstanceof(HttpsAgent, RealHttpsAgent);

  const agentOptions = { keepAlive: true, scheduling: 'lifo', timeout: 5000 };
  const kit = {
    Agent,
    HttpsAgent,
    httpAgent: new Agent(agentOptions) as object,
    httpsAgent: new HttpsAgent(agentOptions) as object,
  } as HttpClientKit & { ClientRequest: Ctor; request: HttpClientKit['request'] };

  /** Checks an agent the request would use: one made through a bridge, or the package's own code. */
  const checkAgent = (agent: unknown, what: string): void => {
    if (agent !== null && typeof agent === 'object' && agent instanceof RealAgent && !CHECKED_AGENTS.has(agent)) {
      access.check('net', undefined, `${what}: an http.Agent that is not the package's own`);
    }
  };

  /** The options the host's `ClientRequest` gets, checked; or the denial. */
  const prepare = (options: Record<string, unknown>): Error | null => {
    const what = 'http.request';
    try {
      const given = options._defaultAgent;
      const defaultAgent = given !== null && typeof given === 'object' && (given === kit.httpAgent || given === kit.httpsAgent || CHECKED_AGENTS.has(given)) ? given : kit.httpAgent;
      checkAgent(defaultAgent, what);
      options._defaultAgent = defaultAgent;
      const agent = options.agent;
      if (agent !== undefined && agent !== null && agent !== false) checkAgent(agent, what);
      if (options.socketPath !== undefined && options.socketPath !== null) {
        access.check('net', undefined, `${what}: a unix socket (${String(options.socketPath)})`);
        return null;
      }
      const { hostname, host, lookup } = options;
      if (hostname !== undefined && hostname !== null && typeof hostname !== 'string') throw invalidArg('options.hostname', 'string', hostname);
      if (host !== undefined && host !== null && typeof host !== 'string') throw invalidArg('options.host', 'string', host);
      if (lookup !== undefined && lookup !== null && typeof lookup !== 'function') throw invalidArg('options.lookup', 'function', lookup);
      const portAgent = (agent !== null && typeof agent === 'object' ? agent : defaultAgent) as Agentish;
      const port = validPort(options.port || options.defaultPort || portAgent.defaultPort || 80) ?? 80;
      const name = (hostname || host || 'localhost') as string;
      net.guard.connect(name, port, (lookup ?? undefined) as never, what);
      return null;
    } catch (error) {
      if (isAccessDenied(error)) return error;
      throw error;
    }
  };

  const hostOptions = (args: readonly unknown[]): [Record<string, unknown>, unknown] => {
    const [options, callback] = requestArgs(args, urlToHttpOptions);
    const denial = prepare(options);
    if (denial) {
      // Nothing is dialled: the request fails as a failed connection does, with its 'error' event.
      delete options.agent;
      options.createConnection = (_options: unknown, done: (error: Error) => void) => done(denial);
    }
    return [options, callback];
  };

  class ClientRequest extends RealClientRequest {
    constructor(...args: any[]) {
      const [options, callback] = hostOptions(args);
      super(options, callback);
    }
  }
  delegateInstanceof(ClientRequest, RealClientRequest);
  kit.ClientRequest = ClientRequest;

  kit.request = (defaultAgent: 'http' | 'https', args: unknown[]): unknown => {
    if (defaultAgent === 'http') return new ClientRequest(...args);
    const [options, callback] = requestArgs(args, urlToHttpOptions);
    options._defaultAgent = kit.httpsAgent;
    return new ClientRequest(options, callback);
  };

  kits.set(access, kit);
  return kit;
};
