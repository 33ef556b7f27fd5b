/**
 * `cordon/sandbox.js`: run an application in a guest process within memory and CPU limits, watched
 * from outside. `createSandbox({ permissions, limits, fs }).run(entry, { argv, env, cwd, stdin })` gives
 * an execution (streams, stdin, signals, lifecycle events, `exited`); `runLimited` and
 * `runIfLimited` are the CLI's `--max-memory` / `--max-cpu`.
 *
 * Exit codes: the guest's own; 128 + N when signal N ended it; 137 (`EXIT_MEMORY`) at the memory limit
 * (resident memory over `memoryMb` + `runtimeMb`, or V8 out of the `memoryMb` heap); 124 (`EXIT_CPU`) at
 * the CPU limit; 1 when the guest could not be started.
 */
export { createSandbox, type Sandbox, type SandboxOptions, type RunOptions } from './sandbox/sandbox.js';
export { SandboxExecution, type SandboxExit, type LifecycleEvent, type SandboxSignal } from './sandbox/execution.js';
export { runLimited, runIfLimited, runSandboxedIfLimited, type RunLimitedOptions, type LimitFlags } from './sandbox/cli-hook.js';
export { checkLimits, extractLimitFlags, limitMessage, EXIT_CPU, EXIT_MEMORY, RUNTIME_ALLOWANCE_MB, MIN_MEMORY_MB, type SandboxLimits, type LimitReason, type ExtractedLimits } from './sandbox/limits.js';
export { GUEST_ENV, isSandboxGuest, permissionArgs } from './sandbox/command.js';
export { hasProcFs, readProcSample, type MonitorKind, type UsageSample } from './sandbox/monitor.js';
export { runWasi, runWasiFile, preopensFromPermissions, WASI_ERRNO, type RunWasiOptions, type RunWasiFileOptions, type WasiFsDriver } from './sandbox/wasi.js';
