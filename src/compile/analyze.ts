/**
 * What a module asks of its environment, for policy generation (src/policy/generate.ts): the
 * globals it reaches (free references, as the deepest statically known member path), the members
 * it uses of each module it imports or requires, its computed `require()`/`import()` calls, and
 * whether it loads native code. One parse and one walk (analyze-walk.ts, analyze-bindings.ts); names are resolved once
 * every declaration is known, so hoisting and shadowing are exact.
 *
 * The path of a global used as a call's callee stops at the callee's object
 * (`process.env.FOO.toString()` → `process.env.FOO`, `console.log()` → `console`): a method called
 * on a global needs that global as its `this`. Member paths of *modules* keep the method
 * (`fs.readFileSync()` → `readFileSync`), since a builtin's grant is a selection of its members.
 */
import { lineColumnOf } from '../model/index.js';
import { Use, type ModuleTag, type Ref, type Scope } from './analyze-bindings.js';
import { AnalysisWalker } from './analyze-walk.js';
import { GLOBAL_OBJECT_NAMES, LANGUAGE_GLOBALS } from '../model/language-globals.js';
import { parseModuleText, parseScriptText } from './parse.js';

export { LANGUAGE_GLOBALS } from '../model/language-globals.js';

export type GlobalAccess = 'read' | 'write';

export interface DynamicLoad {
  readonly kind: 'require' | 'import';
  /** 1-based. */
  readonly line: number;
  /** 0-based, in UTF-16 code units. */
  readonly column: number;
}

export interface ModuleAnalysis {
  /** Free (global) references as dotted paths (`process.env.NODE_ENV`, `fetch`) → access. */
  readonly globals: ReadonlyMap<string, GlobalAccess>;
  /** Literal specifier → the member paths used on it (`readFileSync`, `promises.readFile`), or `'all'`. */
  readonly specifiers: ReadonlyMap<string, 'all' | ReadonlySet<string>>;
  /** `require(x)` and `import(x)` with a computed argument. */
  readonly dynamic: readonly DynamicLoad[];
  /** Whether the module reads `process.dlopen` or requires a `.node` file. */
  readonly native: boolean;
}

/** The names CommonJS's module wrapper binds (and `arguments`, the wrapper function's own). */
const CJS_WRAPPER_NAMES = ['require', 'module', 'exports', '__filename', '__dirname', 'arguments'] as const;

/** Whether `name` referenced from `scope` is not declared in any scope below the module's. */
const unshadowedBelowModule = (name: string, scope: Scope | null): boolean => {
  for (let s = scope; s !== null && s.parent !== null; s = s.parent) {
    if (s.names !== null && s.names.has(name)) return false;
  }
  return true;
};

/** The binding `name` means from `scope`: undefined when free, null for a plain local. */
const lookup = (name: string, scope: Scope): ModuleTag | null | undefined => {
  for (let s: Scope | null = scope; s !== null; s = s.parent) {
    if (s.names !== null) {
      const found = s.names.get(name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
};

class Collector {
  readonly globals = new Map<string, GlobalAccess>();
  readonly specifiers = new Map<string, Set<string> | 'all'>();
  native = false;

  global(ref: Ref): void {
    let segments = ref.tail === '' ? [ref.name] : [ref.name, ...ref.tail.split('.')];
    let first = 0;
    while (GLOBAL_OBJECT_NAMES.has(segments[first]!)) {
      first += 1;
      // The global object itself (`typeof window`, `globalThis[x]`): nothing static.
      if (first === segments.length) return;
    }
    if (first > 0) segments = segments.slice(first);
    if (LANGUAGE_GLOBALS.has(segments[0]!)) return;
    if (segments[0] === 'process' && segments[1] === 'dlopen') this.native = true;
    // A method of a global (`console.log()`, `process.cwd()`) is the member it needs (a dotted grant's
    // view calls it on its owner); deeper, the callee is a method of a value (`process.env.X.trim()`,
    // `process.stdout.write()`): the value is what is needed.
    if (ref.use === Use.Call && segments.length > 2) segments.pop();
    const path = segments.join('.');
    const access: GlobalAccess = ref.use === Use.Write ? 'write' : 'read';
    if (access === 'write' || !this.globals.has(path)) this.globals.set(path, access);
  }

  /** Records a use of `spec`: a member path, `''` (loaded, nothing used) or null (everything). */
  use(spec: string, path: string | null): void {
    if (spec.endsWith('.node')) this.native = true;
    const current = this.specifiers.get(spec);
    if (current === 'all') return;
    if (path === null) this.specifiers.set(spec, 'all');
    else if (current === undefined) this.specifiers.set(spec, path === '' ? new Set() : new Set([path]));
    else if (path !== '') current.add(path);
  }

  tagged(tag: ModuleTag, ref: Ref): void {
    tag.used = true;
    if (ref.use === Use.Write) tag.escaped = true;
    else if (ref.tail === '') this.#whole(tag);
    else this.use(tag.spec, tag.prefix === '' ? ref.tail : `${tag.prefix}.${ref.tail}`);
  }

  #whole(tag: ModuleTag): void {
    this.use(tag.spec, tag.prefix === '' ? null : tag.prefix);
  }

  finish(tags: readonly ModuleTag[]): void {
    for (const tag of tags) {
      if (!(tag.requireScope === null || unshadowedBelowModule('require', tag.requireScope))) continue;
      if (tag.escaped) this.#whole(tag);
      else if (!tag.used && tag.prefix !== '') this.use(tag.spec, tag.prefix);
    }
  }
}

/**
 * Analyses a module's text. `language` is the goal it is parsed with: `'mjs'` as a module, `'cjs'`
 * as a CommonJS body (as the CommonJS compiler parses it). Throws `CORDON_SYNTAX_ERROR` when the
 * text does not parse.
 */
export const analyzeModule = (text: string, language: 'mjs' | 'cjs', file?: string): ModuleAnalysis => {
  const { program } = language === 'mjs' ? parseModuleText(text, file, false) : parseScriptText(text, file);
  const walker = new AnalysisWalker();
  if (language === 'cjs') for (const name of CJS_WRAPPER_NAMES) walker.module.declare(name, null);
  walker.visit(program as never);

  const out = new Collector();
  for (const ref of walker.refs) {
    const binding = lookup(ref.name, ref.scope);
    if (binding === undefined) out.global(ref);
    else if (binding !== null && (binding.requireScope === null || unshadowedBelowModule('require', binding.requireScope))) out.tagged(binding, ref);
  }
  for (const use of walker.uses) {
    if (use.requireScope === null || unshadowedBelowModule('require', use.requireScope)) out.use(use.spec, use.path);
  }
  out.finish(walker.tags);

  const dynamic: DynamicLoad[] = [];
  for (const site of walker.dynamic) {
    if (site.requireScope !== null && !unshadowedBelowModule('require', site.requireScope)) continue;
    const { line, column } = lineColumnOf(text, site.start);
    dynamic.push({ kind: site.kind, line, column });
  }
  return { globals: out.globals, specifiers: out.specifiers, dynamic, native: out.native };
};
