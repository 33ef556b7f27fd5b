/**
 * Module evaluation with top-level await, in the order the spec (and so Node) gives it. SES executes
 * a module graph as one synchronous depth-first walk; Cordon owns every compiled module, so it runs
 * the spec's asynchronous evaluation itself (ECMA-262, "InnerModuleEvaluation", "ExecuteAsyncModule",
 * "AsyncModuleExecutionFulfilled/Rejected"), one evaluator per application:
 *
 * - Each compiled ES module reaches SES with a functor of Cordon's (`bind`). While no module of the
 *   application awaits at its top level, the functor is the compiled one and nothing else happens.
 * - Once one does, each module visits its dependencies itself, in order, before SES wires its imports
 *   (`compartment.importNow` of each: SES's `execute` is idempotent, so SES's own walk then finds
 *   them done), counts those still evaluating asynchronously, and either runs its body at once or is
 *   told to wait: the compiled program (src/compile/mjs/program.ts) yields, or awaits a promise Cordon
 *   settles when the module's turn comes. A module with top-level await runs until its first `await`
 *   when it starts, as in the spec; its completion lets the modules waiting on it run, in the order
 *   they became asynchronous; a rejection fails exactly the modules that wait on it.
 * - `settled(namespace)` is what `import()` and Cordon's own imports await after SES has executed.
 *
 * Limits (docs/ARCHITECTURE.md, "Top-level await"): a module with top-level await publishes its
 * hoisted functions when it starts, not when it is linked, so a module in a cycle with it that runs
 * first sees them uninitialised; a CommonJS `require` of an ES module graph that awaits gets Node's
 * ERR_REQUIRE_ASYNC_MODULE only after the graph has begun to evaluate.
 */
import { markEvaluatingAsync, withSpecNamespaces, type ModuleSourceRecord } from '../model/index.js';

type Status = 'evaluating' | 'evaluating-async' | 'evaluated';

interface ModuleState {
  readonly namespace: object;
  readonly hasTLA: boolean;
  status: Status;
  dfsIndex: number;
  dfsAncestorIndex: number;
  /** Dependencies still evaluating asynchronously that this module waits for. */
  pending: number;
  /** When it became asynchronous (the order waiting modules run in); 0 while it is not. */
  asyncOrder: number;
  readonly asyncParents: ModuleState[];
  cycleRoot: ModuleState | undefined;
  error: { readonly value: unknown } | undefined;
  /** Runs a waiting module's body (or lets a module with top-level await start). */
  resume: (() => void) | undefined;
  /** Refuses a waiting module with top-level await whose dependency failed. */
  cancel: ((error: unknown) => void) | undefined;
  /** A waiting module with top-level await: settles after the module has resumed at its gate. */
  started: Promise<unknown> | undefined;
  settled: { readonly promise: Promise<void>; readonly resolve: () => void; readonly reject: (error: unknown) => void } | undefined;
}

interface Walk {
  readonly stack: ModuleState[];
  index: number;
}

interface CompartmentLike {
  importNow(specifier: string): unknown;
  module(specifier: string): unknown;
}

type Environment = Readonly<Record<string, unknown>> & {
  readonly imports: (record: Iterable<[string, unknown]>) => unknown;
  readonly import?: (specifier: string) => Promise<unknown>;
};
type Functor = (environment: Environment) => unknown;

export interface ModuleEvaluation {
  /**
   * The record SES links in `compartment` under `specifier`, with a functor made by `evaluate` (the
   * compartment's own evaluator). Records that are not Cordon's precompiled ES modules are returned
   * as they are.
   */
  bind(record: ModuleSourceRecord, compartment: CompartmentLike, specifier: string, resolveHook: (specifier: string, referrer: string) => string, evaluate: (source: string) => unknown): ModuleSourceRecord;
  /** Settles once the module with this namespace has evaluated (at once unless it is still awaiting). */
  settled(namespace: unknown): Promise<void>;
}

const noop = (): void => {};

const newState = (namespace: object, hasTLA: boolean): ModuleState => ({
  namespace,
  hasTLA,
  status: 'evaluating',
  dfsIndex: 0,
  dfsAncestorIndex: 0,
  pending: 0,
  asyncOrder: 0,
  asyncParents: [],
  cycleRoot: undefined,
  error: undefined,
  resume: undefined,
  cancel: undefined,
  started: undefined,
  settled: undefined,
});

