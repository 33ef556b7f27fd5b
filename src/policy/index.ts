export type * from './types.js';
export { chainOf, denialError, type Denial, type DeniedKind, type PolicyDenialError } from './explain.js';
