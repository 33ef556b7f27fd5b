export { captureFromMap } from './pack/index.js';
