/**
 * `cordon run --deterministic[=SEED]`: the replacements every compartment gets so that two runs of
 * the same program print the same bytes — a virtual clock (`Date`, `performance.now`,
 * `process.hrtime`), seeded randomness (`Math.random`, `crypto.getRandomValues`/`randomUUID`, the
 * `crypto` builtin's `randomBytes`/`randomInt`/`randomUUID`/`randomFill[Sync]`) and timers that run
 * in virtual time (see `deterministic-scheduler.ts` for the loop, and how it meets real I/O).
 *
 * One host per run: every compartment gets the same objects (one clock, one scheduler, one stream
 * of random numbers per purpose), so the whole program sees one consistent virtual world.
 *
 * Not covered (their values still come from the host): `Intl.DateTimeFormat().format()` with no
 * date, `AbortSignal.timeout`, file times from `fs.stat`, `os.uptime`, key and prime generation, and
 * the local time zone (`new Date().toString()` depends on `TZ`: set `TZ=UTC` for byte-equal output).
 */
import realCrypto from 'node:crypto';
import realPerfHooks from 'node:perf_hooks';
import { makeSeededRandom, type DeterministicSeed, type SeededRandom } from './deterministic-random.js';
import { makeVirtualScheduler, type VirtualScheduler } from './deterministic-scheduler.js';
import { makeDeterministicTimers, type DeterministicTimerFunctions, type DeterministicTimerPromises } from './deterministic-timers.js';
import { makeDeterministicDate, makeDeterministicMath, makeDeterministicPerformance, makeDeterministicWebCrypto, type VirtualClock } from './deterministic-globals.js';
import { makeDeterministicCrypto } from './deterministic-crypto.js';

export type { DeterministicSeed, SeededRandom } from './deterministic-random.js';
export type { VirtualScheduler, ScheduledEntry } from './deterministic-scheduler.js';
export type { DeterministicTimerFunctions, DeterministicTimerPromises, TimerPromiseOptions } from './deterministic-timers.js';
export type { VirtualClock } from './deterministic-globals.js';

/** 2020-01-01T00:00:00.000Z: where the virtual clock starts unless told. */
export const DEFAULT_DETERMINISTIC_START = Date.UTC(2020, 0, 1);

export interface DeterministicOptions {
  /** The seed (`--deterministic=SEED`); absent: `0`. */
  readonly seed?: DeterministicSeed | undefined;
  /** The virtual clock's start: ms since 1970, a date string, or a Date (default 2020-01-01T00:00:00Z). */
  readonly start?: number | string | Date | undefined;
  /** Replaces the scheduler's probe for real I/O in flight (tests). */
  readonly ioPending?: (() => boolean) | undefined;
}

/** The globals every compartment of a deterministic run gets in place of the host's. */
export interface DeterministicGlobals extends DeterministicTimerFunctions {
  readonly Date: DateConstructor;
  readonly Math: Math;
  readonly performance: Readonly<Record<string, unknown>>;
  readonly crypto: Readonly<Record<string, unknown>>;
}

/** The builtins (names without `node:`) every package of a deterministic run gets in place of the host's. */
export interface DeterministicBuiltins {
  readonly timers: Readonly<Record<string, unknown>>;
  readonly 'timers/promises': DeterministicTimerPromises;
  readonly crypto: Readonly<Record<string, unknown>>;
  readonly perf_hooks: Readonly<Record<string, unknown>>;
}

/** `process.hrtime` on the virtual clock (for the guest `process`). */
export interface VirtualHrtime {
  (previous?: readonly [number, number]): [number, number];
  bigint(): bigint;
}

export interface DeterministicHost {
  /** The seed as text (`42` and `'42'` are one seed). */
  readonly seed: string;
  readonly clock: VirtualClock;
  readonly scheduler: VirtualScheduler;
  readonly globals: DeterministicGlobals;
  readonly builtins: DeterministicBuiltins;
  /** For the guest `process`: `hrtime`, `hrtime.bigint` and `uptime` on the virtual clock. */
  readonly process: { readonly hrtime: VirtualHrtime; readonly uptime: () => number };
  /** A seeded stream for another consumer (`wasi` for WASI's `random_get`). */
  random(purpose: string): SeededRandom;
}

const startOf = (given: DeterministicOptions['start']): number => {
  if (given === undefined) return DEFAULT_DETERMINISTIC_START;
  const value = given instanceof Date ? given.getTime() : typeof given === 'number' ? given : Date.parse(given);
  if (!Number.isFinite(value)) throw new TypeError(`invalid start for the virtual clock: ${String(given)}`);
  return value;
};

/** The replacements for one deterministic run. */
export const makeDeterministicHost = (options: DeterministicOptions = {}): DeterministicHost => {
  const seed = String(options.seed ?? 0);
  const start = startOf(options.start);
  const scheduler = makeVirtualScheduler(options.ioPending === undefined ? {} : { ioPending: options.ioPending });
  const clock: VirtualClock = Object.freeze({ start, epoch: () => start + scheduler.now(), monotonic: () => scheduler.now() });
  const streams = new Map<string, SeededRandom>();
  const random = (purpose: string): SeededRandom => {
    let stream = streams.get(purpose);
    if (stream === undefined) {
      stream = makeSeededRandom(seed, purpose);
      streams.set(purpose, stream);
    }
    return stream;
  };

  const timers = makeDeterministicTimers(scheduler);
  const performance = makeDeterministicPerformance(clock);
  const webcrypto = makeDeterministicWebCrypto(random('crypto'), realCrypto.webcrypto as { subtle?: unknown });
  const later = (run: () => void): void => { scheduler.immediate(run); };

  const globals: DeterministicGlobals = Object.freeze({
    ...timers.functions,
    Date: makeDeterministicDate(clock),
    Math: makeDeterministicMath(random('math')),
    performance,
    crypto: webcrypto,
  });

  const perfHooks: Record<string, unknown> = Object.create(Object.getPrototypeOf(realPerfHooks));
  for (const key of Object.keys(realPerfHooks)) perfHooks[key] = (realPerfHooks as unknown as Record<string, unknown>)[key];
  perfHooks.performance = performance;

  const builtins: DeterministicBuiltins = Object.freeze({
    timers: timers.builtin,
    'timers/promises': timers.promises,
    crypto: makeDeterministicCrypto(realCrypto as unknown as Record<string, unknown>, random('crypto'), webcrypto, later),
    perf_hooks: Object.freeze(perfHooks),
  });

  const hrtimeOf = (): [number, number] => {
    const ns = Math.round(scheduler.now() * 1e6);
    return [Math.floor(ns / 1e9), ns % 1e9];
  };
  const hrtime = ((previous?: readonly [number, number]): [number, number] => {
    const [s, n] = hrtimeOf();
    if (previous === undefined) return [s, n];
    let ds = s - previous[0];
    let dn = n - previous[1];
    if (dn < 0) {
      ds -= 1;
      dn += 1e9;
    }
    return [ds, dn];
  }) as VirtualHrtime;
  hrtime.bigint = () => BigInt(Math.round(scheduler.now() * 1e6));
  Object.freeze(hrtime);

  return Object.freeze({
    seed,
    clock,
    scheduler,
    globals,
    builtins,
    process: Object.freeze({ hrtime, uptime: () => scheduler.now() / 1000 }),
    random,
  });
};
