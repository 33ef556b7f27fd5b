/**
 * The walk behind `analyzeModule` (src/compile/analyze.ts): one pass over the AST, statements and
 * expressions; the bindings, member paths and module sites it meets are recorded by
 * analyze-bindings.ts. Names are resolved after the walk by analyze.ts.
 */
import { BindingRecorder, literalString, Scope, Use, hasLexical } from './analyze-bindings.js';
import type { Node } from './mjs/scope.js';

export class AnalysisWalker extends BindingRecorder {
  /** Visits any node. */
  visit(node: Node): void {
    switch (node.type) {
      case 'Identifier':
        this.ref(node.name, '', Use.Read);
        return;
      case 'Literal':
      case 'ThisExpression':
      case 'Super':
      case 'EmptyStatement':
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'DebuggerStatement':
      case 'PrivateIdentifier':
      case 'MetaProperty':
      case 'TemplateElement':
        return;
      case 'MemberExpression':
        this.member(node, Use.Read);
        return;
      case 'CallExpression':
        this.#call(node);
        return;
      case 'ExpressionStatement':
        if (this.require(node.expression) === null) this.visit(node.expression);
        return;
      case 'ObjectExpression':
        for (const property of node.properties) {
          if (property.type !== 'Property') {
            this.visit(property);
          } else {
            if (property.computed) this.visit(property.key);
            this.visit(property.value);
          }
        }
        return;
      case 'BinaryExpression':
      case 'LogicalExpression':
        this.visit(node.left);
        this.visit(node.right);
        return;
      case 'ReturnStatement':
      case 'ThrowStatement':
      case 'SpreadElement':
      case 'YieldExpression':
      case 'AwaitExpression':
        if (node.argument) this.visit(node.argument);
        return;
      case 'UnaryExpression':
      case 'UpdateExpression':
        if (node.type === 'UpdateExpression' || node.operator === 'delete') this.target(node.argument);
        else this.visit(node.argument);
        return;
      case 'BlockStatement':
        this.#block(node.body);
        return;
      case 'AssignmentExpression':
        this.target(node.left);
        this.visit(node.right);
        return;
      case 'VariableDeclaration':
        this.declaration(node);
        return;
      case 'ConditionalExpression':
      case 'IfStatement':
        this.visit(node.test);
        this.visit(node.consequent);
        if (node.alternate) this.visit(node.alternate);
        return;
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
        this.#function(node);
        return;
      case 'FunctionDeclaration':
        if (node.id) {
          this.scope.declare(node.id.name, null);
          // Sloppy-mode blocks hoist function declarations to the function too (Annex B).
          const varScope = this.varScope();
          if (varScope !== this.scope) varScope.declare(node.id.name, null);
        }
        this.#function(node);
        return;
      case 'ArrayExpression':
        for (const element of node.elements) if (element) this.visit(element);
        return;
      case 'NewExpression':
        this.#callee(node.callee, Use.Read);
        this.#list(node.arguments);
        return;
      case 'SequenceExpression':
        this.#list(node.expressions);
        return;
      case 'TemplateLiteral':
        this.#list(node.expressions);
        return;
      case 'TaggedTemplateExpression':
        this.#callee(node.tag, Use.Call);
        this.#list(node.quasi.expressions);
        return;
      case 'ChainExpression':
      case 'ParenthesizedExpression':
        this.visit(node.expression);
        return;
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const outer = this.scope;
        const head = node.type === 'ForStatement' ? node.init : node.left;
        if (head && head.type === 'VariableDeclaration' && head.kind !== 'var') this.scope = new Scope(outer, false);
        if (head) {
          if (head.type === 'VariableDeclaration') this.declaration(head);
          else if (node.type === 'ForStatement') this.visit(head);
          else this.target(head);
        }
        if (node.type === 'ForStatement') {
          if (node.test) this.visit(node.test);
          if (node.update) this.visit(node.update);
        } else {
          this.visit(node.right);
        }
        this.visit(node.body);
        this.scope = outer;
        return;
      }
      case 'WhileStatement':
      case 'DoWhileStatement':
        this.visit(node.test);
        this.visit(node.body);
        return;
      case 'WithStatement':
        this.visit(node.object);
        this.visit(node.body);
        return;
      case 'LabeledStatement':
        this.visit(node.body);
        return;
      case 'ClassDeclaration':
        if (node.id) this.scope.declare(node.id.name, null);
        this.#class(node);
        return;
      case 'ClassExpression':
        this.#class(node);
        return;
      case 'SwitchStatement': {
        this.visit(node.discriminant);
        const outer = this.scope;
        this.scope = new Scope(outer, false);
        for (const c of node.cases) {
          if (c.test) this.visit(c.test);
          this.#list(c.consequent);
        }
        this.scope = outer;
        return;
      }
      case 'TryStatement':
        this.visit(node.block);
        if (node.handler) {
          const outer = this.scope;
          this.scope = new Scope(outer, false);
          if (node.handler.param) this.bind(node.handler.param, this.scope, null);
          this.#list(node.handler.body.body);
          this.scope = outer;
        }
        if (node.finalizer) this.visit(node.finalizer);
        return;
      case 'ImportExpression': {
        const spec = literalString(node.source);
        if (spec !== null) this.use(spec, null, null);
        else this.dynamic.push({ kind: 'import', start: node.start, requireScope: null });
        this.visit(node.source);
        if (node.options) this.visit(node.options);
        return;
      }
      case 'ImportDeclaration': {
        const spec: string = node.source.value;
        this.use(spec, '', null);
        for (const s of node.specifiers) {
          const imported = s.type === 'ImportSpecifier' ? (s.imported.type === 'Identifier' ? s.imported.name : s.imported.value) : 'default';
          this.module.declare(s.local.name, this.tag(spec, imported === 'default' ? '' : imported, null));
        }
        return;
      }
      case 'ExportNamedDeclaration':
        if (node.declaration) {
          this.visit(node.declaration);
        } else if (node.source) {
          const spec: string = node.source.value;
          this.use(spec, '', null);
          for (const s of node.specifiers) {
            const local: string = s.local.type === 'Identifier' ? s.local.name : s.local.value;
            this.use(spec, local === 'default' ? null : local, null);
          }
        } else {
          for (const s of node.specifiers) if (s.local.type === 'Identifier') this.ref(s.local.name, '', Use.Read);
        }
        return;
      case 'ExportDefaultDeclaration':
        this.visit(node.declaration);
        return;
      case 'ExportAllDeclaration':
        this.use(node.source.value, null, null);
        return;
      case 'StaticBlock': {
        const outer = this.scope;
        this.scope = new Scope(outer, true);
        this.#list(node.body);
        this.scope = outer;
        return;
      }
      case 'Program':
        this.#list(node.body);
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

  #block(body: readonly Node[]): void {
    if (!hasLexical(body)) {
      this.#list(body);
      return;
    }
    const outer = this.scope;
    this.scope = new Scope(outer, false);
    this.#list(body);
    this.scope = outer;
  }


