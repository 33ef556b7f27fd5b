/**
 * Node-shaped timers on the virtual scheduler (`deterministic-scheduler.ts`): the globals
 * `setTimeout`/`setInterval`/`setImmediate`/`clear*`, the `timers` builtin and `timers/promises`.
 * Timer objects keep Node's shape (`ref`, `unref`, `hasRef`, `refresh`, `close`,
 * `[Symbol.toPrimitive]` — the id `clearTimeout` also accepts — and `[Symbol.dispose]`), so
 * libraries that `unref()` a timer or keep its number work unchanged.
 */
import type { ScheduledEntry, VirtualScheduler } from './deterministic-scheduler.js';

/** Node's largest delay; larger (or non-positive, or not a number) delays are 1 ms, as in Node. */
const TIMEOUT_MAX = 2 ** 31 - 1;

export interface DeterministicTimerFunctions {
  readonly setTimeout: (callback: (...args: any[]) => void, delay?: number, ...args: any[]) => object;
  readonly setInterval: (callback: (...args: any[]) => void, delay?: number, ...args: any[]) => object;
  readonly setImmediate: (callback: (...args: any[]) => void, ...args: any[]) => object;
  readonly clearTimeout: (timer: unknown) => void;
  readonly clearInterval: (timer: unknown) => void;
  readonly clearImmediate: (immediate: unknown) => void;
}

/** `timers/promises`. */
export interface DeterministicTimerPromises {
  readonly setTimeout: <T = void>(delay?: number, value?: T, options?: TimerPromiseOptions) => Promise<T>;
  readonly setImmediate: <T = void>(value?: T, options?: TimerPromiseOptions) => Promise<T>;
  readonly setInterval: <T = void>(delay?: number, value?: T, options?: TimerPromiseOptions) => AsyncIterableIterator<T>;
  readonly scheduler: { readonly wait: (delay: number, options?: TimerPromiseOptions) => Promise<void>; readonly yield: () => Promise<void> };
}

export interface TimerPromiseOptions {
  readonly signal?: AbortSignal | undefined;
  readonly ref?: boolean | undefined;
}

const invalidArgType = (name: string, expected: string, actual: unknown): TypeError => {
  const error = new TypeError(`The "${name}" argument must be of type ${expected}. Received ${actual === null ? 'null' : typeof actual}`) as TypeError & { code: string };
  error.code = 'ERR_INVALID_ARG_TYPE';
  return error;
};

const abortError = (signal: AbortSignal): Error => {
  const error = new Error('The operation was aborted', { cause: signal.reason }) as Error & { code: string };
  error.name = 'AbortError';
  error.code = 'ABORT_ERR';
  return error;
};

const coerceDelay = (given: unknown): number => {
  const delay = Number(given);
  return delay >= 1 && delay <= TIMEOUT_MAX ? delay : 1;
};

/** `util.promisify.custom`. */
const PROMISIFY_CUSTOM = Symbol.for('nodejs.util.promisify.custom');

const dispose: symbol | undefined = (Symbol as unknown as { dispose?: symbol }).dispose;

