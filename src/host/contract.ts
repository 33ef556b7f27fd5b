/**
 * The versioned bridge contract: every method a guest runtime may call on its host, by name, in groups
 * of one signature and one calling convention. `BridgeMethods` is the source of truth (the host's side
 * of each method); `BRIDGE_CONTRACT` lists its methods in groups, and the compiler checks that the
 * groups name exactly `BridgeMethods`' keys, each once, with the convention and arity each method has.
 * `bridge-contract.json` at the package root is `BRIDGE_CONTRACT` written out (a test keeps them equal).
 *
 * Conventions (what the guest's call does):
 * - `sync`: the host answers at once; the guest gets the value (`returnType`).
 * - `async`: the host answers with a promise; the guest gets a promise of `returnType`.
 * - `syncPromise`: the host may answer with a promise, but the guest's call blocks until it settles and
 *   gets the value (`returnType`) — as `applySyncPromise` does (module loading needs a plain value for
 *   `require()` while the host may do its I/O asynchronously).
 */
import type {
  CommandPermissionRequest, DiagnosticEvent, EnvironmentPermissionRequest, ExecutionEvent, ExecutionKind, ExecutionStartOptions,
  FilesystemPermissionRequest, FilesystemSnapshot, FsDirEntry, FsStat, KillMode, LifecycleState, LogEvent, ModuleFormat,
  NetworkPermissionRequest, PermissionDecision, ResolveMode, StructuredEvent,
} from './contract-types.js';

export type * from './contract-types.js';

/** The contract's version; a guest refuses a host whose major differs. */
export const BRIDGE_CONTRACT_VERSION = '1.0.0';

/** Every bridge method, as the host implements it. */
export interface BridgeMethods {
  // filesystem
  _fsReadFile(path: string): Uint8Array;
  _fsWriteFile(path: string, data: Uint8Array, mode?: number): void;
  _fsStat(path: string): FsStat;
  _fsLstat(path: string): FsStat;
  _fsReaddir(path: string): FsDirEntry[];
  _fsMkdir(path: string, recursive?: boolean, mode?: number): void;
  _fsRemoveFile(path: string): void;
  _fsRemoveDir(path: string): void;
  _fsRename(from: string, to: string): void;
  _fsSymlink(target: string, path: string): void;
  _fsReadlink(path: string): string;
  _fsChmod(path: string, mode: number): void;
  _fsTruncate(path: string, length: number): void;
  _fsUtimes(path: string, atimeMs: number, mtimeMs: number): void;
  _fsExists(path: string): boolean;
  // permissions
  _permissionFilesystem(request: FilesystemPermissionRequest): PermissionDecision;
  _permissionNetwork(request: NetworkPermissionRequest): PermissionDecision;
  _permissionCommand(request: CommandPermissionRequest): PermissionDecision;
  _permissionEnvironment(request: EnvironmentPermissionRequest): PermissionDecision;
  // persistence
  _persistenceLoad(): Promise<FilesystemSnapshot | null>;
  _persistenceFlush(snapshot: FilesystemSnapshot): Promise<void>;
  // clock and random
  _clockWall(): number;
  _clockMonotonic(): number;
  _timerStart(id: number, delayMs: number): Promise<boolean>;
  _timerClear(id: number): void;
  _randomBytes(length: number): Uint8Array;
  // events
  _eventStructured(event: StructuredEvent): void;
  _eventDiagnostic(event: DiagnosticEvent): void;
  _eventLog(event: LogEvent): void;
  _eventLifecycle(state: LifecycleState): void;
  // execution
  _executionStart(kind: ExecutionKind, options: ExecutionStartOptions): Promise<number>;
  _executionStdinWrite(id: number, data: Uint8Array): void;
  _executionStdinClose(id: number): void;
  _executionKill(id: number, mode: KillMode): void;
  _executionPoll(id: number, timeoutMs?: number): Promise<ExecutionEvent[]>;
  _executionRespond(id: number, requestId: number, response: unknown): void;
  // module loading
  _resolveModule(specifier: string, fromDir: string, mode?: ResolveMode): Promise<string | null>;
  _resolveModuleSync(specifier: string, fromDir: string, mode?: ResolveMode): string | null;
  _loadFile(path: string): Promise<string | null>;
  _loadFileSync(path: string): string | null;
  _moduleFormat(filename: string): ModuleFormat;
}

