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
export { BRIDGE_CONTRACT, BRIDGE_CONTRACT_VERSION, bridgeGroupOf, type BridgeMethods, type BridgeMethodName, type BridgeConvention, type BridgeGroup, type BridgeContractDocument } from './host/contract.js';
export type * from './host/contract-types.js';
export { makeFilesystemBridge, makePermissionBridge, makeSnapshotFileStore, makeClockBridge, type FilesystemBridge, type PermissionBridge, type PersistenceBridge, type ClockBridge, type PermissionBridgeOptions } from './host/contract-host.js';
export { makeModuleLoadingBridge, type ModuleLoadingBridge } from './host/contract-modules.js';
export { makeMemoryDriver, type MemoryDriverOptions } from './host/drivers/memory.js';
export { makeRealDriver } from './host/drivers/real.js';
export { MEMFS_FORMAT, SnapshotError } from './host/drivers/memory-snapshot.js';
export { makeNodeFs, type NodeFsOptions } from './host/drivers/node-fs.js';
export { realpathOf } from './host/drivers/realpath.js';
export { fsError, type FsError } from './host/drivers/errors.js';
export type { FilesystemDriver, PersistentFilesystemDriver } from './host/drivers/types.js';
export { makeMemoryFsHost, type MemoryFsHost, type MemoryFsHostOptions } from './host/drivers/memory-host.js';
export { makeDeterministicHost, DEFAULT_DETERMINISTIC_START, type DeterministicHost, type DeterministicOptions, type DeterministicGlobals, type DeterministicBuiltins } from './host/deterministic.js';
