/**
 * A per-compartment `Error` with V8's stack API. Inside SES compartments `Error` is SES's shared
 * constructor, which ignores `Error.prepareStackTrace`; packages such as depd (hence express) read
 * call sites through it. Each compartment gets its own constructor: it makes ordinary errors (same
 * `Error.prototype`, so `instanceof` holds across compartments), and keeps its own
 * `prepareStackTrace` and `stackTraceLimit`, applied only while its `captureStackTrace` formats a
 * stack, so one package's settings never leak into another's.
 */

type PrepareStackTrace = (error: Error, callSites: unknown[]) => unknown;

interface V8ErrorConstructor {
  readonly prototype: Error;
  prepareStackTrace: PrepareStackTrace | undefined;
  stackTraceLimit: number;
  captureStackTrace(target: object, constructorOpt?: Function): void;
}

/** `HostError`: an `Error` constructor on which V8's stack API works (the start compartment's, after `lockdown({ errorTaming: 'unsafe' })`). */
export const makeCompartmentError = (HostError: ErrorConstructor): ErrorConstructor => {
  const host = HostError as unknown as V8ErrorConstructor;
  const state: { prepareStackTrace: PrepareStackTrace | undefined; stackTraceLimit: number } = {
    prepareStackTrace: undefined,
    stackTraceLimit: host.stackTraceLimit,
  };
  function Error(this: unknown, ...args: [message?: string, options?: ErrorOptions]): Error {
    return Reflect.construct(HostError, args, new.target ?? Error) as Error;
  }
  Object.defineProperties(Error, {
    prototype: { value: host.prototype, writable: false, enumerable: false, configurable: false },
    prepareStackTrace: {
      get: () => state.prepareStackTrace,
      set: (value: PrepareStackTrace | undefined) => {
        state.prepareStackTrace = typeof value === 'function' ? value : undefined;
      },
      enumerable: false,
      configurable: false,
    },
    stackTraceLimit: {
      get: () => state.stackTraceLimit,
      set: (value: number) => {
        if (typeof value === 'number') state.stackTraceLimit = value;
      },
      enumerable: false,
      configurable: false,
    },
    captureStackTrace: {
      value: function captureStackTrace(target: object, constructorOpt?: Function): void {
        const saved = { prepareStackTrace: host.prepareStackTrace, stackTraceLimit: host.stackTraceLimit };
        try {
          if (state.prepareStackTrace) host.prepareStackTrace = state.prepareStackTrace;
          host.stackTraceLimit = state.stackTraceLimit;
          host.captureStackTrace(target, constructorOpt ?? captureStackTrace);
          // V8 formats the stack when it is first read: read it while this compartment's settings hold.
          const stack = (target as { stack?: unknown }).stack;
          Object.defineProperty(target, 'stack', { value: stack, writable: true, enumerable: false, configurable: true });
        } finally {
          host.prepareStackTrace = saved.prepareStackTrace;
          host.stackTraceLimit = saved.stackTraceLimit;
        }
      },
      writable: true,
      enumerable: false,
      configurable: true,
    },
  });
  return Error as unknown as ErrorConstructor;
};
