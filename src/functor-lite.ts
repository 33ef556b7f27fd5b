export { makeFunctorFromMap, type FunctorOptions, type FunctorRuntimeOptions } from './pack/index.js';
