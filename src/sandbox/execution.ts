/**
 * One guest process and the host's hold on it: its output streams (never buffered whole by the host),
 * its stdin, signals, the monitor that stops it at its limits, its lifecycle events and its exit.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { PassThrough, Readable } from 'node:stream';
import { EXIT_CPU, EXIT_MEMORY, limitMessage, rssCeilingBytes, type LimitDetail, type LimitReason, type SandboxLimits } from './limits.js';
import { watchProc, watchReports, type Monitor, type MonitorKind, type UsageSample } from './monitor.js';
import { REPORT_FD, type GuestCommand } from './command.js';

/** How a guest ended. */
export interface SandboxExit {
  /** The run's exit code: the guest's own; 128 + signal number if a signal ended it; {@link EXIT_MEMORY} / {@link EXIT_CPU} at a limit. */
  readonly code: number;
  /** The signal that ended the guest's process, or null. */
  readonly signal: NodeJS.Signals | null;
  /** Set when Cordon stopped the guest at one of its limits (or V8 ran out of the heap the memory limit set). */
  readonly reason?: LimitReason | undefined;
  /** The one line that says so (without `cordon: `), when `reason` is set or the guest could not start. */
  readonly message?: string | undefined;
  /** The error that kept the guest from starting. */
  readonly error?: Error | undefined;
  /** What the monitor last saw: CPU seconds and the highest resident memory, in MB. */
  readonly usage: { readonly cpuSeconds: number; readonly peakRssMb: number };
}

/** `starting` (before the process is spawned), `ready` (spawned), `terminated` (exited, with how). */
export type LifecycleEvent =
  | { readonly type: 'starting' }
  | { readonly type: 'ready'; readonly pid: number }
  | ({ readonly type: 'terminated' } & SandboxExit);

/** A signal by its meaning or its name. */
export type SandboxSignal = 'terminate' | 'interrupt' | 'kill' | NodeJS.Signals;

const SIGNAL_NAMES: Readonly<Record<string, NodeJS.Signals>> = { terminate: 'SIGTERM', interrupt: 'SIGINT', kill: 'SIGKILL' };

/** What {@link SandboxExecution} is started with. */
export interface ExecutionOptions {
  readonly command: GuestCommand;
  readonly cwd: string;
  readonly limits: SandboxLimits;
  /** `pipe`: the execution's `stdout`/`stderr` streams and `writeStdin`; `inherit`: the host's own stdio. */
  readonly stdio: 'pipe' | 'inherit';
  readonly monitor: MonitorKind;
  readonly intervalMs: number;
  readonly stdin?: string | Uint8Array | Readable | undefined;
}

const OOM_TEXT = 'heap out of memory';
const noop = (): void => {};

/**
 * The guests still running, by process id, with whether each leads its own process group. When the host
 * process exits (however it does, short of SIGKILL), each is killed with its group: a guest in its own
 * group would otherwise outlive its host.
 */
