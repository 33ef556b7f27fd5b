/**
 * A package's own `fetch` and `WebSocket` globals.
 *
 * `fetch(input, init)` (`input` a string, a URL or a `Request`): an `http:`/`https:` URL's destination
 * (`host:port`, the port 80/443 unless given) is checked as a connection (`net-check.ts`) before it is
 * dialled, and every DNS answer when it is dialled: each request goes through an undici `Agent` of the
 * package's own whose `connect.lookup` is the checked lookup (the class is the host's global
 * dispatcher's; a `dispatcher` in `init` is dropped). Redirects are followed here, not by the host:
 * each hop is fetched with `redirect: 'manual'`, its `Location` checked as the first URL was and fetched
 * again, at most 20 hops, with the Fetch standard's rules (301/302 turn a POST into a GET, 303 anything
 * but GET/HEAD into a GET, both dropping the body and its headers; 307/308 keep method and body; a
 * cross-origin hop drops `Authorization`, `Proxy-Authorization` and `Cookie`). The package's own
 * `redirect: 'error'` fails on a redirect and `'manual'` gets the redirect response itself. Other
 * schemes (`data:`, `blob:`) need nothing. A denial rejects with the `ERR_ACCESS_DENIED` error.
 *
 * `WebSocket(url, protocols)`: the URL's destination is checked (`ws:` 80, `wss:` 443) and a denial is
 * thrown by the constructor; its DNS answers are checked the same way once the package has fetched
 * anything over http(s) (the agent class is known from then on).
 */
import type { PackageAccess } from '../permissions.js';
import type { BridgeContext } from './types.js';
import { isAccessDenied, netGuardFor, netResource, type LookupFunction, type NetGuard } from './net-check.js';

type AnyFunction = (...args: any[]) => any;
type Dispatcher = object;
type AgentClass = new (options: { connect: { lookup: LookupFunction } }) => Dispatcher;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length'];
const CROSS_ORIGIN_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];
const MAX_REDIRECTS = 20;
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

const fetchFailed = (cause: unknown): TypeError => new TypeError('fetch failed', { cause });

let agentClass: AgentClass | null | undefined;
/** The host's undici `Agent` class, from its global dispatcher (made by the host's first `fetch`). */
const findAgentClass = async (realFetch: AnyFunction): Promise<AgentClass | null> => {
  if (agentClass !== undefined) return agentClass;
  const read = (): AgentClass | undefined => {
    const dispatcher = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER] as { constructor?: unknown } | undefined;
    const found = dispatcher?.constructor;
    return typeof found === 'function' && found.name === 'Agent' ? (found as AgentClass) : undefined;
  };
  let found = read();
  if (found === undefined) {
    await (realFetch('data:,') as Promise<{ arrayBuffer(): Promise<unknown> }>).then(response => response.arrayBuffer()).catch(() => undefined);
    found = read();
  }
  agentClass = found ?? null;
  return agentClass;
};

/** The package's agents, one per destination, each resolving through the checked lookup for its port. */
const makeDispatchers = (guard: NetGuard) => {
  const agents = new Map<string, Dispatcher>();
  return (Agent: AgentClass, host: string, port: number, what: string): Dispatcher => {
    const key = netResource(host, port);
    const known = agents.get(key);
    if (known) return known;
    const lookup: LookupFunction = (hostname, options, callback) => {
      let checked: LookupFunction;
      try {
        checked = guard.connect(host, port, undefined, what);
      } catch (error) {
        return (typeof options === 'function' ? options : callback)(error);
      }
      checked(hostname, options, callback);
    };
    const agent = new Agent({ connect: { lookup } });
    agents.set(key, agent);
    return agent;
  };
};

const defaultPort = (url: URL): number => (url.port !== '' ? Number(url.port) : url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80);

