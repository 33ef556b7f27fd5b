export { makeReadNowPowers, makeReadPowers, makeWritePowers, type NodePowersOptions } from './powers/node.js';
export type { ReadNowPowers, ReadPowers, WritePowers } from './powers/index.js';
export { makeNodeCompileCache, type NodeCompileCacheOptions } from './powers/node-cache.js';
