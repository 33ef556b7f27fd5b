export { errorCodes, nodeShapedCodes, type ErrorCode } from './codes.js';
export { CordonError, isCordonError, type ErrorDetails } from './error.js';
export { requireErrorOf } from './node-errors.js';
