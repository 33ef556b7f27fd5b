/**
 * What the link stage's evaluator (src/link/evaluation.ts) says of each ES module it evaluates, by its
 * namespace, for CommonJS, which reaches ES modules through SES: whether the module is still evaluating
 * asynchronously (a `require()` of it is refused as Node refuses it, `ERR_REQUIRE_ASYNC_MODULE`), and the
 * promise of its evaluation (what a CommonJS `import()` awaits: it rejects again for a module that failed).
 * Keyed by namespace objects, which no two applications share.
 */
export interface ModuleEvaluationState {
  readonly settled: () => Promise<void>;
  readonly isAsync: () => boolean;
}

const evaluated = new WeakMap<object, ModuleEvaluationState>();

export const registerEvaluation = (namespace: object, state: ModuleEvaluationState): void => {
  evaluated.set(namespace, state);
};

const stateOf = (namespace: unknown): ModuleEvaluationState | undefined => (typeof namespace === 'object' && namespace !== null ? evaluated.get(namespace) : undefined);

export const isEvaluatingAsync = (namespace: unknown): boolean => stateOf(namespace)?.isAsync() === true;

/** Settles when the namespace's module has evaluated (undefined for one the evaluator never walked: done). */
export const evaluationOf = (namespace: unknown): Promise<void> | undefined => stateOf(namespace)?.settled();

/** Node's error for `require()` of an ES module graph that awaits at its top level. */
export const requireAsyncModuleError = (request: string, referrer: string): Error =>
  Object.assign(new Error(`require() cannot be used on an ESM graph with top-level await. Use import() instead. (require(${JSON.stringify(request)}) in ${referrer})`), {
    code: 'ERR_REQUIRE_ASYNC_MODULE',
  });
