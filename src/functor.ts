export { makeFunctor, type FunctorLocationOptions, type FunctorRuntimeOptions } from './pack/index.js';