  #callee(callee: Node, use: Use): void {
    if (callee.type === 'Identifier') this.ref(callee.name, '', Use.Read);
    else if (callee.type === 'MemberExpression') this.member(callee, use);
    else this.visit(callee);
  }

  #call(node: Node): void {
    const callee = node.callee;
    if (callee.type === 'Identifier' && callee.name === 'require') {
      const spec = this.require(node);
      if (spec !== null) {
        // A module value used other than through a member or a binding: everything.
        this.use(spec, null, this.scope);
        return;
      }
      if (node.arguments.length > 0) this.dynamic.push({ kind: 'require', start: node.start, requireScope: this.scope });
    }
    this.#callee(callee, Use.Call);
    this.#list(node.arguments);
  }






  #function(node: Node): void {
    const outer = this.scope;
    const scope = (this.scope = new Scope(outer, true));
    if (node.type !== 'ArrowFunctionExpression') scope.declare('arguments', null);
    if (node.type === 'FunctionExpression' && node.id) scope.declare(node.id.name, null);
    for (const param of node.params) this.bind(param, scope, null);
    if (node.body.type === 'BlockStatement') this.#list(node.body.body);
    else this.visit(node.body);
    this.scope = outer;
  }

  #class(node: Node): void {
    if (node.decorators) this.#list(node.decorators);
    if (node.superClass) this.visit(node.superClass);
    const outer = this.scope;
    this.scope = new Scope(outer, false);
    if (node.type === 'ClassExpression' && node.id) this.scope.declare(node.id.name, null);
    for (const member of node.body.body) {
      if (member.decorators) this.#list(member.decorators);
      if (member.type === 'StaticBlock') {
        this.visit(member);
        continue;
      }
      if (member.computed) this.visit(member.key);
      if (member.value) this.visit(member.value);
    }
    this.scope = outer;
  }

  /** Any other node: its child nodes, found by their shape. */
  #children(node: Node): void {
    for (const key in node) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'range' || key === 'loc') continue;
      const value = node[key];
      if (value === null || typeof value !== 'object') continue;
      if (Array.isArray(value)) {
        for (const child of value) if (child !== null && typeof child?.type === 'string') this.visit(child);
      } else if (typeof value.type === 'string') {
        this.visit(value);
      }
    }
  }
}
