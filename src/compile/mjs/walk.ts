/**
 * One pass over an ES module's AST that finds what the compiler must rewrite:
 *
 * - references to *candidate* names (imported bindings and exported locals) with their scope,
 *   so that shadowed ones can be told apart once every declaration is known;
 * - writes to candidates (assignments, updates, loop heads), which make an exported local live;
 * - module-level declarations of exported locals, after which their exports are initialised;
 * - `import()` and `import.meta`;
 * - top-level `await`, which SES cannot run;
 * - the strings, templates and regular expressions (only when censored text must be evaded).
 *
 * Scopes are tracked only as far as shadowing needs: each scope records the candidate names it
 * declares. `var` goes to the nearest function body (or the module); everything else to its block.
 */
import type { TextSpan } from '../censor.js';

/** An ESTree node as meriyah produces it with `ranges`. */
export interface Node {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly [key: string]: any;
}

export class Scope {
  readonly parent: Scope | null;
  /** The target of `var` declarations (a function body or the module). */
  readonly isVarScope: boolean;
  names: Set<string> | null = null;

  constructor(parent: Scope | null, isVarScope: boolean) {
    this.parent = parent;
    this.isVarScope = isVarScope;
  }

  declare(name: string): void {
    (this.names ??= new Set()).add(name);
  }
}

export enum RefKind {
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

export class ModuleWalker {
  readonly module = new Scope(null, true);
  readonly references: Reference[] = [];
  readonly writes: Write[] = [];
  readonly declarations: DeclarationSite[] = [];
  readonly dynamicImports: Node[] = [];
  readonly importMetas: Node[] = [];
  readonly literals: TextSpan[] = [];
  /** Identifier names starting with `$` (for choosing hidden names that cannot collide). */
  readonly dollarNames: string[] = [];
  topLevelAwait: Node | null = null;

  readonly #candidates: ReadonlySet<string>;
  readonly #collectLiterals: boolean;
  #scope: Scope = this.module;
  #functionDepth = 0;

  constructor(candidates: ReadonlySet<string>, collectLiterals: boolean) {
    this.#candidates = candidates;
    this.#collectLiterals = collectLiterals;
  }

  // ----- statements -------------------------------------------------------------------------

  statements(body: readonly Node[]): void {
    for (const node of body) this.visit(node);
  }

