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

/**
 * Code in a compartment is evaluated, so V8's call sites for it say `isEval()` and give no
 * `getFileName()`, though its `//# sourceURL` names its file. Node's callers (depd: "deprecated, at
 * file:line") read the file name: a call site is handed over with the file name the sourceURL gives.
 */
const callSiteMethods = new WeakMap<object, readonly string[]>();
const asNodeCallSite = (site: Record<string, (...args: unknown[]) => unknown>): object => {
  const named = site.getScriptNameOrSourceURL?.call(site);
  if (typeof named !== 'string' || site.getFileName?.call(site) !== undefined || !site.isEval?.call(site)) return site;
  const prototype = Object.getPrototypeOf(site) as object;
  let methods = callSiteMethods.get(prototype);
  if (!methods) callSiteMethods.set(prototype, (methods = Object.getOwnPropertyNames(prototype).filter(name => name !== 'constructor')));
  const wrapped: Record<string, unknown> = {};
  for (const name of methods) wrapped[name] = (...args: unknown[]) => site[name]!.apply(site, args);
  wrapped.getFileName = () => named;
  wrapped.isEval = () => false;
  wrapped.getEvalOrigin = () => undefined;
  wrapped.toString = () => {
    const fn = site.getFunctionName?.call(site);
    const where = `${named}:${site.getLineNumber?.call(site)}:${site.getColumnNumber?.call(site)}`;
    return fn ? `${fn} (${where})` : where;
  };
  return Object.freeze(wrapped);
};
const withNodeCallSites = (prepare: PrepareStackTrace): PrepareStackTrace => (error, sites) => prepare(error, sites.map(site => asNodeCallSite(site as Record<string, (...args: unknown[]) => unknown>)));

/** `HostError`: an `Error` constructor on which V8's stack API works (the start compartment's, after `lockdown({ errorTaming: 'unsafe' })`). */
export const makeCompartmentError = (HostError: ErrorConstructor): ErrorConstructor => {
  const host = HostError as unknown as V8ErrorConstructor;
  const state: { prepareStackTrace: PrepareStackTrace | undefined; stackTraceLimit: number } = {
    prepareStackTrace: undefined,
    stackTraceLimit: host.stackTraceLimit,
  };
  function Error(this: unknown, ...args: [message?: string, options?: ErrorOptions]): Error {
    if (state.prepareStackTrace === undefined && state.stackTraceLimit === host.stackTraceLimit) {
      const error = Reflect.construct(HostError, args, new.target ?? Error) as Error;
      // The stack starts at the caller, as with the host's Error (not at this constructor).
      host.captureStackTrace(error, Error);
      return error;
    }
    // This compartment's settings: V8 reads the limit when the error is made and prepareStackTrace
    // when its stack is first read, both off the host's Error; read the stack now, while they hold.
    const saved = { prepareStackTrace: host.prepareStackTrace, stackTraceLimit: host.stackTraceLimit };
    try {
      host.prepareStackTrace = state.prepareStackTrace && withNodeCallSites(state.prepareStackTrace);
      host.stackTraceLimit = state.stackTraceLimit;
      const error = Reflect.construct(HostError, args, new.target ?? Error) as Error;
      host.captureStackTrace(error, Error);
      const stack = error.stack;
      Object.defineProperty(error, 'stack', { value: stack, writable: true, enumerable: false, configurable: true });
      return error;
    } finally {
      host.prepareStackTrace = saved.prepareStackTrace;
      host.stackTraceLimit = saved.stackTraceLimit;
    }
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
          if (state.prepareStackTrace) host.prepareStackTrace = withNodeCallSites(state.prepareStackTrace);
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
