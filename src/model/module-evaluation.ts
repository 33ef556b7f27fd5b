/**
 * Module evaluation as the spec gives it (ECMA-262 "InnerModuleEvaluation", "ExecuteAsyncModule",
 * "AsyncModuleExecutionFulfilled/Rejected"), top-level await included, for the compartments' evaluator
 * (src/link/evaluation.ts) and for the linker every script and functor carries
 * (src/pack/functor-runtime.ts). `pack/functor.ts` embeds this function's text beside the runtime's, so
 * it must stay self-contained: no imports, no outer names, nothing the TypeScript compiler would lower
 * into helpers (and no text SES's evaluator would refuse, such as the word import followed by `(`).
 *
 * It also serves compartments (src/link/evaluation.ts), where SES calls each module's functor: there
 * `execute` is given the body to run.
 *
 * A module visits its dependencies in order (`execute` of each, through the runtime's `imports`),
 * counts those still evaluating asynchronously (`dependency`), and either runs its body at once or
 * waits (`wait`: the compiled program yields, or awaits the gate given), to run once they are done, in
 * the order the modules began to wait. A module with top-level await runs to its first `await` when
 * it starts; a rejection fails exactly the modules that wait on it.
 */

/** What evaluation keeps of an instance (state: 0 new, 1 evaluating, 2 evaluated, 4 evaluating asynchronously). */
export interface EvaluatedInstance {
  i: number;
  state: number;
  error?: { v: unknown };
  dfs?: number;
  low?: number;
  pending?: number;
  order?: number;
  parents?: EvaluatedInstance[];
  root?: EvaluatedInstance;
  resume?: () => void;
  cancel?: (error: unknown) => void;
  started?: Promise<unknown>;
  done?: { p: Promise<unknown>; y: (value: unknown) => void; n: (error: unknown) => void };
}

export type EvaluationWalk<T extends EvaluatedInstance = EvaluatedInstance> = { stack: T[]; index: number };

