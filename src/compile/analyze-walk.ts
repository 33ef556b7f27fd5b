/**
 * The walk behind `analyzeModule` (src/compile/analyze.ts): one pass over the AST recording every
 * identifier reference with its scope and the statically known member path after it, every
 * declaration (module bindings tagged with the specifier and member path they hold), and the
 * `require`/`import` sites. Names are resolved after the walk, when every declaration is known
 * (hoisting), by analyze.ts. Nothing here allocates per node beyond the records themselves.
 */
import type { Node } from './mjs/scope.js';

export const enum Use {
  Read,
  Write,
  /** The member chain is a call's callee (`a.b()`): for globals the method name is dropped. */
  Call,
}

/** What a binding holds when it comes from a module: `spec`'s member `prefix` (`''`: the module itself). */
export interface ModuleTag {
  readonly spec: string;
  readonly prefix: string;
  /** The scope of the `require()` call (null for `import`): `require` must not be shadowed there. */
  readonly requireScope: Scope | null;
  used: boolean;
  escaped: boolean;
}

export class Scope {
  readonly parent: Scope | null;
  readonly isVar: boolean;
  names: Map<string, ModuleTag | null> | null = null;

  constructor(parent: Scope | null, isVar: boolean) {
    this.parent = parent;
    this.isVar = isVar;
  }

  declare(name: string, tag: ModuleTag | null): void {
    const names = (this.names ??= new Map());
    const old = names.get(name);
    if (old === undefined) {
      names.set(name, tag);
    } else if (old !== null || tag !== null) {
      // Declared twice with a module value: as good as reassigned.
      if (old !== null) old.escaped = true;
      if (tag !== null) tag.escaped = true;
    }
  }
}

export interface Ref {
  readonly name: string;
  readonly scope: Scope;
  /** The member path after the name (`env.NODE_ENV`), `''` for the bare name. */
  readonly tail: string;
  readonly use: Use;
}

/** A module loaded outside a binding: `path` used (`''`: nothing, null: everything). */
export interface SpecifierUse {
  readonly spec: string;
  readonly path: string | null;
  readonly requireScope: Scope | null;
}

export interface DynamicSite {
  readonly kind: 'require' | 'import';
  readonly start: number;
  readonly requireScope: Scope | null;
}

/** A value whose members destructuring reads: a module's member or a name's member path. */
type Source = { readonly tag: ModuleTag } | { readonly name: string; readonly tail: string } | null;

/** The key of a non-computed or string-literal member/property, else null. */
const staticKey = (computed: boolean, key: Node): string | null => {
  if (!computed) return key.type === 'Identifier' ? key.name : key.type === 'Literal' && typeof key.value === 'string' ? key.value : null;
  return key.type === 'Literal' && typeof key.value === 'string' ? key.value : null;
};

/** The string of a literal argument (`'x'`, `` `x` ``), else null. */
export const literalString = (node: Node | undefined): string | null => {
  if (node === undefined) return null;
  if (node.type === 'Literal') return typeof node.value === 'string' ? node.value : null;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked ?? null;
  return null;
};

const hasLexical = (body: readonly Node[]): boolean => {
  for (let i = 0; i < body.length; i += 1) {
    const s = body[i]!;
    if (s.type === 'FunctionDeclaration' || s.type === 'ClassDeclaration' || (s.type === 'VariableDeclaration' && s.kind !== 'var')) return true;
  }
  return false;
};

export class AnalysisWalker {
  readonly module = new Scope(null, true);
  readonly refs: Ref[] = [];
  readonly tags: ModuleTag[] = [];
  readonly uses: SpecifierUse[] = [];
  readonly dynamic: DynamicSite[] = [];
  scope: Scope = this.module;

