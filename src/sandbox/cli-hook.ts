/**
 * `cordon run --max-memory=MB --max-cpu=S …`: the CLI's way into a sandbox. The host process starts the
 * guest (Cordon's CLI again, without the limit flags), shares its stdio with it, forwards SIGINT,
 * SIGTERM and SIGHUP to it, prints the limit that stopped it, and exits with its code.
 */
import { checkLimits, extractLimitFlags, type SandboxLimits } from './limits.js';
import { hasProcFs } from './monitor.js';
import { GUEST_ENV, guestCommand } from './command.js';
import { SandboxExecution } from './execution.js';

/** What {@link runLimited} runs. */
export interface RunLimitedOptions {
  /** `cordon run`'s arguments (flags, entry, `--`, argv) without `--max-memory` / `--max-cpu`. */
  readonly runArgs: readonly string[];
  readonly limits: SandboxLimits;
  /** Only `inherit`: the guest uses the host's stdin, stdout and stderr (stderr passes through the host when memory is limited, to see V8's out-of-memory report). */
  readonly stdio?: 'inherit' | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly cwd?: string | undefined;
}

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Runs `cordon run <runArgs>` as a guest within `limits`; resolves to the run's exit code (never rejects for the guest's failures). */
export const runLimited = async (options: RunLimitedOptions): Promise<number> => {
  const limits = checkLimits(options.limits);
  const monitor = hasProcFs() ? 'proc' : 'report';
  const command = guestCommand({ runArgs: options.runArgs, limits, env: options.env ?? process.env, report: monitor === 'report', reportIntervalMs: 25 });
  const execution = new SandboxExecution({ command, cwd: options.cwd ?? process.cwd(), limits, stdio: 'inherit', monitor, intervalMs: 25 });
  const forward = (signal: NodeJS.Signals): void => void execution.kill(signal);
  for (const signal of FORWARDED) process.on(signal, forward);
  try {
    const exit = await execution.exited;
    if (exit.message !== undefined) process.stderr.write(`cordon: ${exit.message}\n`);
    return exit.code;
  } finally {
    for (const signal of FORWARDED) process.off(signal, forward);
  }
};

/**
 * The CLI hook, first thing in `cordon run`: when `args` hold `--max-memory` or `--max-cpu`, runs the
 * application in a guest process within those limits and returns its exit code's promise; otherwise
 * undefined (run in this process). A guest's arguments never hold the limit flags (the host took them
 * out), so a guest does not start another sandbox; the guest mark (`CORDON_SANDBOX_GUEST=1`) is taken
 * out of this process's environment here, so that the application's own children do not inherit it.
 * Throws `CORDON_INVALID_ARGUMENT` for a limit flag without a valid number.
 */
export const runSandboxedIfLimited = (args: readonly string[]): Promise<number> | undefined => {
  delete process.env[GUEST_ENV];
  const { limits, runArgs } = extractLimitFlags(args);
  if (limits === undefined) return undefined;
  return runLimited({ runArgs, limits, stdio: 'inherit' });
};
