export { makeExitModuleSource, makeThrowingModuleSource } from './exits.js';
