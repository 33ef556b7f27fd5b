export { importFromMap, loadFromMap, type Application, type ImportOptions, type LoadOptions } from './run/index.js';