/** The timers of one deterministic host. */
export const makeDeterministicTimers = (scheduler: VirtualScheduler): { functions: DeterministicTimerFunctions; builtin: Record<string, unknown>; promises: DeterministicTimerPromises } => {
  let nextId = 0;
  const byId = new Map<number, Timeout>();
  const timerEntries = new WeakMap<object, ScheduledEntry>();
  const immediateEntries = new WeakMap<object, ScheduledEntry>();

  class Timeout {
    readonly #id = ++nextId;
    ref(): this { scheduler.setRef(timerEntries.get(this)!, true); return this; }
    unref(): this { scheduler.setRef(timerEntries.get(this)!, false); return this; }
    hasRef(): boolean { return timerEntries.get(this)!.ref; }
    refresh(): this { scheduler.refresh(timerEntries.get(this)!); return this; }
    close(): this { clearTimer(this); return this; }
    [Symbol.toPrimitive](): number {
      byId.set(this.#id, this);
      return this.#id;
    }
  }
  class Immediate {
    ref(): this { scheduler.setRef(immediateEntries.get(this)!, true); return this; }
    unref(): this { scheduler.setRef(immediateEntries.get(this)!, false); return this; }
    hasRef(): boolean { return immediateEntries.get(this)!.ref; }
  }
  if (dispose !== undefined) {
    Object.defineProperty(Timeout.prototype, dispose, { value(this: Timeout) { clearTimer(this); }, writable: true, configurable: true });
    Object.defineProperty(Immediate.prototype, dispose, { value(this: Immediate) { clearImmediate(this); }, writable: true, configurable: true });
  }
  Object.freeze(Timeout.prototype);
  Object.freeze(Immediate.prototype);

  const timer = (kind: 'timeout' | 'interval', callback: unknown, delay: unknown, args: unknown[]): Timeout => {
    if (typeof callback !== 'function') throw invalidArgType('callback', 'function', callback);
    const made = new Timeout();
    const entry = scheduler.schedule(kind, coerceDelay(delay), () => {
      if (kind === 'timeout') byId.delete(Number(made[Symbol.toPrimitive]()));
      Reflect.apply(callback, made, args);
    });
    timerEntries.set(made, entry);
    return made;
  };

  const clearTimer = (given: unknown): void => {
    let found: unknown = given;
    if (typeof given === 'number' || typeof given === 'string') {
      found = byId.get(Number(given));
      byId.delete(Number(given));
    }
    const entry = found !== null && typeof found === 'object' ? timerEntries.get(found) : undefined;
    if (entry !== undefined) scheduler.cancel(entry);
  };

  const setImmediate = (callback: unknown, ...args: unknown[]): Immediate => {
    if (typeof callback !== 'function') throw invalidArgType('callback', 'function', callback);
    const made = new Immediate();
    immediateEntries.set(made, scheduler.immediate(() => Reflect.apply(callback, made, args)));
    return made;
  };
  const clearImmediate = (given: unknown): void => {
    const entry = given !== null && typeof given === 'object' ? immediateEntries.get(given) : undefined;
    if (entry !== undefined) scheduler.cancel(entry);
  };

  const functions: DeterministicTimerFunctions = Object.freeze({
    setTimeout: (callback: (...args: any[]) => void, delay?: number, ...args: any[]) => timer('timeout', callback, delay, args),
    setInterval: (callback: (...args: any[]) => void, delay?: number, ...args: any[]) => timer('interval', callback, delay, args),
    setImmediate,
    clearTimeout: clearTimer,
    clearInterval: clearTimer,
    clearImmediate,
  });

  const checkOptions = (options: unknown): TimerPromiseOptions => {
    if (options === undefined) return {};
    if (options === null || typeof options !== 'object') throw invalidArgType('options', 'object', options);
    const { signal, ref } = options as TimerPromiseOptions;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArgType('options.signal', 'AbortSignal', signal);
    if (ref !== undefined && typeof ref !== 'boolean') throw invalidArgType('options.ref', 'boolean', ref);
    return { signal, ref };
  };

  /** One promise settled by a virtual callback, cancelled by the signal. */
  const settleLater = <T>(start: (done: () => void) => object, cancel: (handle: object) => void, value: T, given: unknown): Promise<T> => {
    let options: TimerPromiseOptions;
    try {
      options = checkOptions(given);
    } catch (error) {
      return Promise.reject(error);
    }
    const { signal, ref } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        cancel(handle);
        reject(abortError(signal!));
      };
      const handle = start(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      }) as { unref(): unknown };
      if (ref === false) handle.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  };

  const promiseTimeout = <T>(delay?: number, value?: T, options?: TimerPromiseOptions): Promise<T> =>
    settleLater(done => functions.setTimeout(done, delay), clearTimer, value as T, options);
  const promiseImmediate = <T>(value?: T, options?: TimerPromiseOptions): Promise<T> =>
    settleLater(done => setImmediate(done), clearImmediate, value as T, options);

  const promiseInterval = <T>(delay?: number, value?: T, given?: TimerPromiseOptions): AsyncIterableIterator<T> => {
    const { signal, ref } = checkOptions(given);
    let ticks = 0;
    let done = false;
    let waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | undefined;
    let handle: Timeout | undefined;
    const finish = (): void => {
      done = true;
      if (handle !== undefined) clearTimer(handle);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      finish();
      const pending = waiting;
      waiting = undefined;
      pending?.reject(abortError(signal!));
    };
    if (!signal?.aborted) {
      handle = functions.setInterval(() => {
        ticks += 1;
        if (waiting !== undefined) {
          const pending = waiting;
          waiting = undefined;
          ticks -= 1;
          pending.resolve({ value: value as T, done: false });
        }
      }, delay) as Timeout;
      if (ref === false) handle.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
    }
    const iterator: AsyncIterableIterator<T> = {
      next: (): Promise<IteratorResult<T>> => {
        if (signal?.aborted) {
          finish();
          return Promise.reject(abortError(signal));
        }
        if (done) return Promise.resolve({ value: undefined as T, done: true });
        if (ticks > 0) {
          ticks -= 1;
          return Promise.resolve({ value: value as T, done: false });
        }
        return new Promise((resolve, reject) => { waiting = { resolve, reject }; });
      },
      return: (): Promise<IteratorResult<T>> => {
        finish();
        const pending = waiting;
        waiting = undefined;
        pending?.resolve({ value: undefined as T, done: true });
        return Promise.resolve({ value: undefined as T, done: true });
      },
      [Symbol.asyncIterator]() { return iterator; },
    };
    return iterator;
  };

  const promises: DeterministicTimerPromises = Object.freeze({
    setTimeout: promiseTimeout,
    setImmediate: promiseImmediate,
    setInterval: promiseInterval,
    scheduler: Object.freeze({
      wait: (delay: number, options?: TimerPromiseOptions) => promiseTimeout<void>(delay, undefined, options),
      yield: () => promiseImmediate<void>(),
    }),
  });

  // As Node's: util.promisify(setTimeout) and util.promisify(setImmediate) are the promise forms.
  Object.defineProperty(functions.setTimeout, PROMISIFY_CUSTOM, { value: promises.setTimeout, enumerable: false });
  Object.defineProperty(functions.setImmediate, PROMISIFY_CUSTOM, { value: promises.setImmediate, enumerable: false });
  Object.freeze(functions.setTimeout);
  Object.freeze(functions.setImmediate);

  const builtin: Record<string, unknown> = Object.freeze({ ...functions, promises });
  return { functions, builtin, promises };
};
