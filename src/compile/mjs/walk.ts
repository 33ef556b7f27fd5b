/**
 * One pass over an ES module's AST that finds what the compiler must rewrite:
 *
 * - references to *candidate* names (imported bindings and exported locals) with their scope,
 *   so that shadowed ones can be told apart once every declaration is known;
 * - writes to candidates (assignments, updates, loop heads), which make an exported local live;
 * - module-level declarations of exported locals, after which their exports are initialised;
 * - `import()` and `import.meta`;
 * - top-level `await`, which SES cannot run;
 * - only when censored text must be evaded: the strings, templates and regular expressions, and
 *   the tagged templates (whose raw strings must survive).
 *
 * The walk allocates little: no closures, and scope objects only where a candidate needs one.
 * The node types come roughly in order of how often real code has them.
 */
import type { TextSpan } from '../censor.js';
import { BindingWalker, RefKind } from './bindings.js';
import type { Node } from './scope.js';

export type { Node } from './scope.js';
export { RefKind, type DeclarationSite, type Reference, type Write } from './bindings.js';

/** A tagged template (collected only for censored text); `newCallee` when it is what `new` constructs. */
export interface TaggedTemplate {
  readonly node: Node;
  readonly newCallee: boolean;
}

export class ModuleWalker extends BindingWalker {
  readonly dynamicImports: Node[] = [];
  readonly importMetas: Node[] = [];
  readonly literals: TextSpan[] = [];
  readonly regexes: Node[] = [];
  readonly taggedTemplates: TaggedTemplate[] = [];
  topLevelAwait: Node | null = null;

  readonly #censored: boolean;
  readonly #marks: Int32Array | null;
  #functionDepth = 0;

  /**
   * @param censored collect literals and tagged templates for the censor
   * @param dollars collect `$` names (only needed when the text may already hold hidden names)
   * @param marks see `markOffsets`; null to visit everything
   */
  constructor(candidates: ReadonlySet<string>, censored: boolean, dollars: boolean, marks: Int32Array | null) {
    super(candidates, dollars);
    this.#censored = censored;
    this.#marks = marks;
  }

