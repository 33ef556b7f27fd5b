/**
 * The value types the bridge contract's methods take and return (`contract.ts` lists the methods).
 * Everything here is plain data: strings, numbers, booleans, `Uint8Array`s, arrays and records, so
 * that a call can cross an isolate or process boundary by structured clone.
 */

/** What a filesystem entry is. */
export type FsEntryType = 'file' | 'directory' | 'symlink';

/** One entry's metadata (`stat` follows symlinks, `lstat` does not). Times are milliseconds since the epoch. */
export interface FsStat {
  readonly type: FsEntryType;
  /** Permission bits only (`0o755`); the type is in `type`. */
  readonly mode: number;
  /** Bytes of a file, of a symlink's target text, or 0 for a directory (the real driver reports the host's). */
  readonly size: number;
  readonly atimeMs: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly birthtimeMs: number;
  readonly ino: number;
  readonly nlink: number;
}

/** One name in a directory, with its type (symlinks are not followed). */
export interface FsDirEntry {
  readonly name: string;
  readonly type: FsEntryType;
}

/** A filesystem snapshot: `format` names the encoding of `bytes` (the in-memory driver's is `cordon-memfs-1`). */
export interface FilesystemSnapshot {
  readonly format: string;
  readonly bytes: Uint8Array;
}

/** A permission decision: `prompt` means no rule decides and the user should be asked. */
export interface PermissionDecision {
  readonly verdict: 'allow' | 'deny' | 'prompt';
  readonly reason?: string;
}

export interface FilesystemPermissionRequest {
  readonly operation: 'read' | 'write';
  /** Absolute or relative to the guest's working directory. */
  readonly path: string;
}

export interface NetworkPermissionRequest {
  readonly operation: 'connect' | 'listen' | 'resolve';
  readonly host: string;
  readonly port?: number;
}

export interface CommandPermissionRequest {
  /** The program as the guest named it (resolved on the guest's `PATH`). */
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
}

export interface EnvironmentPermissionRequest {
  readonly operation: 'read' | 'write';
  readonly key: string;
}

/** A structured event: a name and a JSON-shaped payload. */
export interface StructuredEvent {
  readonly name: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A diagnostic, as Cordon's diagnostics carry them (`CORDON_…` codes). */
export interface DiagnosticEvent {
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LogEvent {
  readonly level: LogLevel;
  readonly message: string;
}

/** Where a guest runtime is in its life. */
export type LifecycleState = 'starting' | 'ready' | 'busy' | 'terminated';

/** A JavaScript or WebAssembly execution context. */
export type ExecutionKind = 'javascript' | 'webassembly';

export interface ExecutionStartOptions {
  /** The entry: a file path (JavaScript: a module; WebAssembly: a `.wasm` module, WASI command). */
  readonly entry: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/** How to stop an execution: `terminate` (SIGTERM), `interrupt` (SIGINT), `kill` (SIGKILL, no cleanup). */
export type KillMode = 'terminate' | 'interrupt' | 'kill';

/** What an execution reports, in order; `exited` is the last event of an execution. */
export type ExecutionEvent =
  | { readonly type: 'stdout'; readonly data: Uint8Array }
  | { readonly type: 'stderr'; readonly data: Uint8Array }
  | { readonly type: 'exited'; readonly code: number | null; readonly signal: string | null }
  | { readonly type: 'guestRequest'; readonly requestId: number; readonly method: string; readonly payload: unknown };

/** A module resolution's mode: CommonJS `require` or ESM `import` (conditions and extension rules differ). */
export type ResolveMode = 'require' | 'import';

/** How a file is evaluated: ESM, CommonJS, JSON; `null` for anything else (`.node`, `.wasm`, unknown). */
export type ModuleFormat = 'module' | 'commonjs' | 'json' | null;
