/**
 * Which builtin and which global gets which bridge-backed wrapper. A builtin in `SAFE_BUILTINS` holds
 * no host power and is handed over as it is; one with a factory gets its own per-package wrapper; any
 * other is gated whole (`gated.ts`).
 */
import type { BuiltinFactory, GlobalFactory } from './types.js';
import { gatedModule } from './gated.js';
import { makeGuestProcess, makeGuestModuleBuiltin } from './process.js';
import { makeGuestFs, makeGuestFsPromises } from './fs.js';
import { makeGuestNet, makeGuestTls, makeGuestHttp, makeGuestHttps, makeGuestHttp2, makeGuestDgram, makeGuestDns, makeGuestDnsPromises, makeGuestFetch, makeGuestWebSocket } from './net-builtins.js';
import { makeGuestChildProcess } from './child-process.js';
import { makeGuestWorkerThreads, makeGuestCluster } from './workers.js';

export { gatedModule };

/** Builtins with no host power of their own: no files, network, programs or environment. */
export const SAFE_BUILTINS: ReadonlySet<string> = new Set([
  'assert', 'assert/strict', 'async_hooks', 'buffer', 'console', 'constants', 'crypto', 'diagnostics_channel', 'domain',
  'events', 'os', 'path', 'path/posix', 'path/win32', 'perf_hooks', 'punycode', 'querystring', 'readline', 'readline/promises',
  'stream', 'stream/consumers', 'stream/promises', 'stream/web', 'string_decoder', 'sys', 'timers', 'timers/promises', 'tty',
  'url', 'util', 'util/types', 'zlib', 'test',
]);

export const BUILTIN_FACTORIES: Readonly<Record<string, BuiltinFactory>> = {
  process: makeGuestProcess,
  module: makeGuestModuleBuiltin,
  fs: makeGuestFs,
  'fs/promises': makeGuestFsPromises,
  // net, http, https, http2, tls, dgram, dns (builtins/net.ts …)
  net: makeGuestNet,
  tls: makeGuestTls,
  http: makeGuestHttp,
  https: makeGuestHttps,
  http2: makeGuestHttp2,
  dgram: makeGuestDgram,
  dns: makeGuestDns,
  'dns/promises': makeGuestDnsPromises,
  // child_process, worker_threads, cluster (builtins/child-process.ts …)
  child_process: makeGuestChildProcess,
  worker_threads: makeGuestWorkerThreads,
  cluster: makeGuestCluster,
};

export const GLOBAL_FACTORIES: Readonly<Record<string, GlobalFactory>> = {
  process: makeGuestProcess,
  // fetch, WebSocket (builtins/fetch.ts)
  fetch: makeGuestFetch,
  WebSocket: makeGuestWebSocket,
};
