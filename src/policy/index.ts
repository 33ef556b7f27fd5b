export type * from './types.js';
export { assertPolicy, MAX_POLICY_TEXT, parsePolicyText, validatePolicy, type PolicyValidationOptions, type ValidatedPolicy } from './validate.js';
export { detectPolicyFormat, formatMarkers, type FormatMarkers } from './detect.js';
export { MAX_KEY_LENGTH, MAX_RESOURCES, type InvalidPolicyError, type PolicyProblem } from './problems.js';
export { mergePolicies, type MergeWhere } from './merge.js';
export { ATTENUATORS_COMPARTMENT, EMPTY_GRANTS, normalizePolicy, ROOT_NAME, type NormalizeOptions } from './normalize.js';
export { checkPolicyNames, findUnknownCanonicalNames, suggestName } from './names.js';
export { stringifyPolicy } from './stringify.js';
export { FrozenMap, FrozenSet } from './readonly.js';
