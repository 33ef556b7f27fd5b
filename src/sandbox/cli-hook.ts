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

/** The part of `cordon run`'s parsed flags (src/cli/permission-flags.ts `RunFlags`) the hook reads. */
export interface LimitFlags {
  readonly maxMemoryMb?: number | undefined;
  readonly maxCpuSeconds?: number | undefined;
  /** The arguments as given, without the limit flags (what the guest is started with). */
  readonly withoutLimits: readonly string[];
}

/**
 * The CLI hook, in `cordon run` right after its flags are parsed: when a limit is given, runs the
 * application in a guest process within it and returns the promise of its exit code; otherwise
 * undefined (the application runs in this process).
 *
 * A guest is started without the limit flags, so it never starts another sandbox. Its mark
 * (`CORDON_SANDBOX_GUEST=1`) is taken out of this process's environment here, in every run, so the
 * application's own children cannot inherit it; and the mark never turns a limit off (a `cordon run
 * --max-memory=…` started by a guest's application is limited too).
 * Throws `CORDON_INVALID_ARGUMENT` for limits out of range (e.g. `--max-memory` not a whole number ≥ 16).
 */
export const runIfLimited = (flags: LimitFlags): Promise<number> | undefined => {
  delete process.env[GUEST_ENV];
  if (flags.maxMemoryMb === undefined && flags.maxCpuSeconds === undefined) return undefined;
  return runLimited({ runArgs: flags.withoutLimits, limits: { memoryMb: flags.maxMemoryMb, cpuSeconds: flags.maxCpuSeconds }, stdio: 'inherit' });
};

/** {@link runIfLimited} from `cordon run`'s raw arguments (`--max-memory=MB`, `--max-cpu=S` before `--`). */
export const runSandboxedIfLimited = (args: readonly string[]): Promise<number> | undefined => {
  const { limits, runArgs } = extractLimitFlags(args);
  return runIfLimited({ maxMemoryMb: limits?.memoryMb, maxCpuSeconds: limits?.cpuSeconds, withoutLimits: runArgs });
};
