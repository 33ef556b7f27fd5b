export { makeScript, type FunctorLocationOptions } from './pack/index.js';
