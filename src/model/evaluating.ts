/**
 * Which module namespaces belong to modules still evaluating asynchronously (top-level await): the
 * link stage's evaluator marks them (src/link/evaluation.ts), a CommonJS `require()` of one refuses it
 * as Node does (`ERR_REQUIRE_ASYNC_MODULE`). Keyed by namespace objects, which no two applications share.
 */
const evaluating = new WeakMap<object, () => Promise<void>>();

/** Marks the namespace's module as evaluating asynchronously (`settled` gives the promise of its end), or no longer. */
export const markEvaluatingAsync = (namespace: object, settled: (() => Promise<void>) | undefined): void => {
  if (settled) evaluating.set(namespace, settled);
  else evaluating.delete(namespace);
};

export const isEvaluatingAsync = (namespace: unknown): boolean => typeof namespace === 'object' && namespace !== null && evaluating.has(namespace);

/** Settles when the namespace's module has evaluated (at once unless it is evaluating asynchronously). */
export const evaluationOf = (namespace: unknown): Promise<void> | undefined =>
  typeof namespace === 'object' && namespace !== null ? evaluating.get(namespace)?.() : undefined;

/** Node's error for `require()` of an ES module graph that awaits at its top level. */
export const requireAsyncModuleError = (request: string, referrer: string): Error =>
  Object.assign(new Error(`require() cannot be used on an ESM graph with top-level await. Use import() instead. (require(${JSON.stringify(request)}) in ${referrer})`), {
    code: 'ERR_REQUIRE_ASYNC_MODULE',
  });