  /** Visits any node; expressions and statements alike. */
  visit(node: Node): void {
    switch (node.type) {
      case 'Identifier':
        this.#reference(node, RefKind.Read);
        return;
      case 'MemberExpression':
        this.visit(node.object);
        if (node.computed) this.visit(node.property);
        return;
      case 'CallExpression':
        if (node.callee.type === 'Identifier') this.#reference(node.callee, RefKind.Callee);
        else this.visit(node.callee);
        for (const arg of node.arguments) this.visit(arg);
        return;
      case 'Literal':
        if (this.#collectLiterals) {
          if (node.regex) this.literals.push({ start: node.start, end: node.end, kind: 'regex' });
          else if (typeof node.value === 'string') this.literals.push({ start: node.start, end: node.end, kind: 'string' });
        }
        return;
      case 'BinaryExpression':
      case 'LogicalExpression':
        this.visit(node.left);
        this.visit(node.right);
        return;
      case 'ReturnStatement':
      case 'ThrowStatement':
      case 'UnaryExpression':
      case 'SpreadElement':
      case 'YieldExpression':
        if (node.argument) this.visit(node.argument);
        return;
      case 'ConditionalExpression':
      case 'IfStatement':
        this.visit(node.test);
        this.visit(node.consequent);
        if (node.alternate) this.visit(node.alternate);
        return;
      case 'ArrayExpression':
        for (const element of node.elements) if (element) this.visit(element);
        return;
      case 'SequenceExpression':
        for (const expression of node.expressions) this.visit(expression);
        return;
      case 'TemplateLiteral':
        for (const quasi of node.quasis) this.visit(quasi);
        for (const expression of node.expressions) this.visit(expression);
        return;
      case 'ExpressionStatement':
        this.visit(node.expression);
        return;
      case 'BlockStatement':
        this.#block(node.body, new Scope(this.#scope, false));
        return;
      case 'StaticBlock':
        this.#function(() => this.#block(node.body, new Scope(this.#scope, true)));
        return;
      case 'VariableDeclaration':
        this.#variableDeclaration(node, null);
        return;
      case 'FunctionDeclaration':
        if (node.id) this.#declareIn(this.#scope, node.id.name);
        this.#functionNode(node);
        return;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        this.#functionNode(node);
        return;
      case 'ClassDeclaration':
        if (node.id) this.#declareIn(this.#scope, node.id.name);
        this.#class(node);
        return;
      case 'ClassExpression':
        this.#class(node);
        return;
      case 'ForStatement':
        this.#withScope(new Scope(this.#scope, false), () => {
          if (node.init) {
            if (node.init.type === 'VariableDeclaration') this.#variableDeclaration(node.init, node);
            else this.visit(node.init);
          }
          if (node.test) this.visit(node.test);
          if (node.update) this.visit(node.update);
          this.visit(node.body);
        });
        return;
      case 'ForInStatement':
      case 'ForOfStatement':
        if (node.await && this.#functionDepth === 0) this.topLevelAwait ??= node;
        this.#withScope(new Scope(this.#scope, false), () => {
          if (node.left.type === 'VariableDeclaration') this.#variableDeclaration(node.left, node);
          else this.#assignTarget(node.left, node, true);
          this.visit(node.right);
          this.visit(node.body);
        });
        return;
      case 'SwitchStatement':
        this.visit(node.discriminant);
        this.#withScope(new Scope(this.#scope, false), () => {
          for (const c of node.cases) {
            if (c.test) this.visit(c.test);
            this.statements(c.consequent);
          }
        });
        return;
      case 'TryStatement':
        this.visit(node.block);
        if (node.handler) {
          const handler = node.handler;
          this.#withScope(new Scope(this.#scope, false), () => {
            if (handler.param) this.#declarePattern(handler.param, this.#scope);
            this.#block(handler.body.body, new Scope(this.#scope, false));
          });
        }
        if (node.finalizer) this.visit(node.finalizer);
        return;
      case 'LabeledStatement':
        this.visit(node.body);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'EmptyStatement':
      case 'DebuggerStatement':
      case 'ThisExpression':
      case 'Super':
      case 'PrivateIdentifier':
        return;
      case 'NewExpression':
        this.#newCallee(node.callee);
        for (const arg of node.arguments) this.visit(arg);
        return;
      case 'TaggedTemplateExpression':
        if (node.tag.type === 'Identifier') this.#reference(node.tag, RefKind.Callee);
        else this.visit(node.tag);
        this.visit(node.quasi);
        return;
      case 'ImportExpression':
        this.dynamicImports.push(node);
        this.visit(node.source);
        if (node.options) this.visit(node.options);
        return;
      case 'MetaProperty':
        if (node.meta.name === 'import') this.importMetas.push(node);
        return;
      case 'ObjectExpression':
        for (const property of node.properties) {
          if (property.type !== 'Property') {
            this.visit(property);
          } else if (property.shorthand && property.value.type === 'Identifier') {
            this.#reference(property.value, RefKind.Shorthand);
          } else {
            if (property.computed) this.visit(property.key);
            else this.#key(property.key);
            this.visit(property.value);
          }
        }
        return;
      case 'AssignmentExpression':
        if (node.left.type === 'MemberExpression') this.visit(node.left);
        else this.#assignTarget(node.left, node, false);
        this.visit(node.right);
        return;
      case 'UpdateExpression':
        if (node.argument.type === 'Identifier') this.#assignTarget(node.argument, node, false);
        else this.visit(node.argument);
        return;
      case 'AwaitExpression':
        if (this.#functionDepth === 0) this.topLevelAwait ??= node;
        this.visit(node.argument);
        return;
      case 'TemplateElement':
        if (this.#collectLiterals) this.literals.push({ start: node.start, end: node.end, kind: 'template' });
        return;
      default:
        this.#children(node);
    }
  }

  // ----- declarations and scopes --------------------------------------------------------------

  #withScope(scope: Scope, body: () => void): void {
    const saved = this.#scope;
    this.#scope = scope;
    try {
      body();
    } finally {
      this.#scope = saved;
    }
  }

  #block(body: readonly Node[], scope: Scope): void {
    const saved = this.#scope;
    this.#scope = scope;
    for (const node of body) this.visit(node);
    this.#scope = saved;
  }

  #function(body: () => void): void {
    this.#functionDepth += 1;
    try {
      body();
    } finally {
      this.#functionDepth -= 1;
    }
  }

  #declareIn(scope: Scope, name: string): void {
    this.#noteName(name);
    if (scope !== this.module && this.#candidates.has(name)) scope.declare(name);
  }

  #varScope(): Scope {
    let scope = this.#scope;
    while (!scope.isVarScope) scope = scope.parent!;
    return scope;
  }

  #variableDeclaration(node: Node, loop: Node | null): void {
    const target = node.kind === 'var' ? this.#varScope() : this.#scope;
    const atModule = target === this.module;
    let moduleNames: string[] | null = null;
    for (const declarator of node.declarations) {
      const names = this.#declarePattern(declarator.id, target);
      if (atModule) {
        for (const name of names) if (this.#candidates.has(name)) (moduleNames ??= []).push(name);
      }
      if (declarator.init) this.visit(declarator.init);
    }
    if (moduleNames) this.declarations.push({ names: moduleNames, node, loop });
  }

  /** Declares the names a binding pattern binds in `scope`; visits its defaults and computed keys. */
  #declarePattern(pattern: Node, scope: Scope): string[] {
    const names: string[] = [];
    this.#pattern(pattern, false, identifier => {
      this.#declareIn(scope, identifier.name);
      names.push(identifier.name);
    });
    return names;
  }

  /**
   * Walks a destructuring pattern (binding or assignment target): `onIdentifier` gets each target
   * identifier and whether it is a shorthand property (`{ a }`); defaults, computed keys and member
   * targets are visited as expressions.
   */
  #pattern(target: Node, shorthand: boolean, onIdentifier: (identifier: Node, shorthand: boolean) => void): void {
    switch (target.type) {
      case 'Identifier':
        onIdentifier(target, shorthand);
        break;
      case 'ObjectPattern':
        for (const property of target.properties) {
          if (property.type === 'RestElement') {
            this.#pattern(property.argument, false, onIdentifier);
          } else {
            if (property.computed) this.visit(property.key);
            this.#pattern(property.value, property.shorthand === true, onIdentifier);
          }
        }
        break;
      case 'ArrayPattern':
        for (const element of target.elements) if (element) this.#pattern(element, false, onIdentifier);
        break;
      case 'RestElement':
        this.#pattern(target.argument, false, onIdentifier);
        break;
      case 'AssignmentPattern':
        this.#pattern(target.left, shorthand, onIdentifier);
        this.visit(target.right);
        break;
      default:
        this.visit(target);
    }
  }

  #functionNode(node: Node): void {
    const saved = this.#scope;
    const scope = new Scope(saved, false);
    this.#functionDepth += 1;
    this.#scope = scope;
    if (node.type === 'FunctionExpression' && node.id) this.#declareIn(scope, node.id.name);
    for (const param of node.params) this.#declarePattern(param, scope);
    const body = node.body;
    if (body.type === 'BlockStatement') this.#block(body.body, new Scope(scope, true));
    else this.visit(body);
    this.#scope = saved;
    this.#functionDepth -= 1;
  }

  #class(node: Node): void {
    if (node.decorators) for (const decorator of node.decorators) this.visit(decorator);
    if (node.superClass) this.visit(node.superClass);
    const scope = new Scope(this.#scope, false);
    if (node.id) this.#declareIn(scope, node.id.name);
    this.#withScope(scope, () => {
      for (const member of node.body.body) {
        if (member.decorators) for (const decorator of member.decorators) this.visit(decorator);
        if (member.type === 'StaticBlock') {
          this.visit(member);
          continue;
        }
        if (member.computed) this.visit(member.key);
        else this.#key(member.key);
        if (member.value) {
          if (member.type === 'MethodDefinition') this.visit(member.value);
          // Field initialisers run like little methods: own `this`, no `await`.
          else this.#function(() => this.#withScope(new Scope(this.#scope, true), () => this.visit(member.value)));
        }
      }
    });
  }

  // ----- references ---------------------------------------------------------------------------

  #noteName(name: string): void {
    if (name.charCodeAt(0) === 36 /* $ */) this.dollarNames.push(name);
  }

  /** A non-computed property key: not a reference, but a censored `import(` may need its name. */
  #key(key: Node): void {
    if (key.type === 'Identifier') this.#noteName(key.name);
    else if (key.type === 'Literal') this.visit(key);
  }

  #reference(node: Node, kind: RefKind): void {
    const name: string = node.name;
    this.#noteName(name);
    if (this.#candidates.has(name)) {
      this.references.push({ name, start: node.start, end: node.end, scope: this.#scope, kind });
    }
  }

  /** An assignment target (identifier or destructuring pattern) of `owner`. */
  #assignTarget(target: Node, owner: Node, loop: boolean): void {
    const names: string[] = [];
    this.#pattern(target, false, (identifier, shorthand) => {
      if (this.#candidates.has(identifier.name)) names.push(identifier.name);
      this.#reference(identifier, shorthand ? RefKind.ShorthandWrite : RefKind.Write);
    });
    if (names.length > 0) this.writes.push({ names, scope: this.#scope, node: owner, loop });
  }

  /** Visits a `new` callee, marking the identifier at the root of a member chain. */
  #newCallee(callee: Node): void {
    if (callee.type === 'Identifier') {
      this.#reference(callee, RefKind.NewCallee);
    } else if (callee.type === 'MemberExpression') {
      this.#newCallee(callee.object);
      if (callee.computed) this.visit(callee.property);
    } else {
      this.visit(callee);
    }
  }

  #children(node: Node): void {
    for (const key in node) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      const value = node[key];
      if (value === null || typeof value !== 'object') continue;
      if (Array.isArray(value)) {
        for (const child of value) if (child !== null && typeof child.type === 'string') this.visit(child);
      } else if (typeof value.type === 'string') {
        this.visit(value);
      }
    }
  }
}

/** Whether `name`, referenced from `scope`, means the module-level binding (no closer declaration). */
export const resolvesToModule = (name: string, scope: Scope): boolean => {
  for (let s: Scope | null = scope; s !== null && s.parent !== null; s = s.parent) {
    if (s.names !== null && s.names.has(name)) return false;
  }
  return true;
};
