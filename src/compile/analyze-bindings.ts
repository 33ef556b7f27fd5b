/**
 * The records of the analysis walk (src/compile/analyze-walk.ts) and the half of it that knows
 * bindings: every identifier reference with its scope and the statically known member path after
 * it, every declaration (module values' bindings tagged with the specifier and member path they
 * hold), destructuring, assignment targets and the `require`/`import` sites. Names are resolved
 * after the walk, when every declaration is known (hoisting), by analyze.ts.
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

export const hasLexical = (body: readonly Node[]): boolean => {
  for (let i = 0; i < body.length; i += 1) {
    const s = body[i]!;
    if (s.type === 'FunctionDeclaration' || s.type === 'ClassDeclaration' || (s.type === 'VariableDeclaration' && s.kind !== 'var')) return true;
  }
  return false;
};

export abstract class BindingRecorder {
  readonly module = new Scope(null, true);
  readonly refs: Ref[] = [];
  readonly tags: ModuleTag[] = [];
  readonly uses: SpecifierUse[] = [];
  readonly dynamic: DynamicSite[] = [];
  scope: Scope = this.module;

  protected ref(name: string, tail: string, use: Use): void {
    this.refs.push({ name, scope: this.scope, tail, use });
  }

  protected tag(spec: string, prefix: string, requireScope: Scope | null): ModuleTag {
    const tag: ModuleTag = { spec, prefix, requireScope, used: false, escaped: false };
    this.tags.push(tag);
    return tag;
  }

  protected use(spec: string, path: string | null, requireScope: Scope | null): void {
    this.uses.push({ spec, path, requireScope });
  }

  protected varScope(): Scope {
    let s = this.scope;
    while (!s.isVar) s = s.parent!;
    return s;
  }

  /** `require('literal')`: records the `require` reference and returns the specifier; else null. */
  protected require(node: Node): string | null {
    if (node.type !== 'CallExpression' || node.callee.type !== 'Identifier' || node.callee.name !== 'require') return null;
    const spec = literalString(node.arguments[0]);
    if (spec === null) return null;
    this.ref('require', '', Use.Read);
    this.use(spec, '', this.scope);
    return spec;
  }

  /** Visits any node (defaults, computed keys and initialisers are expressions). */
  abstract visit(node: Node): void;

  /**
   * A member chain: the name (or `require()` call) at its root and the static path after it, up to
   * the first computed member with a non-literal key (whose key is visited).
   */
  protected member(node: Node, use: Use): void {
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
      this.ref(n.name, tail, kind);
      return;
    }
    const spec = this.require(n);
    if (spec !== null) this.use(spec, use === Use.Write || tail === '' ? null : tail, this.scope);
    else this.visit(n);
  }

  /** An assignment, update or `delete` target: names and member paths written. */
  protected target(target: Node): void {
    switch (target.type) {
      case 'Identifier':
        this.ref(target.name, '', Use.Write);
        return;
      case 'MemberExpression':
        this.member(target, Use.Write);
        return;
      case 'ObjectPattern':
        for (const property of target.properties) {
          if (property.type === 'RestElement') {
            this.target(property.argument);
          } else {
            if (property.computed) this.visit(property.key);
            this.target(property.value);
          }
        }
        return;
      case 'ArrayPattern':
        for (const element of target.elements) if (element) this.target(element);
        return;
      case 'RestElement':
        this.target(target.argument);
        return;
      case 'AssignmentPattern':
        this.target(target.left);
        this.visit(target.right);
        return;
      default:
        this.visit(target);
    }
  }

  /** What destructuring `init` reads members of, recording the `require()`/`import()` it loads. */
  protected source(init: Node): Source {
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
      this.use(spec, '', null);
      return { tag: this.tag(spec, tail, null) };
    }
    const spec = this.require(n);
    return spec === null ? null : { tag: this.tag(spec, tail, this.scope) };
  }

  protected declaration(node: Node): void {
    const scope = node.kind === 'var' ? this.varScope() : this.scope;
    for (const declarator of node.declarations) {
      const id: Node = declarator.id;
      const init: Node | null = declarator.init;
      const source = init === null ? null : this.source(init);
      if (source !== null && 'tag' in source) {
        this.bind(id, scope, source);
      } else {
        // A plain value (or a name, whose member reads the pattern records): visit it as such.
        this.bind(id, scope, id.type === 'ObjectPattern' ? source : null);
        if (init !== null && (source === null || id.type !== 'ObjectPattern')) this.visit(init);
      }
    }
  }

  /** The whole of `source` is used (a rest element, an array pattern, a computed key). */
  protected escape(source: Source): void {
    if (source === null) return;
    if ('tag' in source) source.tag.escaped = true;
    else this.ref(source.name, source.tail, Use.Read);
  }

  /** Declares the names `pattern` binds in `scope`; `source` is what it destructures. */
  protected bind(pattern: Node, scope: Scope, source: Source): void {
    switch (pattern.type) {
      case 'Identifier':
        if (source !== null && 'tag' in source) scope.declare(pattern.name, source.tag);
        else {
          scope.declare(pattern.name, null);
          if (source !== null) this.ref(source.name, source.tail, Use.Read);
        }
        return;
      case 'ObjectPattern':
        if (source !== null && 'tag' in source) source.tag.used = true;
        for (const property of pattern.properties) {
          if (property.type === 'RestElement') {
            this.escape(source);
            this.bind(property.argument, scope, null);
            continue;
          }
          const key = staticKey(property.computed, property.key);
          if (property.computed) this.visit(property.key);
          let inner: Source = null;
          if (key === null) this.escape(source);
          else if (source !== null && 'tag' in source) {
            const { spec, prefix, requireScope } = source.tag;
            inner = { tag: this.tag(spec, prefix === '' ? key : `${prefix}.${key}`, requireScope) };
          } else if (source !== null) inner = { name: source.name, tail: source.tail === '' ? key : `${source.tail}.${key}` };
          this.bind(property.value, scope, inner);
        }
        return;
      case 'ArrayPattern':
        this.escape(source);
        for (const element of pattern.elements) if (element) this.bind(element, scope, null);
        return;
      case 'RestElement':
        this.bind(pattern.argument, scope, null);
        return;
      case 'AssignmentPattern':
        this.bind(pattern.left, scope, source);
        this.visit(pattern.right);
        return;
      default:
        this.visit(pattern);
    }
  }
}