export const makeModuleEvaluation = (): ModuleEvaluation => {
  /** Whether a module of the application awaits at its top level (then every module is walked here). */
  let asyncMode = false;
  const byNamespace = new WeakMap<object, ModuleState>();
  /** The walk a dependency is being visited in, for the functor SES calls next. */
  let visiting: Walk | undefined;
  let asyncOrder = 1;

  const settle = (state: ModuleState): void => {
    markEvaluatingAsync(state.namespace, undefined);
    if (!state.settled) return;
    if (state.error) state.settled.reject(state.error.value);
    else state.settled.resolve();
  };

  const fail = (state: ModuleState, error: unknown): void => {
    if (state.status === 'evaluated') return;
    state.error = { value: error };
    state.status = 'evaluated';
    state.asyncOrder = 0;
    state.cancel?.(error);
    for (const parent of state.asyncParents) fail(parent, error);
    settle(state);
  };

  const gather = (state: ModuleState, list: ModuleState[]): void => {
    for (const parent of state.asyncParents) {
      if (list.includes(parent) || (parent.cycleRoot ?? parent).error) continue;
      parent.pending -= 1;
      if (parent.pending === 0) {
        list.push(parent);
        if (!parent.hasTLA) gather(parent, list);
      }
    }
  };

  /** Runs the modules that no longer wait, in order; one with top-level await first reaches its first `await`. */
  const runList = (list: readonly ModuleState[], from: number): void => {
    for (let i = from; i < list.length; i += 1) {
      const state = list[i]!;
      if (state.status === 'evaluated') continue;
      if (state.hasTLA) {
        state.resume!();
        if (i + 1 < list.length) {
          state.started!.then(() => runList(list, i + 1), () => runList(list, i + 1));
          return;
        }
        continue;
      }
      try {
        state.resume!();
      } catch (error) {
        fail(state, error);
        continue;
      }
      state.status = 'evaluated';
      state.asyncOrder = 0;
      settle(state);
    }
  };

  const fulfilled = (state: ModuleState): void => {
    if (state.status === 'evaluated') return;
    state.status = 'evaluated';
    state.asyncOrder = 0;
    settle(state);
    const list: ModuleState[] = [];
    gather(state, list);
    list.sort((a, b) => a.asyncOrder - b.asyncOrder);
    runList(list, 0);
  };

  /** Every module of an aborted walk fails with the error (the spec's Evaluate, on an abrupt completion). */
  const abort = (walk: Walk, error: unknown): void => {
    for (const state of walk.stack) {
      state.status = 'evaluated';
      state.error = { value: error };
      state.asyncOrder = 0;
      settle(state);
    }
    walk.stack.length = 0;
  };

  const visit = (state: ModuleState, walk: Walk, compartment: CompartmentLike, referrer: string, resolveHook: (specifier: string, referrer: string) => string, record: Iterable<[string, unknown]>): void => {
    for (const [specifier] of record) {
      const full = resolveHook(specifier, referrer);
      let namespace: unknown;
      visiting = walk;
      try {
        namespace = compartment.importNow(full);
      } finally {
        visiting = undefined;
      }
      let dependency = typeof namespace === 'object' && namespace !== null ? byNamespace.get(namespace) : undefined;
      if (dependency === undefined) continue; // CommonJS, host modules, JSON…: evaluated synchronously.
      if (dependency.status === 'evaluating') {
        state.dfsAncestorIndex = Math.min(state.dfsAncestorIndex, dependency.dfsAncestorIndex);
      } else {
        if (dependency.error) throw dependency.error.value;
        dependency = dependency.cycleRoot ?? dependency;
        if (dependency.error) throw dependency.error.value;
      }
      if (dependency.asyncOrder > 0) {
        state.pending += 1;
        dependency.asyncParents.push(state);
      }
    }
  };

  const run = (functor: Functor, hasTLA: boolean, compartment: CompartmentLike, referrer: string, resolveHook: (specifier: string, referrer: string) => string, environment: Environment): unknown => {
    const namespace = compartment.module(referrer) as object;
    const state = newState(namespace, hasTLA);
    byNamespace.set(namespace, state);
    const walk = visiting ?? { stack: [], index: 0 };
    const isRoot = visiting === undefined;
    visiting = undefined;
    state.dfsIndex = state.dfsAncestorIndex = walk.index;
    walk.index += 1;
    walk.stack.push(state);

    let waits: unknown;
    let thrown: { value: unknown } | undefined;
    const imports = (record: Iterable<[string, unknown]>): unknown => {
      try {
        visit(state, walk, compartment, referrer, resolveHook, record);
        environment.imports(record);
      } catch (error) {
        thrown = { value: error };
        throw error;
      }
      if (state.pending > 0 || state.hasTLA) state.asyncOrder = asyncOrder++;
      if (state.pending === 0) return undefined;
      if (!state.hasTLA) return (waits = true);
      let resolve = noop;
      let reject: (error: unknown) => void = noop;
      const gate = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      state.resume = resolve;
      state.cancel = reject;
      state.started = gate.then(noop);
      return (waits = gate);
    };

    let result: unknown;
    try {
      result = functor({ ...environment, imports, ...(environment.import ? { import: importThenSettle(environment.import) } : {}) });
      if (thrown) {
        // A module with top-level await turns a throw into a rejection: the walk still fails now.
        (result as Promise<unknown>).catch(noop);
        throw thrown.value;
      }
    } catch (error) {
      if (isRoot) abort(walk, error);
      throw error;
    }
    if (hasTLA) (result as Promise<unknown>).then(() => fulfilled(state), error => fail(state, error));
    else if (waits) state.resume = () => void (result as Generator).next();
    if (state.dfsAncestorIndex === state.dfsIndex) {
      let member: ModuleState;
      do {
        member = walk.stack.pop()!;
        member.status = member.asyncOrder > 0 ? 'evaluating-async' : 'evaluated';
        if (member.status === 'evaluating-async') markEvaluatingAsync(member.namespace, () => settled(member.namespace));
        member.cycleRoot = state;
      } while (member !== state);
    }
    return result;
  };

  const settled = (namespace: unknown): Promise<void> => {
    const found = typeof namespace === 'object' && namespace !== null ? byNamespace.get(namespace) : undefined;
    if (found === undefined) return Promise.resolve();
    const state = found.status === 'evaluating' ? found : (found.cycleRoot ?? found);
    if (state.status === 'evaluated') return state.error ? Promise.reject(state.error.value) : Promise.resolve();
    if (!state.settled) {
      let resolve = noop;
      let reject: (error: unknown) => void = noop;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      state.settled = { promise, resolve, reject };
    }
    return state.settled.promise;
  };

  /** `import()` resolves once the imported module has evaluated, as in the spec. */
  const importThenSettle =
    (dynamicImport: (specifier: string) => Promise<unknown>) =>
    async (specifier: string): Promise<unknown> => {
      const namespace = await dynamicImport(specifier);
      if (asyncMode) await settled(namespace);
      return namespace;
    };

  const bind: ModuleEvaluation['bind'] = (record, compartment, specifier, resolveHook, evaluate) => {
    if (!('__syncModuleProgram__' in record) || '__syncModuleFunctor__' in record) return record;
    // SES gives a module its own scope only for live exports with a scope-proxy trap, which Cordon's
    // compiler never emits; such records stay SES's.
    if (Object.values(record.__liveExportMap__).some(([, trap]) => trap)) return record;
    const hasTLA = record.__cordonTopLevelAwait__ === true;
    if (hasTLA) asyncMode = true;
    const program = record.__syncModuleProgram__;
    let made: ((environment: Environment) => unknown) | undefined;
    const make = () => {
      const functor = withSpecNamespaces(evaluate(program) as Parameters<typeof withSpecNamespaces>[0]) as unknown as Functor;
      return (environment: Environment): unknown => {
        if (asyncMode) return run(functor, hasTLA, compartment, specifier, resolveHook, environment);
        return functor(environment.import ? { ...environment, import: importThenSettle(environment.import) } : environment);
      };
    };
    return Object.freeze(
      Object.defineProperty({ ...record }, '__syncModuleFunctor__', {
        // Evaluated when SES instantiates the module, as SES would.
        get: () => (made ??= make()),
        enumerable: false,
      }),
    );
  };

  return Object.freeze({ bind, settled });
};
