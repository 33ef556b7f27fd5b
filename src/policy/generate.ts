/**
 * Policy generation (trust on first use): the LavaMoat `policy.json` that grants each package what
 * its modules were seen to use (src/compile/analyze.ts), and nothing more. Pure: the caller loads
 * the graph, analyses each module and says what each specifier resolved to.
 *
 * Per package: `globals` reduced to the topmost paths (`process.env` covers `process.env.X` when at
 * least as strong; `"write"` is stronger than read), `builtin` (`fs` when a module uses all of it,
 * else its member paths `fs.readFileSync`; `node:fs` and `fs` are one module; `fs/promises` keeps its
 * name), `packages` (the canonical names reached) and `native`. Empty fields are left out, and so are
 * resources with nothing in them unless another resource's `packages` names them. Every key is
 * sorted by code point, so `JSON.stringify` of the result is stable.
 */
import type { ModuleAnalysis } from '../compile/analyze.js';
import type { LavaMoatPolicy, LavaMoatResourcePolicy } from './types.js';
import { builtinNameOf } from '../model/index.js';
import { ROOT_NAME } from './normalize.js';
import { compareCodePoints } from './readonly.js';

export { compareCodePoints, ROOT_NAME };

export type SpecifierResolution =
  | { readonly type: 'package'; readonly canonicalName: string }
  | { readonly type: 'builtin'; readonly name: string }
  | { readonly type: 'local' }
  | { readonly type: 'unresolved' };

export interface AnalyzedModuleInfo {
  /** The compartment label: `$root$`, `a`, `a>b`. */
  readonly canonicalName: string;
  /** The module's location, for messages. */
  readonly file: string;
  readonly analysis: ModuleAnalysis;
  /** Specifier → what it resolved to (a builtin's name without `node:`). */
  readonly resolutions: ReadonlyMap<string, SpecifierResolution>;
}

export interface GeneratePolicyOptions {
  /** Write a resource for the entry package (`$root$`) too; by default the root is trusted. */
  readonly includeRoot?: boolean;
}

export interface DynamicRequireWarning {
  readonly canonicalName: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly kind: 'require' | 'import';
}

const sortedKeys = (keys: Iterable<string>): string[] => [...keys].sort(compareCodePoints);

type Access = 'read' | 'write';

/**
 * Drops every path covered by a shorter one with the same or stronger access: `x.y.z` goes when
 * `x.y` or `x` is there, unless the path is a write and the shorter one only a read.
 */
export const reduceToTopmost = (paths: ReadonlyMap<string, Access>): Map<string, Access> => {
  const kept = new Map<string, Access>();
  for (const [path, access] of paths) {
    let covered = false;
    for (let dot = path.indexOf('.'); dot >= 0 && !covered; dot = path.indexOf('.', dot + 1)) {
      // Any grant of a parent covers its members: `process: true` gives the real `process`, through
      // which `process.env.DEBUG = …` writes (only the global's own binding needs "write").
      covered = paths.has(path.slice(0, dot));
    }
    if (!covered) kept.set(path, access);
  }
  return kept;
};

class PackageUse {
  readonly globals = new Map<string, Access>();
  /** Builtin name → member paths used, or `'all'`. */
  readonly builtins = new Map<string, Set<string> | 'all'>();
  readonly packages = new Set<string>();
  native = false;

  addGlobal(path: string, access: Access): void {
    if (access === 'write' || !this.globals.has(path)) this.globals.set(path, access);
  }

  addBuiltin(name: string, members: 'all' | ReadonlySet<string>): void {
    const current = this.builtins.get(name);
    if (current === 'all') return;
    // A module loaded for nothing but its side effects still needs the module: all of it.
    if (members === 'all' || members.size === 0) this.builtins.set(name, 'all');
    else if (current === undefined) this.builtins.set(name, new Set(members));
    else for (const member of members) current.add(member);
  }

  get empty(): boolean {
    return this.globals.size === 0 && this.builtins.size === 0 && this.packages.size === 0 && !this.native;
  }

  toResource(): LavaMoatResourcePolicy {
    const resource: {
      globals?: Record<string, true | 'write'>;
      builtin?: Record<string, boolean>;
      packages?: Record<string, boolean>;
      native?: boolean;
    } = {};
    if (this.globals.size > 0) {
      const reduced = reduceToTopmost(this.globals);
      const globals: Record<string, true | 'write'> = {};
      for (const path of sortedKeys(reduced.keys())) globals[path] = reduced.get(path) === 'write' ? 'write' : true;
      resource.globals = globals;
    }
    if (this.builtins.size > 0) {
      const paths = new Map<string, Access>();
      for (const [name, members] of this.builtins) {
        if (members === 'all') paths.set(name, 'read');
        else for (const member of members) paths.set(`${name}.${member}`, 'read');
      }
      const builtin: Record<string, boolean> = {};
      for (const path of sortedKeys(reduceToTopmost(paths).keys())) builtin[path] = true;
      resource.builtin = builtin;
    }
    if (this.packages.size > 0) {
      const packages: Record<string, boolean> = {};
      for (const name of sortedKeys(this.packages)) packages[name] = true;
      resource.packages = packages;
    }
    if (this.native) resource.native = true;
    return resource;
  }
}


/** The LavaMoat policy granting each package what its analysed modules use. */
export const policyFromAnalyses = (modules: Iterable<AnalyzedModuleInfo>, options: GeneratePolicyOptions = {}): LavaMoatPolicy => {
  const includeRoot = options.includeRoot === true;
  const byPackage = new Map<string, PackageUse>();
  for (const module of modules) {
    const name = module.canonicalName;
    if (name === ROOT_NAME && !includeRoot) continue;
    let use = byPackage.get(name);
    if (use === undefined) byPackage.set(name, (use = new PackageUse()));
    const { analysis } = module;
    for (const [path, access] of analysis.globals) use.addGlobal(path, access);
    for (const [specifier, members] of analysis.specifiers) {
      const resolution = module.resolutions.get(specifier);
      if (resolution === undefined) continue;
      if (resolution.type === 'builtin') use.addBuiltin(builtinNameOf(resolution.name), members);
      else if (resolution.type === 'package' && resolution.canonicalName !== name) use.packages.add(resolution.canonicalName);
    }
    if (analysis.native) use.native = true;
  }

  const named = new Set<string>();
  for (const use of byPackage.values()) for (const target of use.packages) named.add(target);
  const resources: Record<string, LavaMoatResourcePolicy> = {};
  for (const name of sortedKeys(new Set([...byPackage.keys(), ...named]))) {
    const use = byPackage.get(name);
    if (use !== undefined && !use.empty) resources[name] = use.toResource();
    else if (named.has(name) && (name !== ROOT_NAME || includeRoot)) resources[name] = {};
  }
  return { resources };
};

/** The computed `require()`/`import()` calls of every module, for warnings (in the modules' order). */
export const dynamicRequiresOf = (modules: Iterable<AnalyzedModuleInfo>): DynamicRequireWarning[] => {
  const found: DynamicRequireWarning[] = [];
  for (const { canonicalName, file, analysis } of modules) {
    for (const { kind, line, column } of analysis.dynamic) found.push({ canonicalName, file, line, column, kind });
  }
  return found;
};
