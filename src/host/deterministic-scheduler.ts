/**
 * The virtual clock and timer scheduler of a `--deterministic` run.
 *
 * Guest timers never touch the host's timers: they wait in this scheduler, which runs them as a
 * Node event loop would, in virtual time. One turn of the virtual loop is a *timers* phase (every
 * timer due by the virtual clock, in (due time, insertion) order) and then a *check* phase (the
 * immediates queued before it began, in order). The scheduler is driven by one real `setImmediate`
 * at a time and runs ONE guest callback per real tick, so process.nextTick callbacks and microtasks
 * run between two guest callbacks as in Node, and every real I/O callback that is ready runs before
 * the next virtual one.
 *
 * When a turn ends with nothing due:
 * - immediates still queued (a `setImmediate` loop): the clock moves 1 virtual ms, so such a loop
 *   cannot starve timers;
 * - otherwise, when the host has no real I/O in flight (no active handle but stdout/stderr, no
 *   active request — `process._getActiveHandles`/`_getActiveRequests`): the clock JUMPS to the next
 *   timer's due time; a program that only computes and waits runs as fast as it can, and the same
 *   program prints the same bytes every time;
 * - while real I/O is in flight (a socket, a server, a file read, a child): virtual time runs at real
 *   speed until the next timer is due, so a 5 s timeout around a request still waits 5 s for it, and
 *   a server's `setInterval` does not spin. Reads of the clock in that state follow real time (whole
 *   ms): output that depends on real I/O is as deterministic as the I/O.
 *
 * A timer that is `unref`'d does not keep the process alive: the real tick driving the scheduler is
 * itself unref'd when every pending virtual callback is.
 */
import { setImmediate as realSetImmediate, clearImmediate as realClearImmediate, setTimeout as realSetTimeout, clearTimeout as realClearTimeout } from 'node:timers';
import { performance as realPerformance } from 'node:perf_hooks';

/** One pending callback: a timeout, an interval or an immediate. */
export interface ScheduledEntry {
  readonly kind: 'timeout' | 'interval' | 'immediate';
  /** Virtual ms (for timers) between scheduling and firing. */
  readonly delay: number;
  /** Due time in virtual ms since the start (timers). */
  due: number;
  /** Insertion order (the tie-break among timers due at once); renewed by `refresh` and each interval turn. */
  seq: number;
  active: boolean;
  ref: boolean;
  /** Calls the guest's callback. */
  readonly run: () => void;
}

export interface VirtualScheduler {
  /** Virtual ms since the start. */
  now(): number;
  /** A timer `delay` virtual ms from now (`kind` interval: repeated until cancelled). */
  schedule(kind: 'timeout' | 'interval', delay: number, run: () => void): ScheduledEntry;
  /** An immediate (the next check phase). */
  immediate(run: () => void): ScheduledEntry;
  cancel(entry: ScheduledEntry): void;
  /** Restarts a timer's delay from now (as `timeout.refresh()`). */
  refresh(entry: ScheduledEntry): void;
  setRef(entry: ScheduledEntry, ref: boolean): void;
  /** How many callbacks are pending (for tests and diagnostics). */
  pending(): number;
}

type HandleLister = () => unknown[];

const captureLister = (name: '_getActiveHandles' | '_getActiveRequests'): HandleLister | undefined => {
  const lister = (process as unknown as Record<string, unknown>)[name];
  return typeof lister === 'function' ? () => Reflect.apply(lister, process, []) as unknown[] : undefined;
};

/** Whether the host has real I/O in flight, other than stdout and stderr (always open). */
const makeIoProbe = (): (() => boolean) => {
  const handles = captureLister('_getActiveHandles');
  const requests = captureLister('_getActiveRequests');
  const { stdout, stderr } = process;
  return () => {
    if (requests !== undefined && requests().length > 0) return true;
    if (handles === undefined) return false;
    for (const handle of handles()) {
      if (handle !== stdout && handle !== stderr) return true;
    }
    return false;
  };
};

