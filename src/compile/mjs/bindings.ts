/**
 * The half of the walk that knows about bindings: the scopes open at the walker's position, the
 * declarations of candidate names (imported bindings and exported locals), destructuring patterns,
 * and the references and writes to candidates that src/compile/mjs/walk.ts records.
 */
import { type Node, type Scope, ScopeStack } from './scope.js';

export const enum RefKind {
  Read,
  Callee,
  Shorthand,
  Write,
  ShorthandWrite,
  /** The root of a `new` callee (`new a()`, `new a.b()`): the getter call needs parentheses. */
  NewCallee,
}

export interface Reference {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly scope: Scope;
  readonly kind: RefKind;
}

/** An expression or loop that assigns candidate names. */
export interface Write {
  readonly names: string[];
  readonly scope: Scope;
  readonly node: Node;
  /** For loops: the statement whose head assigns on each iteration. */
  readonly loop: boolean;
}

/** A module-level declaration of candidate names (`var` may sit in a nested block). */
export interface DeclarationSite {
  readonly names: string[];
  readonly node: Node;
  /** Set when the declaration is the head of a `for` loop. */
  readonly loop: Node | null;
}

export abstract class BindingWalker {
  readonly references: Reference[] = [];
  readonly writes: Write[] = [];
  readonly declarations: DeclarationSite[] = [];
  /** Identifier names starting with `$` (for choosing hidden names that cannot collide). */
  readonly dollarNames: string[] = [];

  protected readonly candidates: ReadonlySet<string>;
  protected readonly dollars: boolean;
  protected readonly scopes = new ScopeStack();

  constructor(candidates: ReadonlySet<string>, dollars: boolean) {
    this.candidates = candidates;
    this.dollars = dollars;
  }

  /** Visits any node (defaults and computed keys inside patterns are expressions). */
  abstract visit(node: Node): void;

  // ----- declarations -------------------------------------------------------------------------

  protected noteName(name: string): void {
    if (name.charCodeAt(0) === 36 /* $ */) this.dollarNames.push(name);
  }

  /** Declares `name` in the scope at `depth` (only candidates are recorded). */
  protected declare(depth: number, name: string): void {
    if (this.dollars) this.noteName(name);
    if (this.candidates.has(name)) this.scopes.declareAt(depth, name);
  }

  protected variableDeclaration(node: Node, loop: Node | null): void {
    const depth = node.kind === 'var' ? this.scopes.varDepth() : this.scopes.depth;
    const atModule = depth === 0;
    let moduleNames: string[] | null = null;
    for (const declarator of node.declarations) {
      const id: Node = declarator.id;
      if (id.type === 'Identifier') {
        this.declare(depth, id.name);
        if (atModule && this.candidates.has(id.name)) (moduleNames ??= []).push(id.name);
      } else {
        const names = this.declarePattern(id, depth);
        if (atModule) for (const name of names) if (this.candidates.has(name)) (moduleNames ??= []).push(name);
      }
      if (declarator.init) this.visit(declarator.init);
    }
    if (moduleNames) this.declarations.push({ names: moduleNames, node, loop });
  }

  /** Declares the names a binding pattern binds at `depth`; visits its defaults and computed keys. */
  protected declarePattern(pattern: Node, depth: number, names: string[] = []): string[] {
    switch (pattern.type) {
      case 'Identifier':
        this.declare(depth, pattern.name);
        names.push(pattern.name);
        break;
      case 'ObjectPattern':
        for (const property of pattern.properties) {
          if (property.type === 'RestElement') {
            this.declarePattern(property.argument, depth, names);
          } else {
            if (property.computed) this.visit(property.key);
            this.declarePattern(property.value, depth, names);
          }
        }
        break;
      case 'ArrayPattern':
        for (const element of pattern.elements) if (element) this.declarePattern(element, depth, names);
        break;
      case 'RestElement':
        this.declarePattern(pattern.argument, depth, names);
        break;
      case 'AssignmentPattern':
        this.declarePattern(pattern.left, depth, names);
        this.visit(pattern.right);
        break;
      default:
        this.visit(pattern);
    }
    return names;
  }

  // ----- references ---------------------------------------------------------------------------

  /** A non-computed property key: not a reference. */
  protected key(key: Node): void {
    if (key.type === 'Identifier') {
      if (this.dollars) this.noteName(key.name);
    } else if (key.type === 'Literal') {
      this.visit(key);
    }
  }

  protected reference(node: Node, kind: RefKind): void {
    const name: string = node.name;
    if (this.dollars) this.noteName(name);
    if (this.candidates.has(name)) {
      this.references.push({ name, start: node.start, end: node.end, scope: this.scopes.current(), kind });
    }
  }

  /** An assignment target (identifier or destructuring pattern) of `owner`. */
  protected assignTarget(target: Node, owner: Node, loop: boolean): void {
    const names: string[] = [];
    this.assignPattern(target, false, names);
    if (names.length > 0) this.writes.push({ names, scope: this.scopes.current(), node: owner, loop });
  }

  /** Walks a destructuring assignment target; defaults, computed keys and member targets are expressions. */
  protected assignPattern(target: Node, shorthand: boolean, names: string[]): void {
    switch (target.type) {
      case 'Identifier':
        if (this.candidates.has(target.name)) names.push(target.name);
        this.reference(target, shorthand ? RefKind.ShorthandWrite : RefKind.Write);
        break;
      case 'ObjectPattern':
        for (const property of target.properties) {
          if (property.type === 'RestElement') {
            this.assignPattern(property.argument, false, names);
          } else {
            if (property.computed) this.visit(property.key);
            this.assignPattern(property.value, property.shorthand === true, names);
          }
        }
        break;
      case 'ArrayPattern':
        for (const element of target.elements) if (element) this.assignPattern(element, false, names);
        break;
      case 'RestElement':
        this.assignPattern(target.argument, false, names);
        break;
      case 'AssignmentPattern':
        this.assignPattern(target.left, shorthand, names);
        this.visit(target.right);
        break;
      default:
        this.visit(target);
    }
  }

}
