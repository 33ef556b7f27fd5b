export { makeMemoryPowers, type MemoryFiles, type MemoryPowersOptions } from './memory.js';
export type { ReadFn, ReadFnOrPowers, ReadNowPowers, ReadPowers, WritePowers } from './types.js';
