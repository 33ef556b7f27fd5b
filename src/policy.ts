// cordon/policy.js: the policy formats (Endo's policy object, LavaMoat's policy.json): validation,
// merging an override, normalisation, unknown names, stable text.
export * from './policy/index.js';
