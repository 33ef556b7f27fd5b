/**
 * The resource limits of a sandboxed guest: their values, the `--max-memory` / `--max-cpu` flags that
 * set them on `cordon run`, the exit codes a guest stopped at a limit ends with, and the one-line
 * message that names the limit.
 */
import { CordonError } from '../diagnostics/index.js';

/** What a guest may use. Every field is optional; a missing one is not limited. */
export interface SandboxLimits {
  /**
   * `--max-memory=MB`: the application's memory. The V8 heap (old generation) is capped at this many
   * MB (`--max-old-space-size`), and the guest process's resident memory (V8 heap, Buffers, strings
   * and native allocations outside the heap) at this many MB plus {@link SandboxLimits.runtimeMb}.
   */
  readonly memoryMb?: number | undefined;
  /** `--max-cpu=SECONDS` (decimals allowed): CPU time, user + system, of the guest process, start-up included. */
  readonly cpuSeconds?: number | undefined;
  /**
   * The resident memory of Node, SES and Cordon themselves, which the memory limit does not count
   * against the application (default {@link RUNTIME_ALLOWANCE_MB}).
   */
  readonly runtimeMb?: number | undefined;
}

/** Node (≈ 40 MB resident) and SES + Cordon loading an app (≈ 25 MB more) before the app's own memory. */
export const RUNTIME_ALLOWANCE_MB = 64;

/** The exit code of a guest stopped at its memory limit (128 + SIGKILL, as a shell reports a process the kernel's OOM killer ended). */
export const EXIT_MEMORY = 137;
/** The exit code of a guest stopped at its CPU limit (as `timeout(1)`). */
export const EXIT_CPU = 124;

/** Why a guest was stopped by Cordon. */
export type LimitReason = 'memory' | 'cpu';

/** The smallest `--max-memory`: below it V8 cannot even load SES. */
export const MIN_MEMORY_MB = 16;

const invalid = (message: string): CordonError => new CordonError('CORDON_INVALID_ARGUMENT', message, {
  hint: '--max-memory takes a whole number of megabytes (e.g. --max-memory=128); --max-cpu takes seconds of CPU time (e.g. --max-cpu=1.5).',
});

/** Checks a limits object (as `createSandbox` and `runLimited` receive it); returns it frozen, or throws `CORDON_INVALID_ARGUMENT`. */
export const checkLimits = (limits: SandboxLimits | undefined): SandboxLimits => {
  const { memoryMb, cpuSeconds, runtimeMb } = limits ?? {};
  if (memoryMb !== undefined && (typeof memoryMb !== 'number' || !Number.isInteger(memoryMb) || memoryMb < MIN_MEMORY_MB)) {
    throw invalid(`--max-memory must be a whole number of megabytes, at least ${MIN_MEMORY_MB}: ${String(memoryMb)}`);
  }
  if (cpuSeconds !== undefined && (typeof cpuSeconds !== 'number' || !Number.isFinite(cpuSeconds) || cpuSeconds <= 0)) {
    throw invalid(`--max-cpu must be a positive number of seconds: ${String(cpuSeconds)}`);
  }
  if (runtimeMb !== undefined && (typeof runtimeMb !== 'number' || !Number.isFinite(runtimeMb) || runtimeMb < 0)) {
    throw invalid(`limits.runtimeMb must be a number of megabytes, 0 or more: ${String(runtimeMb)}`);
  }
  return Object.freeze({ memoryMb, cpuSeconds, runtimeMb });
};

/** The resident-memory ceiling in bytes, or undefined when memory is not limited. */
export const rssCeilingBytes = (limits: SandboxLimits): number | undefined =>
  limits.memoryMb === undefined ? undefined : (limits.memoryMb + (limits.runtimeMb ?? RUNTIME_ALLOWANCE_MB)) * 1024 * 1024;

const LIMIT_FLAGS: Readonly<Record<string, 'memoryMb' | 'cpuSeconds'>> = { '--max-memory': 'memoryMb', '--max-cpu': 'cpuSeconds' };

/** What {@link extractLimitFlags} found: the limits, and the arguments without the limit flags. */
export interface ExtractedLimits {
  /** Undefined when neither flag was given. */
  readonly limits: SandboxLimits | undefined;
  readonly runArgs: string[];
}

const parseValue = (flag: string, text: string | undefined): number => {
  if (text === undefined || !/^\d*\.?\d+$/.test(text)) throw invalid(`${flag} needs a number after '=': ${text === undefined ? `${flag} alone` : JSON.stringify(text)}`);
  return Number(text);
};

/**
 * Takes `--max-memory=MB` and `--max-cpu=S` out of `cordon run`'s arguments (only before `--`: what
 * follows belongs to the application). Values only after `=`, as for the permission flags. The last of
 * a kind wins.
 */
export const extractLimitFlags = (args: readonly string[]): ExtractedLimits => {
  const runArgs: string[] = [];
  const found: { memoryMb?: number; cpuSeconds?: number } = {};
  let any = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '--') {
      runArgs.push(...args.slice(index));
      break;
    }
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg : arg.slice(0, equals);
    const key = Object.hasOwn(LIMIT_FLAGS, name) ? LIMIT_FLAGS[name] : undefined;
    if (key === undefined) {
      runArgs.push(arg);
      continue;
    }
    found[key] = parseValue(name, equals === -1 ? undefined : arg.slice(equals + 1));
    any = true;
  }
  return { limits: any ? checkLimits(found) : undefined, runArgs };
};

/** A size in MB for a message. */
const mb = (bytes: number): string => `${Math.round(bytes / (1024 * 1024))} MB`;

/** What the guest had used when it was stopped (for the message). */
export interface LimitDetail {
  readonly rssBytes?: number | undefined;
  readonly cpuSeconds?: number | undefined;
  /** V8 reported that the JavaScript heap is full. */
  readonly heap?: boolean | undefined;
}

/** The one line (without `cordon: ` and the newline) that says which limit stopped the application. */
export const limitMessage = (reason: LimitReason, limits: SandboxLimits, detail: LimitDetail): string => {
  if (reason === 'memory') {
    const runtime = limits.runtimeMb ?? RUNTIME_ALLOWANCE_MB;
    const why = detail.heap
      ? `its JavaScript heap reached the limit (V8: heap out of memory)`
      : `its resident memory reached ${mb(detail.rssBytes ?? 0)} (the limit is ${limits.memoryMb} MB for the application + ${runtime} MB for Node and Cordon)`;
    return `the application exceeded --max-memory=${limits.memoryMb} (MB): ${why}; it was stopped`;
  }
  return `the application exceeded --max-cpu=${limits.cpuSeconds} (seconds of CPU time): it had used ${(detail.cpuSeconds ?? 0).toFixed(2)} s; it was stopped`;
};