/** The scheduler; `ioPending` replaces the real-I/O probe (tests). */
export const makeVirtualScheduler = (options: { ioPending?: () => boolean } = {}): VirtualScheduler => {
  const ioPending = options.ioPending ?? makeIoProbe();
  const realNow = (): number => realPerformance.now();
  let clock = 0;
  let seq = 0;
  let active = 0;
  let referenced = 0;
  // Timers: a binary heap ordered by (due, seq); cancelled or rescheduled nodes are dropped lazily.
  const heap: { due: number; seq: number; entry: ScheduledEntry }[] = [];
  let immediates: ScheduledEntry[] = [];
  let batch: ScheduledEntry[] = [];
  let phase: 'timers' | 'check' = 'timers';
  // Real-speed mode: virtual time follows real time from `anchor` until `cap` (the next due time).
  let anchor: { real: number; virtual: number; cap: number } | undefined;
  let armed: { kind: 'immediate' | 'timeout'; handle: any } | undefined;

  const before = (a: { due: number; seq: number }, b: { due: number; seq: number }): boolean => a.due < b.due || (a.due === b.due && a.seq < b.seq);
  const push = (entry: ScheduledEntry): void => {
    const node = { due: entry.due, seq: entry.seq, entry };
    heap.push(node);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const popTop = (): void => {
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  const live = (node: { due: number; seq: number; entry: ScheduledEntry }): boolean => node.entry.active && node.entry.due === node.due && node.entry.seq === node.seq;
  const head = (): ScheduledEntry | undefined => {
    while (heap.length > 0 && !live(heap[0]!)) popTop();
    return heap[0]?.entry;
  };

  const now = (): number => (anchor === undefined ? clock : Math.min(anchor.cap, anchor.virtual + Math.floor(realNow() - anchor.real)));
  /** Ends real-speed mode, keeping the virtual time it reached. */
  const settle = (): void => {
    if (anchor !== undefined) {
      clock = now();
      anchor = undefined;
    }
  };

  const disarm = (): void => {
    if (armed === undefined) return;
    if (armed.kind === 'immediate') realClearImmediate(armed.handle);
    else realClearTimeout(armed.handle);
    armed = undefined;
  };
  const arm = (): void => {
    if (active === 0) {
      disarm();
      settle();
      return;
    }
    // A callback scheduled while waiting in real-speed mode: look again at once.
    if (armed?.kind === 'timeout') disarm();
    if (armed === undefined) armed = { kind: 'immediate', handle: realSetImmediate(drive) };
    if (referenced > 0) armed.handle.ref();
    else armed.handle.unref();
  };
  const waitReal = (ms: number): void => {
    const handle = realSetTimeout(drive, ms);
    if (referenced === 0) handle.unref();
    armed = { kind: 'timeout', handle };
  };

  const release = (entry: ScheduledEntry): void => {
    if (!entry.active) return;
    entry.active = false;
    active -= 1;
    if (entry.ref) referenced -= 1;
  };

  const fire = (entry: ScheduledEntry): void => {
    const turn = entry.seq;
    if (entry.kind !== 'interval') release(entry);
    try {
      entry.run();
    } finally {
      // An interval comes back after its callback (unless cleared or refreshed during it).
      if (entry.kind === 'interval' && entry.active && entry.seq === turn) {
        entry.due = clock + entry.delay;
        entry.seq = ++seq;
        push(entry);
      }
      arm();
    }
  };

  function drive(): void {
    armed = undefined;
    settle();
    if (phase === 'timers') {
      const next = head();
      if (next !== undefined && next.due <= clock) return fire(next);
      phase = 'check';
      batch = immediates;
      immediates = [];
    }
    while (batch.length > 0) {
      const entry = batch.shift()!;
      if (entry.active) return fire(entry);
    }
    phase = 'timers';
    if (immediates.some(entry => entry.active)) {
      clock += 1;
      return arm();
    }
    const next = head();
    if (next === undefined) return arm();
    if (!ioPending()) {
      clock = next.due;
      return arm();
    }
    anchor = { real: realNow(), virtual: clock, cap: next.due };
    waitReal(next.due - clock);
  }

  const add = (entry: ScheduledEntry): ScheduledEntry => {
    active += 1;
    referenced += 1;
    arm();
    return entry;
  };

  return Object.freeze({
    now,
    schedule: (kind: 'timeout' | 'interval', delay: number, run: () => void): ScheduledEntry => {
      const entry: ScheduledEntry = { kind, delay, due: now() + delay, seq: ++seq, active: true, ref: true, run };
      push(entry);
      return add(entry);
    },
    immediate: (run: () => void): ScheduledEntry => {
      const entry: ScheduledEntry = { kind: 'immediate', delay: 0, due: now(), seq: ++seq, active: true, ref: true, run };
      immediates.push(entry);
      return add(entry);
    },
    cancel: (entry: ScheduledEntry): void => {
      release(entry);
      arm();
    },
    refresh: (entry: ScheduledEntry): void => {
      if (!entry.active || entry.kind === 'immediate') return;
      entry.due = now() + entry.delay;
      entry.seq = ++seq;
      push(entry);
      arm();
    },
    setRef: (entry: ScheduledEntry, ref: boolean): void => {
      if (entry.ref === ref) return;
      entry.ref = ref;
      if (entry.active) referenced += ref ? 1 : -1;
      if (entry.active) arm();
    },
    pending: () => active,
  });
};
