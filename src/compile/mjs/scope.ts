/**
 * Scopes as far as shadowing needs them: each records the *candidate* names (imported bindings and
 * exported locals) it declares. `var` goes to the nearest function body (or the module); everything
 * else to its block. The walker makes a scope object only when something needs it (a candidate is
 * declared or referenced there), so most blocks and functions cost nothing.
 */

/** An ESTree node as meriyah produces it with `ranges`. */
export interface Node {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly [key: string]: any;
}

export class Scope {
  readonly parent: Scope | null;
  names: Set<string> | null = null;

  constructor(parent: Scope | null) {
    this.parent = parent;
  }

  declare(name: string): void {
    (this.names ??= new Set()).add(name);
  }
}

/** Whether `name`, referenced from `scope`, means the module-level binding (no closer declaration). */
export const resolvesToModule = (name: string, scope: Scope): boolean => {
  for (let s: Scope | null = scope; s !== null && s.parent !== null; s = s.parent) {
    if (s.names !== null && s.names.has(name)) return false;
  }
  return true;
};

/**
 * The scopes open at the walker's position, as a stack whose entries become `Scope` objects on
 * demand. Entry 0 is the module.
 */
export class ScopeStack {
  readonly module = new Scope(null);
  readonly #scopes: (Scope | null)[] = [this.module];
  readonly #isVar: boolean[] = [true];
  #top = 0;

  /** Opens a scope; `isVar` for function bodies (the target of `var`). Returns the depth to close to. */
  open(isVar: boolean): number {
    const top = (this.#top += 1);
    this.#scopes[top] = null;
    this.#isVar[top] = isVar;
    return top - 1;
  }

  /** Closes scopes down to `depth` (as returned by `open`). */
  close(depth: number): void {
    for (let i = this.#top; i > depth; i -= 1) this.#scopes[i] = null;
    this.#top = depth;
  }

  get depth(): number {
    return this.#top;
  }

  /** The innermost scope, made if need be. */
  current(): Scope {
    return this.#at(this.#top);
  }

  /** The depth of the scope `var` declarations go to. */
  varDepth(): number {
    let i = this.#top;
    while (!this.#isVar[i]) i -= 1;
    return i;
  }

  /** Declares candidate `name` at `depth`. */
  declareAt(depth: number, name: string): void {
    if (depth > 0) this.#at(depth).declare(name);
  }

  #at(depth: number): Scope {
    let scope = this.#scopes[depth] as Scope | null;
    if (scope === null) {
      scope = new Scope(this.#at(depth - 1));
      this.#scopes[depth] = scope;
    }
    return scope;
  }
}
