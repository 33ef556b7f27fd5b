/**
 * Node's builtin module names, as data (the library imports nothing from Node). A bare specifier in
 * this list names the host's builtin, never an npm package of the same name, as in Node; `name/` (with
 * the slash) and any other `name/sub` go to `node_modules`. Names Node serves only with the `node:`
 * scheme (`node:test`, `node:sqlite`, `node:sea`) are not here: without it they are npm packages.
 * The union of Node 20's and Node 24's `module.builtinModules` (test/load checks it against the Node
 * that runs the tests).
 */
const names: readonly string[] = [
  '_http_agent', '_http_client', '_http_common', '_http_incoming', '_http_outgoing', '_http_server',
  '_stream_duplex', '_stream_passthrough', '_stream_readable', '_stream_transform', '_stream_wrap',
  '_stream_writable', '_tls_common', '_tls_wrap', 'assert', 'assert/strict', 'async_hooks', 'buffer',
  'child_process', 'cluster', 'console', 'constants', 'crypto', 'dgram', 'diagnostics_channel', 'dns',
  'dns/promises', 'domain', 'events', 'fs', 'fs/promises', 'http', 'http2', 'https', 'inspector',
  'inspector/promises', 'module', 'net', 'os', 'path', 'path/posix', 'path/win32', 'perf_hooks',
  'process', 'punycode', 'querystring', 'readline', 'readline/promises', 'repl', 'stream',
  'stream/consumers', 'stream/promises', 'stream/web', 'string_decoder', 'sys', 'timers',
  'timers/promises', 'tls', 'trace_events', 'tty', 'url', 'util', 'util/types', 'v8', 'vm', 'wasi',
  'worker_threads', 'zlib',
];

const builtinNames: ReadonlySet<string> = new Set(names);

/** Whether a bare specifier names a Node builtin (`fs`, `fs/promises`; not `fs/`, not `node:fs`). */
export const isNodeBuiltinName = (specifier: string): boolean => builtinNames.has(specifier);

/** A builtin's name as policies and exits key it: without the `node:` scheme (in any case), the rest as written. */
export const builtinNameOf = (specifier: string): string => (/^node:/i.test(specifier) ? specifier.slice(5) : specifier);

/** Node's builtin names (without the `node:` scheme), sorted. */
export const nodeBuiltinNames = (): readonly string[] => names;
