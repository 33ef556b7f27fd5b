/**
 * The clock and randomness globals of a `--deterministic` run: `Date`, `Math`, `performance` and
 * the web `crypto`, each a fresh object built from the host's (captured when made; the host's
 * shared objects are never changed).
 */
import type { SeededRandom } from './deterministic-random.js';

/** The virtual clock: `epoch()` is `Date.now()`'s value, `monotonic()` is `performance.now()`'s. */
export interface VirtualClock {
  /** Virtual ms since 1970 (fractional when a timer's delay was). */
  epoch(): number;
  /** Virtual ms since the run started. */
  monotonic(): number;
  /** The virtual epoch the run started at. */
  readonly start: number;
}

const domException = (message: string, name: string): Error => new DOMException(message, name);

const INTEGER_ARRAYS: readonly Function[] = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array];

/** Web Crypto's `getRandomValues` on `random` (integer typed arrays up to 65,536 bytes, as the spec says). */
export const makeGetRandomValues = (random: SeededRandom): (<T extends ArrayBufferView | null>(array: T) => T) => {
  const isIntegerArray = (value: unknown): value is ArrayBufferView => INTEGER_ARRAYS.some(kind => value instanceof (kind as any));
  return ({
    getRandomValues<T extends ArrayBufferView | null>(array: T): T {
      if (!isIntegerArray(array)) throw domException("The data argument must be an integer-type TypedArray", 'TypeMismatchError');
      if (array.byteLength > 65536) throw domException(`The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`, 'QuotaExceededError');
      random.fill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      return array;
    },
  }).getRandomValues;
};

/**
 * A `Date` reading the virtual clock: `new Date()`, `Date()` and `Date.now()`. It shares the
 * host's `Date.prototype` (so `instanceof Date` holds for host-made dates too); `Date.parse` and
 * `Date.UTC` are the host's.
 */
export const makeDeterministicDate = (clock: VirtualClock): DateConstructor => {
  const RealDate = Date;
  const now = (): number => Math.floor(clock.epoch());
  function DeterministicDate(this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) return new RealDate(now()).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [now()] : args, new.target);
  }
  Object.defineProperties(DeterministicDate, {
    name: { value: 'Date' },
    length: { value: 7 },
    prototype: { value: RealDate.prototype, writable: false },
    now: { value: ({ now() { return now(); } }).now, writable: true, configurable: true },
    parse: { value: RealDate.parse, writable: true, configurable: true },
    UTC: { value: RealDate.UTC, writable: true, configurable: true },
  });
  return Object.freeze(DeterministicDate) as unknown as DateConstructor;
};

/** The host's `Math` with `random()` from `random`. */
export const makeDeterministicMath = (random: SeededRandom): Math => {
  const descriptors = Object.getOwnPropertyDescriptors(Math);
  const own = { random(): number { return random.nextFloat(); } };
  const math = Object.create(Object.getPrototypeOf(Math), { ...descriptors, random: { ...descriptors.random, value: own.random } });
  return Object.freeze(math) as Math;
};

interface EntryRecord {
  readonly name: string;
  readonly entryType: 'mark' | 'measure';
  readonly startTime: number;
  readonly duration: number;
  readonly detail: unknown;
}

/** A `performance` whose `now()` is virtual ms since the start and `timeOrigin` the virtual start; marks and measures in virtual time too. */
export const makeDeterministicPerformance = (clock: VirtualClock): Record<string, unknown> => {
  const entries: EntryRecord[] = [];
  const record = (entry: EntryRecord): EntryRecord => {
    const frozen = Object.freeze({ ...entry, toJSON: () => ({ ...entry }) });
    entries.push(frozen);
    return frozen;
  };
  const timeOf = (given: unknown, name: string): number => {
    if (given === undefined) return clock.monotonic();
    if (typeof given === 'number') return given;
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const entry = entries[i]!;
      if (entry.entryType === 'mark' && entry.name === given) return entry.startTime;
    }
    throw domException(`The "${String(given)}" performance mark has not been set (${name})`, 'SyntaxError');
  };
  const remove = (type: 'mark' | 'measure', name: unknown): void => {
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const entry = entries[i]!;
      if (entry.entryType === type && (name === undefined || entry.name === name)) entries.splice(i, 1);
    }
  };
  const performance = {
    timeOrigin: clock.start,
    now: (): number => clock.monotonic(),
    mark: (name: string, options?: { startTime?: number; detail?: unknown }): EntryRecord =>
      record({ name: String(name), entryType: 'mark', startTime: options?.startTime ?? clock.monotonic(), duration: 0, detail: options?.detail ?? null }),
    measure: (name: string, start?: string | { start?: string | number; end?: string | number; detail?: unknown }, end?: string): EntryRecord => {
      const options = typeof start === 'object' && start !== null ? start : { start, end };
      const from = options.start === undefined ? 0 : timeOf(options.start, 'start');
      const to = timeOf(options.end, 'end');
      return record({ name: String(name), entryType: 'measure', startTime: from, duration: to - from, detail: (options as { detail?: unknown }).detail ?? null });
    },
    getEntries: (): EntryRecord[] => [...entries],
    getEntriesByName: (name: string, type?: string): EntryRecord[] => entries.filter(e => e.name === name && (type === undefined || e.entryType === type)),
    getEntriesByType: (type: string): EntryRecord[] => entries.filter(e => e.entryType === type),
    clearMarks: (name?: string): void => remove('mark', name),
    clearMeasures: (name?: string): void => remove('measure', name),
    toJSON: () => ({ timeOrigin: clock.start, nodeTiming: null, eventLoopUtilization: { idle: 0, active: 0, utilization: 0 } }),
    eventLoopUtilization: () => ({ idle: 0, active: 0, utilization: 0 }),
    timerify: <F>(fn: F): F => fn,
  };
  return Object.freeze(performance);
};

/** The web `crypto` global: seeded `getRandomValues` and `randomUUID`; `subtle` is the host's (its key generation is not seeded). */
export const makeDeterministicWebCrypto = (random: SeededRandom, realCrypto: { subtle?: unknown } | undefined): Record<string, unknown> => {
  const getRandomValues = makeGetRandomValues(random);
  const own = { randomUUID(): string { return random.uuid(); } };
  return Object.freeze({ getRandomValues, randomUUID: own.randomUUID, subtle: realCrypto?.subtle });
};
