/** The bridge-backed network builtins and globals, for the registry (`index.ts`). */
export { makeGuestNet } from './net.js';
export { makeGuestTls } from './tls.js';
export { makeGuestHttp, makeGuestHttps } from './http.js';
export { makeGuestHttp2 } from './http2.js';
export { makeGuestDgram } from './dgram.js';
export { makeGuestDns, makeGuestDnsPromises } from './dns.js';
export { makeGuestFetch, makeGuestWebSocket } from './fetch.js';