export type BridgeMethodName = keyof BridgeMethods;
export type BridgeConvention = 'sync' | 'async' | 'syncPromise';

/** One group: methods of one signature and convention. `argumentTypes` are `name: Type` (`name?: Type` if optional). */
export interface BridgeGroup {
  readonly convention: BridgeConvention;
  readonly argumentTypes: readonly string[];
  /** What the guest's call gives (for `async`, what its promise settles to). */
  readonly returnType: string;
  readonly names: readonly BridgeMethodName[];
}

export interface BridgeContractDocument {
  readonly version: string;
  readonly groups: readonly BridgeGroup[];
}

const P = 'path: string';

const GROUPS = [
  { convention: 'sync', argumentTypes: [P], returnType: 'Uint8Array', names: ['_fsReadFile'] },
  { convention: 'sync', argumentTypes: [P, 'data: Uint8Array', 'mode?: number'], returnType: 'void', names: ['_fsWriteFile'] },
  { convention: 'sync', argumentTypes: [P], returnType: 'FsStat', names: ['_fsStat', '_fsLstat'] },
  { convention: 'sync', argumentTypes: [P], returnType: 'FsDirEntry[]', names: ['_fsReaddir'] },
  { convention: 'sync', argumentTypes: [P, 'recursive?: boolean', 'mode?: number'], returnType: 'void', names: ['_fsMkdir'] },
  { convention: 'sync', argumentTypes: [P], returnType: 'void', names: ['_fsRemoveFile', '_fsRemoveDir'] },
  { convention: 'sync', argumentTypes: ['from: string', 'to: string'], returnType: 'void', names: ['_fsRename'] },
  { convention: 'sync', argumentTypes: ['target: string', P], returnType: 'void', names: ['_fsSymlink'] },
  { convention: 'sync', argumentTypes: [P], returnType: 'string', names: ['_fsReadlink'] },
  { convention: 'sync', argumentTypes: [P, 'mode: number'], returnType: 'void', names: ['_fsChmod'] },
  { convention: 'sync', argumentTypes: [P, 'length: number'], returnType: 'void', names: ['_fsTruncate'] },
  { convention: 'sync', argumentTypes: [P, 'atimeMs: number', 'mtimeMs: number'], returnType: 'void', names: ['_fsUtimes'] },
  { convention: 'sync', argumentTypes: [P], returnType: 'boolean', names: ['_fsExists'] },
  { convention: 'sync', argumentTypes: ['request: FilesystemPermissionRequest'], returnType: 'PermissionDecision', names: ['_permissionFilesystem'] },
  { convention: 'sync', argumentTypes: ['request: NetworkPermissionRequest'], returnType: 'PermissionDecision', names: ['_permissionNetwork'] },
  { convention: 'sync', argumentTypes: ['request: CommandPermissionRequest'], returnType: 'PermissionDecision', names: ['_permissionCommand'] },
  { convention: 'sync', argumentTypes: ['request: EnvironmentPermissionRequest'], returnType: 'PermissionDecision', names: ['_permissionEnvironment'] },
  { convention: 'async', argumentTypes: [], returnType: 'FilesystemSnapshot | null', names: ['_persistenceLoad'] },
  { convention: 'async', argumentTypes: ['snapshot: FilesystemSnapshot'], returnType: 'void', names: ['_persistenceFlush'] },
  { convention: 'sync', argumentTypes: [], returnType: 'number', names: ['_clockWall', '_clockMonotonic'] },
  { convention: 'async', argumentTypes: ['id: number', 'delayMs: number'], returnType: 'boolean', names: ['_timerStart'] },
  { convention: 'sync', argumentTypes: ['id: number'], returnType: 'void', names: ['_timerClear', '_executionStdinClose'] },
  { convention: 'sync', argumentTypes: ['length: number'], returnType: 'Uint8Array', names: ['_randomBytes'] },
  { convention: 'sync', argumentTypes: ['event: StructuredEvent'], returnType: 'void', names: ['_eventStructured'] },
  { convention: 'sync', argumentTypes: ['event: DiagnosticEvent'], returnType: 'void', names: ['_eventDiagnostic'] },
  { convention: 'sync', argumentTypes: ['event: LogEvent'], returnType: 'void', names: ['_eventLog'] },
  { convention: 'sync', argumentTypes: ['state: LifecycleState'], returnType: 'void', names: ['_eventLifecycle'] },
  { convention: 'async', argumentTypes: ['kind: ExecutionKind', 'options: ExecutionStartOptions'], returnType: 'number', names: ['_executionStart'] },
  { convention: 'sync', argumentTypes: ['id: number', 'data: Uint8Array'], returnType: 'void', names: ['_executionStdinWrite'] },
  { convention: 'sync', argumentTypes: ['id: number', 'mode: KillMode'], returnType: 'void', names: ['_executionKill'] },
  { convention: 'async', argumentTypes: ['id: number', 'timeoutMs?: number'], returnType: 'ExecutionEvent[]', names: ['_executionPoll'] },
  { convention: 'sync', argumentTypes: ['id: number', 'requestId: number', 'response: unknown'], returnType: 'void', names: ['_executionRespond'] },
  { convention: 'syncPromise', argumentTypes: ['specifier: string', 'fromDir: string', 'mode?: "require" | "import"'], returnType: 'string | null', names: ['_resolveModule', '_resolveModuleSync'] },
  { convention: 'syncPromise', argumentTypes: [P], returnType: 'string | null', names: ['_loadFile', '_loadFileSync'] },
  { convention: 'syncPromise', argumentTypes: ['filename: string'], returnType: '"module" | "commonjs" | "json" | null', names: ['_moduleFormat'] },
] as const satisfies readonly BridgeGroup[];

