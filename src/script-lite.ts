export { makeScriptFromMap, type FunctorOptions } from './pack/index.js';