export function functorEvaluation<T extends EvaluatedInstance>(awaits: (inst: T) => boolean, run: (inst: T, walk: EvaluationWalk<T>) => void) {
  'use strict';
  const noop = (): void => {};
  let asyncOrder = 1;

  const settle = (inst: EvaluatedInstance): void => {
    if (!inst.done) return;
    if (inst.error) inst.done.n(inst.error.v);
    else inst.done.y(undefined);
  };

  const fail = (inst: EvaluatedInstance, error: unknown): void => {
    if (inst.state === 2) return;
    inst.error = { v: error };
    inst.state = 2;
    inst.order = 0;
    inst.cancel?.(error);
    for (const parent of inst.parents ?? []) fail(parent, error);
    settle(inst);
  };

  const gather = (inst: EvaluatedInstance, list: EvaluatedInstance[]): void => {
    for (const parent of inst.parents ?? []) {
      if (list.includes(parent) || (parent.root ?? parent).error) continue;
      parent.pending! -= 1;
      if (parent.pending === 0) {
        list.push(parent);
        if (!awaits(parent as T)) gather(parent, list);
      }
    }
  };

  /** Runs the modules that no longer wait, in order; one with top-level await first reaches its first `await`. */
  const runList = (list: EvaluatedInstance[], from: number): void => {
    for (let at = from; at < list.length; at += 1) {
      const inst = list[at]!;
      if (inst.state === 2) continue;
      if (awaits(inst as T)) {
        inst.resume!();
        if (at + 1 < list.length) {
          const next = () => runList(list, at + 1);
          inst.started!.then(next, next);
          return;
        }
        continue;
      }
      try {
        inst.resume!();
      } catch (error) {
        fail(inst, error);
        continue;
      }
      inst.state = 2;
      inst.order = 0;
      settle(inst);
    }
  };

  const fulfilled = (inst: EvaluatedInstance): void => {
    if (inst.state === 2) return;
    inst.state = 2;
    inst.order = 0;
    settle(inst);
    const list: EvaluatedInstance[] = [];
    gather(inst, list);
    list.sort((a, b) => a.order! - b.order!);
    runList(list, 0);
  };

  /** After module `inst` visited `from`: the cycle it is in, and whether it must wait for it. */
  const dependency = (inst: T, from: T): void => {
    if (from.i < 0) return;
    let found: EvaluatedInstance = from;
    if (found.state === 1) inst.low = Math.min(inst.low!, found.low!);
    else {
      if (found.error) throw found.error.v;
      found = found.root ?? found;
      if (found.error) throw found.error.v;
    }
    if (found.order! > 0) {
      inst.pending! += 1;
      found.parents!.push(inst);
    }
  };

  /** After its dependencies: nothing (run now), `true` (a module without await yields) or the gate it awaits. */
  const wait = (inst: T): unknown => {
    const tla = awaits(inst);
    if (inst.pending! > 0 || tla) inst.order = asyncOrder++;
    if (inst.pending === 0) return undefined;
    if (!tla) return true;
    let open: (value: unknown) => void = noop;
    let shut: (error: unknown) => void = noop;
    const gate = new Promise((y, n) => {
      open = y;
      shut = n;
    });
    inst.resume = () => open(undefined);
    inst.cancel = shut;
    inst.started = gate.then(noop);
    return gate;
  };

  /** After the module's program returned: a promise of its evaluation (top-level await), or a generator that waits. */
  const ran = (inst: T, result: unknown, waits: unknown, thrown: { v: unknown } | undefined): void => {
    if (awaits(inst)) {
      const evaluation = result as Promise<unknown>;
      if (thrown) {
        // An async program turns a throw while linking into a rejection: the walk still fails now.
        evaluation.catch(noop);
        throw thrown.v;
      }
      evaluation.then(
        () => fulfilled(inst),
        error => fail(inst, error),
      );
    } else if (waits) inst.resume = () => void (result as Generator).next();
  };

  /**
   * Evaluates a module in `walk`: its dependencies first, then its body, now or when they are done.
   * `body` (default: `run`) is what runs the module's program, which visits its dependencies.
   */
  const execute = (inst: T, walk: EvaluationWalk<T>, body?: () => void): void => {
    if (inst.state === 2 || inst.state === 4) {
      if (inst.error) throw inst.error.v;
      return;
    }
    if (inst.state === 1) return;
    const isRoot = walk.stack.length === 0;
    inst.state = 1;
    inst.dfs = inst.low = walk.index;
    walk.index += 1;
    inst.pending = 0;
    inst.order = 0;
    inst.parents = [];
    walk.stack.push(inst);
    try {
      if (body) body();
      else run(inst, walk);
    } catch (error) {
      if (isRoot) {
        for (const member of walk.stack) {
          member.state = 2;
          member.error = { v: error };
          member.order = 0;
          settle(member);
        }
        walk.stack.length = 0;
      }
      throw error;
    }
    if (inst.low === inst.dfs) {
      let member: T;
      do {
        member = walk.stack.pop()!;
        member.state = member.order! > 0 ? 4 : 2;
        member.root = inst;
      } while (member !== inst);
    }
  };

  /** Settles when the module has evaluated (the spec's Evaluate() promise, of its cycle's root). */
  const settled = (inst: T): Promise<unknown> => {
    const root = inst.state === 1 ? inst : (inst.root ?? inst);
    if (root.state !== 4 && root.state !== 1) return root.error ? Promise.reject(root.error.v) : Promise.resolve();
    if (!root.done) {
      let y: (value: unknown) => void = noop;
      let n: (error: unknown) => void = noop;
      const p = new Promise((resolve, reject) => {
        y = resolve;
        n = reject;
      });
      root.done = { p, y, n };
    }
    return root.done.p;
  };

  /** Whether the module (or its cycle) is still evaluating asynchronously. */
  const isAsync = (inst: T): boolean => (inst.root ?? inst).state === 4;

  return { execute, dependency, wait, ran, settled, isAsync };
}
