export { ModuleSource, type ModuleSourceOptions, type SourceMapObject } from './compile/index.js';
