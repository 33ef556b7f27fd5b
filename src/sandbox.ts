/**
 * `cordon/sandbox.js`: run an application in a guest process within memory and CPU limits, watched
 * from outside. `createSandbox({ permissions, limits, fs }).run(entry, { argv, env, cwd, stdin })` gives
 * an execution (streams, stdin, signals, lifecycle events, `exited`); `runLimited` and
 * `runIfLimited` are the CLI's `--max-memory` / `--max-cpu`. See docs/sandbox.md.
 */
export { createSandbox, type Sandbox, type SandboxOptions, type RunOptions } from './sandbox/sandbox.js';
export { SandboxExecution, type SandboxExit, type LifecycleEvent, type SandboxSignal } from './sandbox/execution.js';
export { runLimited, runIfLimited, runSandboxedIfLimited, type RunLimitedOptions, type LimitFlags } from './sandbox/cli-hook.js';
export { checkLimits, extractLimitFlags, limitMessage, EXIT_CPU, EXIT_MEMORY, RUNTIME_ALLOWANCE_MB, MIN_MEMORY_MB, type SandboxLimits, type LimitReason, type ExtractedLimits } from './sandbox/limits.js';
export { GUEST_ENV, isSandboxGuest, permissionArgs } from './sandbox/command.js';
export { hasProcFs, readProcSample, type MonitorKind, type UsageSample } from './sandbox/monitor.js';