const live = new Map<number, boolean>();
let reaperInstalled = false;
const killLive = (): void => {
  for (const [pid, group] of live) {
    try {
      process.kill(group ? -pid : pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
};

/**
 * A running guest. Streams follow Node's child-process rules: a `pipe`d guest blocks when its reader
 * stops reading (the host holds at most a stream's high-water mark), and `exited` resolves once the
 * process has exited and its output streams have closed — read them (or `resume()` them) to the end.
 */
export class SandboxExecution extends EventEmitter {
  /** The guest's stdout (empty and ended when its stdio is inherited). */
  readonly stdout: Readable;
  /** The guest's stderr (empty and ended when its stdio is inherited). */
  readonly stderr: Readable;
  /** How the guest ended; never rejects. */
  readonly exited: Promise<SandboxExit>;
  /** The guest's command line: Node, its options, Cordon's CLI, `run` and its arguments. */
  readonly spawnArgs: readonly string[];
  readonly #child: ChildProcess;
  readonly #limits: SandboxLimits;
  readonly #group: boolean;
  #monitor: Monitor | undefined;
  #stopped: { reason: LimitReason; detail: LimitDetail } | undefined;
  #sawOom = false;
  #exitedProcess = false;
  #done = false;
  #resolve!: (exit: SandboxExit) => void;

  constructor(options: ExecutionOptions) {
    super();
    this.#limits = options.limits;
    this.spawnArgs = Object.freeze([options.command.file, ...options.command.args]);
    this.exited = new Promise(resolve => { this.#resolve = resolve; });
    const piped = options.stdio === 'pipe';
    const scanStderr = options.limits.memoryMb !== undefined;
    const stdio: StdioOptions = piped ? ['pipe', 'pipe', 'pipe'] : ['inherit', 'inherit', scanStderr ? 'pipe' : 'inherit'];
    if (options.monitor === 'report') stdio.push('pipe');
    // Its own process group (POSIX): a terminal's ^C reaches the host only, which forwards it once, and
    // a limit ends the guest's children with it.
    this.#group = process.platform !== 'win32';
    process.nextTick(() => this.#emitLifecycle({ type: 'starting' }));
    this.#child = spawn(options.command.file, options.command.args, { cwd: options.cwd, env: options.command.env, stdio, detached: this.#group, windowsHide: true });
    const child = this.#child;
    child.stdin?.on('error', noop);
    if (piped && options.stdin !== undefined) this.#feed(options.stdin);
    this.stdout = child.stdout ?? Readable.from([]);
    if (child.stderr) {
      const stderr = child.stderr;
      if (piped) {
        const through = new PassThrough();
        stderr.pipe(through);
        this.stderr = through;
      } else {
        stderr.pipe(process.stderr, { end: false });
        this.stderr = Readable.from([]);
      }
      if (scanStderr) this.#scan(stderr);
    } else {
      this.stderr = Readable.from([]);
    }
    child.once('spawn', () => {
      this.#emitLifecycle({ type: 'ready', pid: child.pid! });
    });
    child.once('error', error => {
      // Spawning failed (e.g. no such cwd): there is no process to wait for.
      if (child.pid === undefined) this.#finish(null, null, error);
    });
    child.once('exit', () => {
      this.#exitedProcess = true;
      if (child.pid !== undefined) live.delete(child.pid);
      this.#monitor?.stop();
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => this.#finish(code, signal));
    if (child.pid !== undefined) {
      live.set(child.pid, this.#group);
      if (!reaperInstalled) {
        reaperInstalled = true;
        process.on('exit', killLive);
      }
      const onSample = (sample: UsageSample): void => this.#check(sample);
      this.#monitor = options.monitor === 'proc'
        ? watchProc(child.pid, options.intervalMs, onSample)
        : watchReports(child.stdio[REPORT_FD] as Readable, onSample);
    }
  }

  /** The guest's process id (undefined if it could not be spawned). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The latest usage sample the monitor took. */
  usage(): UsageSample | undefined {
    return this.#monitor?.latest();
  }

  /** Writes to the guest's stdin (false: wait for the stdin stream's `drain`, as with any stream). */
  writeStdin(data: string | Uint8Array): boolean {
    const stdin = this.#child.stdin;
    if (!stdin || stdin.destroyed || stdin.writableEnded) return false;
    return stdin.write(data);
  }

  /** Ends the guest's stdin (it reads end-of-file). */
  closeStdin(): void {
    this.#child.stdin?.end();
  }

  /** Sends the guest a signal (default `terminate`, SIGTERM). False if it has already exited. */
  kill(signal: SandboxSignal = 'terminate'): boolean {
    if (this.#exitedProcess || this.#child.pid === undefined) return false;
    const name = Object.hasOwn(SIGNAL_NAMES, signal) ? SIGNAL_NAMES[signal]! : (signal as NodeJS.Signals);
    try {
      return this.#child.kill(name);
    } catch {
      return false;
    }
  }

  override on(event: 'lifecycle', listener: (event: LifecycleEvent) => void): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.on(event, listener);
  }

  #emitLifecycle(event: LifecycleEvent): void {
    this.emit('lifecycle', Object.freeze(event));
  }

  #feed(input: string | Uint8Array | Readable): void {
    const stdin = this.#child.stdin;
    if (!stdin) return;
    if (input instanceof Readable) {
      input.on('error', () => stdin.end());
      input.pipe(stdin);
    } else {
      stdin.end(input);
    }
  }

  /** Watches stderr for V8's out-of-memory report (a text split across chunks included). */
  #scan(stderr: Readable): void {
    let tail = '';
    stderr.on('data', (chunk: Buffer) => {
      if (this.#sawOom) return;
      const text = tail + chunk.toString('latin1');
      if (text.includes(OOM_TEXT)) this.#sawOom = true;
      tail = text.slice(-OOM_TEXT.length);
    });
  }

  #check(sample: UsageSample): void {
    const { cpuSeconds } = this.#limits;
    const ceiling = rssCeilingBytes(this.#limits);
    if (cpuSeconds !== undefined && sample.cpuSeconds > cpuSeconds) this.#stop('cpu', { cpuSeconds: sample.cpuSeconds });
    else if (ceiling !== undefined && sample.rssBytes > ceiling) this.#stop('memory', { rssBytes: sample.rssBytes });
  }

  /** Ends the guest (and its process group) with SIGKILL, recording why. */
  #stop(reason: LimitReason, detail: LimitDetail): void {
    if (this.#stopped !== undefined || this.#exitedProcess) return;
    this.#stopped = { reason, detail };
    this.#monitor?.stop();
    const pid = this.#child.pid!;
    try {
      if (this.#group) process.kill(-pid, 'SIGKILL');
      else this.#child.kill('SIGKILL');
    } catch {
      try {
        this.#child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  #finish(code: number | null, signal: NodeJS.Signals | null, error?: Error): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#monitor !== undefined) this.#monitor.stop();
    const latest = this.#monitor?.latest();
    const usage = Object.freeze({ cpuSeconds: latest?.cpuSeconds ?? 0, peakRssMb: Math.round((this.#monitor?.peakRssBytes() ?? 0) / (1024 * 1024)) });
    let exit: SandboxExit;
    const aborted = signal === 'SIGABRT' || code === 134;
    if (error !== undefined) {
      exit = { code: 1, signal: null, error, message: `the application could not be started: ${error.message}`, usage };
    } else if (this.#stopped !== undefined) {
      const { reason, detail } = this.#stopped;
      exit = { code: reason === 'memory' ? EXIT_MEMORY : EXIT_CPU, signal, reason, message: limitMessage(reason, this.#limits, detail), usage };
    } else if (aborted && this.#sawOom && this.#limits.memoryMb !== undefined) {
      exit = { code: EXIT_MEMORY, signal, reason: 'memory', message: limitMessage('memory', this.#limits, { heap: true }), usage };
    } else if (signal !== null) {
      exit = { code: 128 + (os.constants.signals[signal] ?? 0), signal, usage };
    } else {
      exit = { code: code ?? 1, signal: null, usage };
    }
    const frozen = Object.freeze(exit);
    this.#emitLifecycle({ type: 'terminated', ...frozen });
    this.#resolve(frozen);
  }
}
