/**
 * The guest's command line: `node [--max-old-space-size=N] [--import reporter] <Cordon's CLI> run
 * <flags> <entry|archive> -- <argv>`, and its environment (marked as the guest, so the guest's Cordon
 * runs the application itself instead of starting another sandbox).
 */
import path from 'node:path';
import url from 'node:url';
import { PERMISSION_NAMES } from '../host/permissions.js';
import type { PermissionFlags } from '../host/flags.js';
import type { SandboxLimits } from './limits.js';

/** The environment variable that marks a process as a sandbox's guest. */
export const GUEST_ENV = 'CORDON_SANDBOX_GUEST';
/** The file descriptor on which a guest without /proc monitoring reports its usage. */
export const REPORT_FD = 3;

/** Cordon's CLI (the built `dist/cli/main.js` beside this file's folder). */
export const cliPath = (): string => url.fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** The reporter preload (see `reporter.ts`). */
const reporterUrl = (): string => new URL('./reporter.js', import.meta.url).href;

/** Whether a process (this one, by default) is a sandbox's guest. */
export const isSandboxGuest = (env: NodeJS.ProcessEnv = process.env): boolean => env[GUEST_ENV] === '1';

/**
 * `PermissionFlags` → `cordon run` flags: `--allow-read` for a bare grant (`true`),
 * `--allow-read=VALUE` for each value, `--deny-…` likewise, `--allow-all` for `allowAll`.
 */
export const permissionArgs = (flags: PermissionFlags | undefined): string[] => {
  const args: string[] = [];
  if (flags === undefined) return args;
  for (const mode of ['allow', 'deny'] as const) {
    const kinds = flags[mode];
    if (kinds === undefined) continue;
    for (const permission of PERMISSION_NAMES) {
      for (const value of kinds[permission] ?? []) {
        if (value === true) args.push(`--${mode}-${permission}`);
        else if (typeof value === 'string') args.push(`--${mode}-${permission}=${value}`);
        else throw new TypeError(`permissions.${mode}.${permission}: each item is a string or true`);
      }
    }
  }
  if (flags.allowAll === true) args.push('--allow-all');
  return args;
};

/** What the guest's process is started with. */
export interface GuestCommand {
  readonly file: string;
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
}

export interface GuestCommandOptions {
  /** `cordon run`'s arguments for the guest (flags, entry, `--`, argv), without the limit flags. */
  readonly runArgs: readonly string[];
  readonly limits: SandboxLimits;
  readonly env: NodeJS.ProcessEnv;
  /** The guest reports its own usage on {@link REPORT_FD} (no /proc). */
  readonly report: boolean;
  readonly reportIntervalMs: number;
  /** Node options placed before Cordon's CLI (e.g. `--stack-size`); default none. */
  readonly nodeOptions?: readonly string[] | undefined;
}

/** The guest's executable, arguments and environment. */
export const guestCommand = (options: GuestCommandOptions): GuestCommand => {
  const node: string[] = [...(options.nodeOptions ?? [])];
  if (options.limits.memoryMb !== undefined) node.push(`--max-old-space-size=${options.limits.memoryMb}`);
  const env: NodeJS.ProcessEnv = { ...options.env, [GUEST_ENV]: '1' };
  delete env['CORDON_SANDBOX_REPORT_FD'];
  if (options.report) {
    node.push(`--import=${reporterUrl()}`);
    env['CORDON_SANDBOX_REPORT_FD'] = String(REPORT_FD);
    env['CORDON_SANDBOX_REPORT_MS'] = String(options.reportIntervalMs);
  }
  return { file: process.execPath, args: [...node, cliPath(), 'run', ...options.runArgs], env };
};

/** `cordon run` arguments for an entry or archive: flags, the entry (absolute, from `cwd`), `--`, argv. */
export const runArgsFor = (entry: string, cwd: string, flags: readonly string[], argv: readonly string[]): string[] =>
  [...flags, path.resolve(cwd, entry), '--', ...argv];