  /** Whether no mark falls inside `node`: then nothing in it can need recording. */
  #boring(node: Node): boolean {
    const marks = this.#marks;
    if (marks === null) return false;
    const start = node.start;
    let lo = 0;
    let hi = marks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    return lo === marks.length || marks[lo]! >= node.end;
  }

  /** Visits any node; expressions and statements alike. */
  visit(node: Node): void {
    switch (node.type) {
      case 'Identifier':
        this.reference(node, RefKind.Read);
        return;
      case 'Literal':
        if (this.#censored) this.#literal(node);
        return;
      case 'MemberExpression':
        this.visit(node.object);
        if (node.computed) this.visit(node.property);
        else if (this.dollars) this.noteName(node.property.name);
        return;
      case 'CallExpression':
        if (node.callee.type === 'Identifier') this.reference(node.callee, RefKind.Callee);
        else this.visit(node.callee);
        this.#list(node.arguments);
        return;
      case 'ObjectExpression':
        if (!this.#boring(node)) this.#object(node);
        return;
      case 'TemplateLiteral':
        if (this.#censored) this.#list(node.quasis);
        this.#list(node.expressions);
        return;
      case 'ExpressionStatement':
        this.visit(node.expression);
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
      case 'BlockStatement':
        if (!this.#boring(node)) this.#block(node.body, false);
        return;
      case 'AssignmentExpression':
        if (node.left.type === 'MemberExpression') this.visit(node.left);
        else this.assignTarget(node.left, node, false);
        this.visit(node.right);
        return;
      case 'VariableDeclaration':
        this.variableDeclaration(node, null);
        return;
      case 'ConditionalExpression':
      case 'IfStatement':
        this.visit(node.test);
        this.visit(node.consequent);
        if (node.alternate) this.visit(node.alternate);
        return;
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
        if (!this.#boring(node)) this.#function(node);
        return;
      case 'FunctionDeclaration':
        if (this.#boring(node)) return;
        if (node.id) this.declare(this.scopes.depth, node.id.name);
        this.#function(node);
        return;
      case 'ArrayExpression':
        if (!this.#boring(node)) this.#list(node.elements);
        return;
      case 'NewExpression':
        this.#newCallee(node.callee);
        this.#list(node.arguments);
        return;
      case 'ThisExpression':
      case 'Super':
      case 'EmptyStatement':
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'DebuggerStatement':
      case 'PrivateIdentifier':
        return;
      case 'TemplateElement':
        this.literals.push({ start: node.start, end: node.end, kind: 'template' });
        return;
      case 'UpdateExpression':
        if (node.argument.type === 'Identifier') this.assignTarget(node.argument, node, false);
        else this.visit(node.argument);
        return;
      case 'SequenceExpression':
        this.#list(node.expressions);
        return;
      case 'ChainExpression':
      case 'ParenthesizedExpression':
        this.visit(node.expression);
        return;
      case 'ForStatement': {
        const depth = this.scopes.open(false);
        if (node.init) {
          if (node.init.type === 'VariableDeclaration') this.variableDeclaration(node.init, node);
          else this.visit(node.init);
        }
        if (node.test) this.visit(node.test);
        if (node.update) this.visit(node.update);
        this.visit(node.body);
        this.scopes.close(depth);
        return;
      }
      case 'ForInStatement':
      case 'ForOfStatement': {
        if (node.await && this.#functionDepth === 0) this.topLevelAwait ??= node;
        const depth = this.scopes.open(false);
        if (node.left.type === 'VariableDeclaration') this.variableDeclaration(node.left, node);
        else this.assignTarget(node.left, node, true);
        this.visit(node.right);
        this.visit(node.body);
        this.scopes.close(depth);
        return;
      }
      case 'WhileStatement':
      case 'DoWhileStatement':
        this.visit(node.test);
        this.visit(node.body);
        return;
      case 'ClassDeclaration':
        if (this.#boring(node)) return;
        if (node.id) this.declare(this.scopes.depth, node.id.name);
        this.#class(node);
        return;
      case 'ClassExpression':
        this.#class(node);
        return;
      case 'SwitchStatement': {
        this.visit(node.discriminant);
        const depth = this.scopes.open(false);
        for (const c of node.cases) {
          if (c.test) this.visit(c.test);
          this.#list(c.consequent);
        }
        this.scopes.close(depth);
        return;
      }
      case 'TryStatement':
        this.visit(node.block);
        if (node.handler) {
          const depth = this.scopes.open(false);
          if (node.handler.param) this.declarePattern(node.handler.param, this.scopes.depth);
          this.#block(node.handler.body.body, false);
          this.scopes.close(depth);
        }
        if (node.finalizer) this.visit(node.finalizer);
        return;
      case 'LabeledStatement':
        this.visit(node.body);
        return;
      case 'TaggedTemplateExpression':
        this.#taggedTemplate(node, false);
        return;
      case 'AwaitExpression':
        if (this.#functionDepth === 0) this.topLevelAwait ??= node;
        this.visit(node.argument);
        return;
      case 'ImportExpression':
        this.dynamicImports.push(node);
        this.visit(node.source);
        if (node.options) this.visit(node.options);
        return;
      case 'MetaProperty':
        if (node.meta.name === 'import') this.importMetas.push(node);
        return;
      case 'StaticBlock':
        this.#functionDepth += 1;
        this.#block(node.body, true);
        this.#functionDepth -= 1;
        return;
      default:
        this.#children(node);
    }
  }

  #list(nodes: readonly (Node | null)[]): void {
    for (let i = 0; i < nodes.length; i += 1) {
      const node = nodes[i];
      if (node) this.visit(node);
    }
  }

  #block(body: readonly Node[], isVar: boolean): void {
    const depth = this.scopes.open(isVar);
    this.#list(body);
    this.scopes.close(depth);
  }

  #literal(node: Node): void {
    if (node.regex) {
      this.literals.push({ start: node.start, end: node.end, kind: 'regex' });
      this.regexes.push(node);
    } else if (typeof node.value === 'string') {
      this.literals.push({ start: node.start, end: node.end, kind: 'string' });
    }
  }

  #object(node: Node): void {
    for (const property of node.properties) {
      if (property.type !== 'Property') {
        this.visit(property);
      } else if (property.shorthand && property.value.type === 'Identifier') {
        this.reference(property.value, RefKind.Shorthand);
      } else {
        if (property.computed) this.visit(property.key);
        else this.key(property.key);
        this.visit(property.value);
      }
    }
  }

  #taggedTemplate(node: Node, newCallee: boolean): void {
    if (node.tag.type === 'Identifier') this.reference(node.tag, RefKind.Callee);
    else this.visit(node.tag);
    if (this.#censored) this.taggedTemplates.push({ node, newCallee });
    this.visit(node.quasi);
  }

  #function(node: Node): void {
    const depth = this.scopes.open(false);
    this.#functionDepth += 1;
    if (node.type === 'FunctionExpression' && node.id) this.declare(this.scopes.depth, node.id.name);
    const params: Node[] = node.params;
    for (let i = 0; i < params.length; i += 1) this.declarePattern(params[i]!, this.scopes.depth);
    const body = node.body;
    if (body.type === 'BlockStatement') this.#block(body.body, true);
    else this.visit(body);
    this.#functionDepth -= 1;
    this.scopes.close(depth);
  }

  #class(node: Node): void {
    if (node.decorators) this.#list(node.decorators);
    if (node.superClass) this.visit(node.superClass);
    const depth = this.scopes.open(false);
    if (node.id) this.declare(this.scopes.depth, node.id.name);
    for (const member of node.body.body) {
      if (member.decorators) this.#list(member.decorators);
      if (member.type === 'StaticBlock') {
        this.visit(member);
        continue;
      }
      if (member.computed) this.visit(member.key);
      else this.key(member.key);
      if (!member.value) continue;
      if (member.type === 'MethodDefinition') {
        this.visit(member.value);
      } else {
        // Field initialisers run like little methods: own `this`, no `await`.
        this.#functionDepth += 1;
        const inner = this.scopes.open(true);
        this.visit(member.value);
        this.scopes.close(inner);
        this.#functionDepth -= 1;
      }
    }
    this.scopes.close(depth);
  }

  /** Visits a `new` callee, marking the identifier at the root of a member chain. */
  #newCallee(callee: Node): void {
    if (callee.type === 'Identifier') {
      this.reference(callee, RefKind.NewCallee);
    } else if (callee.type === 'MemberExpression') {
      this.#newCallee(callee.object);
      if (callee.computed) this.visit(callee.property);
    } else if (callee.type === 'TaggedTemplateExpression') {
      this.#taggedTemplate(callee, true);
    } else {
      this.visit(callee);
    }
  }

  /** Any other node: its child nodes, found by their shape. */
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

/**
 * The sorted offsets of every occurrence of `words` in `text` (the candidate names, `import`,
 * `await`): a subtree holding none of them holds nothing the walk records, provided identifiers are
 * spelled plainly (no `\u` escapes) and neither literals nor `$` names are being collected. Null
 * when there are so many that looking them up would cost more than it saves.
 */
export const markOffsets = (text: string, words: Iterable<string>): Int32Array | null => {
  const found: number[] = [];
  const limit = (text.length >> 5) + 64;
  for (const word of words) {
    for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) {
      if (found.push(at) > limit) return null;
    }
  }
  return Int32Array.from(found).sort();
};