  #ref(name: string, tail: string, use: Use): void {
    this.refs.push({ name, scope: this.scope, tail, use });
  }

  #tag(spec: string, prefix: string, requireScope: Scope | null): ModuleTag {
    const tag: ModuleTag = { spec, prefix, requireScope, used: false, escaped: false };
    this.tags.push(tag);
    return tag;
  }

  #use(spec: string, path: string | null, requireScope: Scope | null): void {
    this.uses.push({ spec, path, requireScope });
  }

  #varScope(): Scope {
    let s = this.scope;
    while (!s.isVar) s = s.parent!;
    return s;
  }

  /** `require('literal')`: records the `require` reference and returns the specifier; else null. */
  #require(node: Node): string | null {
    if (node.type !== 'CallExpression' || node.callee.type !== 'Identifier' || node.callee.name !== 'require') return null;
    const spec = literalString(node.arguments[0]);
    if (spec === null) return null;
    this.#ref('require', '', Use.Read);
    this.#use(spec, '', this.scope);
    return spec;
  }

  /** Visits any node. */
  visit(node: Node): void {
    switch (node.type) {
      case 'Identifier':
        this.#ref(node.name, '', Use.Read);
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
        this.#member(node, Use.Read);
        return;
      case 'CallExpression':
        this.#call(node);
        return;
      case 'ExpressionStatement':
        if (this.#require(node.expression) === null) this.visit(node.expression);
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
        if (node.type === 'UpdateExpression' || node.operator === 'delete') this.#target(node.argument);
        else this.visit(node.argument);
        return;
      case 'BlockStatement':
        this.#block(node.body);
        return;
      case 'AssignmentExpression':
        this.#target(node.left);
        this.visit(node.right);
        return;
      case 'VariableDeclaration':
        this.#declaration(node);
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
          const varScope = this.#varScope();
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
          if (head.type === 'VariableDeclaration') this.#declaration(head);
          else if (node.type === 'ForStatement') this.visit(head);
          else this.#target(head);
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
          if (node.handler.param) this.#bind(node.handler.param, this.scope, null);
          this.#list(node.handler.body.body);
          this.scope = outer;
        }
        if (node.finalizer) this.visit(node.finalizer);
        return;
      case 'ImportExpression': {
        const spec = literalString(node.source);
        if (spec !== null) this.#use(spec, null, null);
        else this.dynamic.push({ kind: 'import', start: node.start, requireScope: null });
        this.visit(node.source);
        if (node.options) this.visit(node.options);
        return;
      }
      case 'ImportDeclaration': {
        const spec: string = node.source.value;
        this.#use(spec, '', null);
        for (const s of node.specifiers) {
          const imported = s.type === 'ImportSpecifier' ? (s.imported.type === 'Identifier' ? s.imported.name : s.imported.value) : 'default';
          this.module.declare(s.local.name, this.#tag(spec, imported === 'default' ? '' : imported, null));
        }
        return;
      }
      case 'ExportNamedDeclaration':
        if (node.declaration) {
          this.visit(node.declaration);
        } else if (node.source) {
          const spec: string = node.source.value;
          this.#use(spec, '', null);
          for (const s of node.specifiers) {
            const local: string = s.local.type === 'Identifier' ? s.local.name : s.local.value;
            this.#use(spec, local === 'default' ? null : local, null);
          }
        } else {
          for (const s of node.specifiers) if (s.local.type === 'Identifier') this.#ref(s.local.name, '', Use.Read);
        }
        return;
      case 'ExportDefaultDeclaration':
        this.visit(node.declaration);
        return;
      case 'ExportAllDeclaration':
        this.#use(node.source.value, null, null);
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

  /**
   * A member chain: the name (or `require()` call) at its root and the static path after it, up to
   * the first computed member with a non-literal key (whose key is visited).
   */
  #member(node: Node, use: Use): void {
    let segments: string[] | null = null;
    let cut = false;
    let n = node;
    while (n.type === 'MemberExpression') {
      const key = staticKey(n.computed, n.property);
      if (key === null) {
        segments = null;
        cut = true;
        if (n.computed) this.visit(n.property);
      } else {
        (segments ??= []).push(key);
      }
      n = n.object;
    }
    const tail = segments === null ? '' : segments.length === 1 ? segments[0]! : segments.reverse().join('.');
    const kind = use === Use.Call && cut ? Use.Read : use;
    if (n.type === 'Identifier') {
      this.#ref(n.name, tail, kind);
      return;
    }
    const spec = this.#require(n);
    if (spec !== null) this.#use(spec, use === Use.Write || tail === '' ? null : tail, this.scope);
    else this.visit(n);
  }

  #callee(callee: Node, use: Use): void {
    if (callee.type === 'Identifier') this.#ref(callee.name, '', Use.Read);
    else if (callee.type === 'MemberExpression') this.#member(callee, use);
    else this.visit(callee);
  }

  #call(node: Node): void {
    const callee = node.callee;
    if (callee.type === 'Identifier' && callee.name === 'require') {
      const spec = this.#require(node);
      if (spec !== null) {
        // A module value used other than through a member or a binding: everything.
        this.#use(spec, null, this.scope);
        return;
      }
      if (node.arguments.length > 0) this.dynamic.push({ kind: 'require', start: node.start, requireScope: this.scope });
    }
    this.#callee(callee, Use.Call);
    this.#list(node.arguments);
  }

  /** An assignment, update or `delete` target: names and member paths written. */
  #target(target: Node): void {
    switch (target.type) {
      case 'Identifier':
        this.#ref(target.name, '', Use.Write);
        return;
      case 'MemberExpression':
        this.#member(target, Use.Write);
        return;
      case 'ObjectPattern':
        for (const property of target.properties) {
          if (property.type === 'RestElement') {
            this.#target(property.argument);
          } else {
            if (property.computed) this.visit(property.key);
            this.#target(property.value);
          }
        }
        return;
      case 'ArrayPattern':
        for (const element of target.elements) if (element) this.#target(element);
        return;
      case 'RestElement':
        this.#target(target.argument);
        return;
      case 'AssignmentPattern':
        this.#target(target.left);
        this.visit(target.right);
        return;
      default:
        this.visit(target);
    }
  }

  /** What destructuring `init` reads members of, recording the `require()`/`import()` it loads. */
  #source(init: Node): Source {
    let n = init;
    let segments: string[] | null = null;
    while (n.type === 'MemberExpression') {
      const key = staticKey(n.computed, n.property);
      if (key === null) return null;
      (segments ??= []).push(key);
      n = n.object;
    }
    const tail = segments === null ? '' : segments.reverse().join('.');
    if (n.type === 'Identifier') return { name: n.name, tail };
    if (n.type === 'AwaitExpression' && n.argument.type === 'ImportExpression') {
      const spec = literalString(n.argument.source);
      if (spec === null) return null;
      this.#use(spec, '', null);
      return { tag: this.#tag(spec, tail, null) };
    }
    const spec = this.#require(n);
    return spec === null ? null : { tag: this.#tag(spec, tail, this.scope) };
  }

  #declaration(node: Node): void {
    const scope = node.kind === 'var' ? this.#varScope() : this.scope;
    for (const declarator of node.declarations) {
      const id: Node = declarator.id;
      const init: Node | null = declarator.init;
      const source = init === null ? null : this.#source(init);
      if (source !== null && 'tag' in source) {
        this.#bind(id, scope, source);
      } else {
        // A plain value (or a name, whose member reads the pattern records): visit it as such.
        this.#bind(id, scope, id.type === 'ObjectPattern' ? source : null);
        if (init !== null && (source === null || id.type !== 'ObjectPattern')) this.visit(init);
      }
    }
  }

  /** The whole of `source` is used (a rest element, an array pattern, a computed key). */
  #escape(source: Source): void {
    if (source === null) return;
    if ('tag' in source) source.tag.escaped = true;
    else this.#ref(source.name, source.tail, Use.Read);
  }

  /** Declares the names `pattern` binds in `scope`; `source` is what it destructures. */
  #bind(pattern: Node, scope: Scope, source: Source): void {
    switch (pattern.type) {
      case 'Identifier':
        if (source !== null && 'tag' in source) scope.declare(pattern.name, source.tag);
        else {
          scope.declare(pattern.name, null);
          if (source !== null) this.#ref(source.name, source.tail, Use.Read);
        }
        return;
      case 'ObjectPattern':
        if (source !== null && 'tag' in source) source.tag.used = true;
        for (const property of pattern.properties) {
          if (property.type === 'RestElement') {
            this.#escape(source);
            this.#bind(property.argument, scope, null);
            continue;
          }
          const key = staticKey(property.computed, property.key);
          if (property.computed) this.visit(property.key);
          let inner: Source = null;
          if (key === null) this.#escape(source);
          else if (source !== null && 'tag' in source) {
            const { spec, prefix, requireScope } = source.tag;
            inner = { tag: this.#tag(spec, prefix === '' ? key : `${prefix}.${key}`, requireScope) };
          } else if (source !== null) inner = { name: source.name, tail: source.tail === '' ? key : `${source.tail}.${key}` };
          this.#bind(property.value, scope, inner);
        }
        return;
      case 'ArrayPattern':
        this.#escape(source);
        for (const element of pattern.elements) if (element) this.#bind(element, scope, null);
        return;
      case 'RestElement':
        this.#bind(pattern.argument, scope, null);
        return;
      case 'AssignmentPattern':
        this.#bind(pattern.left, scope, source);
        this.visit(pattern.right);
        return;
      default:
        this.visit(pattern);
    }
  }

  #function(node: Node): void {
    const outer = this.scope;
    const scope = (this.scope = new Scope(outer, true));
    if (node.type !== 'ArrowFunctionExpression') scope.declare('arguments', null);
    if (node.type === 'FunctionExpression' && node.id) scope.declare(node.id.name, null);
    for (const param of node.params) this.#bind(param, scope, null);
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
