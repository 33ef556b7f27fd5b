export { makeMemoryPowers, type MemoryFiles, type MemoryPowersOptions } from './memory.js';
export { isReadNowPowers, unpackReadPowers, type ReadFn, type ReadFnOrPowers, type ReadNowPowers, type ReadPowers, type WritePowers } from './types.js';
