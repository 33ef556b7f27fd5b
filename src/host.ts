/**
 * `cordon/host.js`: the host bridge — the permission engine (Deno-style grants per package and per
 * resource: allow / deny / prompt), the flags that make one, and each package's bridge-backed builtins.
 */
export { makePermissionEngine, emptyPermissionSet, allowAllPermissionSet, PERMISSION_NAMES, packageMatches } from './host/permissions.js';
export type { AccessRequest, EngineOptions, PackageAccess, PermissionEngine, PermissionName, PermissionRule, PermissionSet, PromptAnswer, Verdict } from './host/permissions.js';
export { parsePermissionFlags, parseRuleItem, normalizeResource, checkRulePackages, permissionsFromPolicy, unitePermissionSets, type PermissionFlags, type FlagContext, type PolicyPermissions } from './host/flags.js';
export { accessDenied, describeRequest, describeRequester, flagFor, NODE_PERMISSION, type AccessDeniedError } from './host/errors.js';
export { makeHostBridge, type HostBridgeInstance, type HostBridgeOptions } from './host/bridge.js';
export { normalizeHost, normalizeHostPort, resolvePath, resolveProgram } from './host/resources.js';
