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
 * The algorithm itself is model/module-evaluation.ts's, which scripts carry too (as text).
 *
 * Limits (docs/ARCHITECTURE.md, "Top-level await"): a module with top-level await publishes its
 * hoisted functions when it starts, not when it is linked, so a module in a cycle with it that runs
 * first sees them uninitialised; a CommonJS `require` of an ES module graph that awaits gets Node's
 * ERR_REQUIRE_ASYNC_MODULE only after the graph has begun to evaluate.
 */
import { functorEvaluation, registerEvaluation, withSpecNamespaces, type EvaluatedInstance, type EvaluationWalk, type ModuleSourceRecord } from '../model/index.js';

/** What the evaluator keeps of a module: the spec's fields (model/module-evaluation.ts). */
interface ModuleState extends EvaluatedInstance {
  readonly hasTLA: boolean;
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

export const makeModuleEvaluation = (): ModuleEvaluation => {
  /** Whether a module of the application awaits at its top level (then every module is walked here). */
  let asyncMode = false;
  const byNamespace = new WeakMap<object, ModuleState>();
  /** The walk a dependency is being visited in, for the functor SES calls next. */
  let visiting: EvaluationWalk<ModuleState> | undefined;

  // SES runs each body (through the functor); `execute` is always given it.
  const evaluation = functorEvaluation<ModuleState>(
    state => state.hasTLA,
    () => {},
  );

  /** Visits each dependency (SES's `execute` of it, through `importNow`), then notes what it waits for. */
  const visit = (state: ModuleState, walk: EvaluationWalk<ModuleState>, compartment: CompartmentLike, referrer: string, resolveHook: (specifier: string, referrer: string) => string, record: Iterable<[string, unknown]>): void => {
    for (const [specifier] of record) {
      const full = resolveHook(specifier, referrer);
      let namespace: unknown;
      visiting = walk;
      try {
        namespace = compartment.importNow(full);
      } finally {
        visiting = undefined;
      }
      const dependency = typeof namespace === 'object' && namespace !== null ? byNamespace.get(namespace) : undefined;
      // CommonJS, host modules, JSON…: evaluated synchronously.
      if (dependency !== undefined) evaluation.dependency(state, dependency);
    }
  };

  const run = (functor: Functor, hasTLA: boolean, compartment: CompartmentLike, referrer: string, resolveHook: (specifier: string, referrer: string) => string, environment: Environment): unknown => {
    const namespace = compartment.module(referrer) as object;
    const state: ModuleState = { i: 0, state: 0, hasTLA };
    byNamespace.set(namespace, state);
    registerEvaluation(namespace, { settled: () => evaluation.settled(state) as Promise<void>, isAsync: () => evaluation.isAsync(state) });
    const walk = visiting ?? { stack: [], index: 0 };
    visiting = undefined;
    let waits: unknown;
    let thrown: { v: unknown } | undefined;
    const imports = (record: Iterable<[string, unknown]>): unknown => {
      try {
        visit(state, walk, compartment, referrer, resolveHook, record);
        environment.imports(record);
      } catch (error) {
        thrown = { v: error };
        throw error;
      }
      return (waits = evaluation.wait(state));
    };
    let result: unknown;
    evaluation.execute(state, walk, () => {
      result = functor({ ...environment, imports, ...(environment.import ? { import: importThenSettle(environment.import) } : {}) });
      evaluation.ran(state, result, waits, thrown);
    });
    return result;
  };

  const settled = (namespace: unknown): Promise<void> => {
    const found = typeof namespace === 'object' && namespace !== null ? byNamespace.get(namespace) : undefined;
    return found === undefined ? Promise.resolve() : (evaluation.settled(found) as Promise<void>);
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