// ---- compile-time checks: the groups are exactly the interface ----

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AllNames<G extends readonly { readonly names: readonly string[] }[], Out extends readonly string[] = []> =
  G extends readonly [infer H extends { readonly names: readonly string[] }, ...infer R extends readonly { readonly names: readonly string[] }[]]
    ? AllNames<R, [...Out, ...H['names']]>
    : Out;
type Repeated<T extends readonly string[], Seen = never> =
  T extends readonly [infer H extends string, ...infer R extends readonly string[]] ? ([H] extends [Seen] ? H : Repeated<R, Seen | H>) : never;
/** The argument counts a method may be called with, from its `argumentTypes` (optional ones last). */
type Arities<S extends readonly string[], Count extends unknown[] = [], Out = never> =
  S extends readonly [infer H extends string, ...infer R extends readonly string[]]
    ? Arities<R, [...Count, H], H extends `${string}?:${string}` ? Out | Count['length'] : Out>
    : Out | Count['length'];
type ConventionHolds<C, F> = F extends (...args: never[]) => infer R
  ? C extends 'async' ? (R extends Promise<unknown> ? true : false)
  : C extends 'sync' ? (R extends PromiseLike<unknown> ? false : true)
  : true
  : false;
type GroupHolds<G> = G extends { readonly convention: infer C; readonly argumentTypes: infer S extends readonly string[]; readonly names: readonly (infer N extends BridgeMethodName)[] }
  ? { [K in N]: [ConventionHolds<C, BridgeMethods[K]>, Same<Parameters<BridgeMethods[K]>['length'], Arities<S>>] extends [true, true] ? true : K }[N]
  : false;
type Failing<G extends readonly unknown[]> = { [I in keyof G]: GroupHolds<G[I]> }[number];

/** `true` only if every method is in a group, and no group names a method that is not one. */
const everyMethodListed: Same<AllNames<typeof GROUPS>[number], BridgeMethodName> = true;
/** `never` only if no method is listed twice (otherwise the repeated name). */
const noneRepeated: [Repeated<AllNames<typeof GROUPS>>] extends [never] ? true : Repeated<AllNames<typeof GROUPS>> = true;
/** `true` only if each method's convention and argument count match its group (otherwise the names that do not). */
const everyGroupHolds: Exclude<Failing<typeof GROUPS>, true> extends never ? true : Exclude<Failing<typeof GROUPS>, true> = true;
void everyMethodListed; void noneRepeated; void everyGroupHolds;

/** The contract: its version and every group (what `bridge-contract.json` holds). */
export const BRIDGE_CONTRACT: BridgeContractDocument = deepFreeze({ version: BRIDGE_CONTRACT_VERSION, groups: GROUPS });

/** The group each method is in, by name. */
export const bridgeGroupOf = (name: string): BridgeGroup | undefined => BRIDGE_CONTRACT.groups.find(group => group.names.includes(name as BridgeMethodName));

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
