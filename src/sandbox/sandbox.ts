/**
 * `createSandbox({ permissions, limits, fs })` → `sandbox.run(entry | archive, { argv, env, cwd, stdin })`:
 * each run is a separate guest process (Node running Cordon's CLI) that the host watches from outside
 * and stops at its limits.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parsePermissionFlags, type PermissionFlags } from '../host/flags.js';
import { CordonError } from '../diagnostics/index.js';
import { checkLimits, type SandboxLimits } from './limits.js';
import { hasProcFs, type MonitorKind } from './monitor.js';
import { guestCommand, permissionArgs, runArgsFor } from './command.js';
import { SandboxExecution } from './execution.js';

/** What every run of a sandbox shares. */
export interface SandboxOptions {
  /** The guest's grants, as `cordon run`'s `--allow-*` / `--deny-*` / `-A` flags (paths relative to the run's cwd). */
  readonly permissions?: PermissionFlags | undefined;
  readonly limits?: SandboxLimits | undefined;
  /** `real` (default): the host's file system; `memory`: `--fs=memory`. */
  readonly fs?: 'real' | 'memory' | undefined;
  /** Further `cordon run` flags (e.g. `['--policy', 'p.json']`), placed before the entry. */
  readonly runFlags?: readonly string[] | undefined;
  /** How the host watches the guest: `proc` (Linux, the default there) or `report` (the guest's own reports; the default elsewhere). */
  readonly monitor?: MonitorKind | undefined;
  /** Milliseconds between samples (default 25). */
  readonly intervalMs?: number | undefined;
}

/** One run's own options. */
export interface RunOptions {
  /** The application's arguments (its `process.argv.slice(2)`). */
  readonly argv?: readonly string[] | undefined;
  /** The guest's environment (default: the host's). */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** The guest's working directory (default: the host's); the entry and relative grants are resolved from it. */
  readonly cwd?: string | undefined;
  /** Given whole to the guest's stdin, which then ends (otherwise use `writeStdin` / `closeStdin`). */
  readonly stdin?: string | Uint8Array | Readable | undefined;
  /** `pipe` (default): the execution's streams; `inherit`: the host's stdin, stdout and stderr. */
  readonly stdio?: 'pipe' | 'inherit' | undefined;
}

/** A sandbox: runs applications, each in its own guest process. */
export interface Sandbox {
  run(entry: string, options?: RunOptions): SandboxExecution;
}

const invalid = (message: string): CordonError => new CordonError('CORDON_INVALID_ARGUMENT', message);

/** The runs' common settings, checked now (bad limits or permission flags throw `CordonError`). */
export const createSandbox = (options: SandboxOptions = {}): Sandbox => {
  const limits = checkLimits(options.limits);
  const fsKind = options.fs ?? 'real';
  if (fsKind !== 'real' && fsKind !== 'memory') throw invalid(`fs must be 'real' or 'memory': ${String(fsKind)}`);
  const monitor: MonitorKind = options.monitor ?? (hasProcFs() ? 'proc' : 'report');
  if (monitor !== 'proc' && monitor !== 'report') throw invalid(`monitor must be 'proc' or 'report': ${String(monitor)}`);
  const intervalMs = options.intervalMs ?? 25;
  if (!(intervalMs >= 1 && intervalMs <= 1000)) throw invalid(`intervalMs must be between 1 and 1000: ${String(intervalMs)}`);
  const permissions = options.permissions;
  const flags = [...permissionArgs(permissions), ...(fsKind === 'memory' ? ['--fs=memory'] : []), ...(options.runFlags ?? [])];
  return Object.freeze({
    run(entry: string, runOptions: RunOptions = {}): SandboxExecution {
      if (typeof entry !== 'string' || entry === '') throw invalid('sandbox.run needs the path of an entry module or archive');
      const cwd = path.resolve(runOptions.cwd ?? process.cwd());
      const env = runOptions.env ?? process.env;
      // Fail here, in the host, on flags the guest would reject.
      if (permissions !== undefined) parsePermissionFlags(permissions, { cwd, pathVariable: env['PATH'] });
      const runArgs = runArgsFor(entry, cwd, flags, runOptions.argv ?? []);
      const command = guestCommand({ runArgs, limits, env, report: monitor === 'report', reportIntervalMs: intervalMs });
      return new SandboxExecution({ command, cwd, limits, stdio: runOptions.stdio ?? 'pipe', monitor, intervalMs, stdin: runOptions.stdin });
    },
  });
};
