export { importLocation, loadLocation, type Application, type ImportOptions, type LoadLocationOptions } from './run/index.js';