/** The package's own `fetch`. */
export const makeGuestFetch = (access: PackageAccess, realFetch: AnyFunction, context: BridgeContext): unknown => {
  const guard = netGuardFor(access, context);
  const RealRequest = Request;
  const RealHeaders = Headers;
  const dispatcherFor = makeDispatchers(guard);

  /** Checks `url`'s destination (throws the denial) and gives the dispatcher to fetch it with. */
  const prepare = async (url: URL): Promise<Dispatcher | undefined> => {
    const port = defaultPort(url);
    const what = `fetch ${url.origin}`;
    const lookup = guard.connect(url.hostname, port, undefined, what);
    const Agent = await findAgentClass(realFetch);
    if (Agent) return dispatcherFor(Agent, url.hostname, port, what);
    // No agent class to give the lookup to: check the answers now (the host resolves again when it dials).
    if (!url.hostname.startsWith('[')) {
      await new Promise<void>((resolve, reject) => lookup(url.hostname, { all: true }, (error: unknown) => (error ? reject(error) : resolve())));
    }
    return undefined;
  };

  const send = async (request: Request, dispatcher: Dispatcher | undefined): Promise<Response> => {
    try {
      return (await realFetch(request, dispatcher === undefined ? { redirect: 'manual' } : { redirect: 'manual', dispatcher })) as Response;
    } catch (error) {
      const cause = (error as { cause?: unknown } | null)?.cause;
      throw isAccessDenied(cause) ? cause : error;
    }
  };

  return async function fetch(input: unknown, init?: unknown): Promise<Response> {
    let request = new RealRequest(input as ConstructorParameters<typeof Request>[0], init as RequestInit | undefined);
    const mode = request.redirect;
    let url = new URL(request.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return (await realFetch(request)) as Response;
    for (let hops = 0; ; hops += 1) {
      const dispatcher = await prepare(url);
      const spare = request.body !== null && mode === 'follow' ? request.clone() : null;
      const response = await send(request, dispatcher);
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null || mode === 'manual') {
        if (hops > 0) Object.defineProperty(response, 'redirected', { value: true, enumerable: false, configurable: true });
        await spare?.body?.cancel().catch(() => undefined);
        return response;
      }
      await response.body?.cancel().catch(() => undefined);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch (error) {
        throw fetchFailed(error);
      }
      if (mode === 'error') throw fetchFailed(new Error('unexpected redirect'));
      if (hops + 1 > MAX_REDIRECTS) throw fetchFailed(new Error('redirect count exceeded'));
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw fetchFailed(new Error('URL scheme must be a HTTP(S) scheme'));
      const status = response.status;
      let method = request.method;
      const headers = new RealHeaders(request.headers);
      let body: ReadableStream | null = spare?.body ?? null;
      if (((status === 301 || status === 302) && method === 'POST') || (status === 303 && method !== 'GET' && method !== 'HEAD')) {
        method = 'GET';
        await body?.cancel().catch(() => undefined);
        body = null;
        for (const name of BODY_HEADERS) headers.delete(name);
      }
      if (next.origin !== url.origin) for (const name of CROSS_ORIGIN_HEADERS) headers.delete(name);
      const nextInit: RequestInit & { duplex?: string } = { method, headers, signal: request.signal, redirect: mode };
      if (body !== null) {
        nextInit.body = body;
        nextInit.duplex = 'half';
      }
      request = new RealRequest(next, nextInit);
      url = next;
    }
  };
};

/** The package's own `WebSocket` class (where the host has one). */
export const makeGuestWebSocket = (access: PackageAccess, RealWebSocket: new (...args: any[]) => object, context: BridgeContext): unknown => {
  const guard = netGuardFor(access, context);
  const dispatcherFor = makeDispatchers(guard);
  class WebSocket extends RealWebSocket {
    constructor(url: unknown, protocols?: unknown) {
      const parsed = new URL(String(url));
      const port = defaultPort(parsed);
      const what = `new WebSocket(${parsed.origin})`;
      guard.connect(parsed.hostname, port, undefined, what);
      let given = protocols;
      if (agentClass) {
        const dispatcher = dispatcherFor(agentClass, parsed.hostname, port, what);
        given = protocols !== null && typeof protocols === 'object' && !Array.isArray(protocols) ? { ...protocols, dispatcher } : { ...(protocols === undefined ? {} : { protocols }), dispatcher };
      } else if (protocols !== null && typeof protocols === 'object' && !Array.isArray(protocols)) {
        const { dispatcher: _dropped, ...rest } = protocols as Record<string, unknown>;
        given = rest;
      }
      super(url, given);
    }
  }
  Object.defineProperty(WebSocket, 'name', { value: 'WebSocket' });
  return WebSocket;
};
