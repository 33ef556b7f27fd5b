// cordon/policy.js: the policy formats (Endo's policy object, LavaMoat's policy.json): validation,
// merging an override, normalisation, unknown names, stable text, explained denials; and generation
// from Cordon's own analysis of an application's modules.
export * from './policy/index.js';
export { generatePolicy, type GeneratePolicyOptions, type GeneratedPolicy } from './pack/generate.js';
