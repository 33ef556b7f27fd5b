/**
 * What a specifier, imported or required by a module of a compartment, names: a module (in this
 * compartment or a dependency's), a host module (an exit), or the empty module (`browser: false`).
 * Written as a generator over reads (see trampoline.ts) because CommonJS requires need Node's file
 * and directory fallbacks, which probe the file system; ESM imports never yield.
 */
import { CordonError } from '../diagnostics/index.js';
import { fileUrlOfPath, isNodeBuiltinName, type LinkModuleDescriptor, type PackageCompartmentDescriptor, type PackageCompartmentMapDescriptor, type PatternDescriptor } from '../model/index.js';
import {
  directoryMainCandidates,
  expandPattern,
  joinRelative,
  patternKeyCompare,
  relativeCandidates,
  specifierKind,
  splitPackageSpecifier,
  type ImportKind,
} from '../resolve/index.js';
import type { Loader } from './trampoline.js';

export type Resolution =
  | { readonly type: 'module'; readonly compartment: string; readonly module: string }
  | { readonly type: 'exit'; readonly specifier: string }
  /** The `browser` field maps the file or package to `false`: an empty module (`{}`), as bundlers give. */
  | { readonly type: 'empty'; readonly specifier: string };

export interface ResolveContext {
  readonly map: PackageCompartmentMapDescriptor;
  /** Endo's `searchSuffixes`: when given, tried after a relative path for both import kinds. */
  readonly searchSuffixes?: readonly string[] | undefined;
  /** Whether a bare specifier names a host module the caller provides (`modules`). */
  readonly isHostModule: (specifier: string) => boolean;
  /** Whether unknown bare and URL specifiers go to an `importHook` (decided when loaded). */
  readonly hasExitHook: boolean;
  /** Bytes read while probing, so that loading does not read them again. */
  readonly probed: Map<string, Uint8Array>;
}

const sortedPatterns = new WeakMap<PackageCompartmentDescriptor, PatternDescriptor[]>();
const patternsOf = (compartment: PackageCompartmentDescriptor): PatternDescriptor[] => {
  let patterns = sortedPatterns.get(compartment);
  if (!patterns) {
    patterns = [...(compartment.patterns ?? [])].sort((a, b) => patternKeyCompare(a.from, b.from));
    sortedPatterns.set(compartment, patterns);
  }
  return patterns;
};

const where = (compartment: PackageCompartmentDescriptor, referrer: string) => ({
  package: compartment.label,
  file: new URL(referrer, compartment.location).href,
});

/** Whether `location` exists (reading it; the bytes are kept for the load that follows). */
function* exists(context: ResolveContext, location: string): Loader<boolean> {
  if (context.probed.has(location)) return true;
  const bytes = yield { read: location };
  if (bytes === undefined) return false;
  context.probed.set(location, bytes);
  return true;
}

/** The first of `candidates` (module paths in `compartmentLocation`) that exists, or `undefined`. */
function* firstExisting(context: ResolveContext, compartmentLocation: string, candidates: readonly string[]): Loader<string | undefined> {
  for (const candidate of candidates) {
    if (yield* exists(context, new URL(candidate, compartmentLocation).href)) return candidate;
  }
  return undefined;
}

/**
 * A path inside a package, for the given import kind: as written for ESM; for `require`, Node's
 * LOAD_AS_FILE, then LOAD_AS_DIRECTORY (a package.json `main` in the folder, then its index).
 * With `searchSuffixes`, Endo's search instead.
 */
function* resolvePath(context: ResolveContext, compartmentLocation: string, path: string, kind: ImportKind): Loader<string | undefined> {
  if (context.searchSuffixes) {
    return yield* firstExisting(context, compartmentLocation, [path, ...context.searchSuffixes.map(suffix => path + suffix)]);
  }
  if (kind === 'import') return path;
  const candidates = relativeCandidates(path, 'require');
  const asFile = yield* firstExisting(context, compartmentLocation, candidates.slice(0, 4));
  if (asFile !== undefined) return asFile;
  const directory = path.replace(/\/+$/, '');
  const descriptorBytes = yield { read: new URL(`${directory === '.' ? '' : `${directory}/`}package.json`, compartmentLocation).href };
  if (descriptorBytes !== undefined) {
    let main: unknown;
    try {
      main = JSON.parse(new TextDecoder().decode(descriptorBytes)).main;
    } catch {
      main = undefined;
    }
    if (typeof main === 'string' && main !== '') {
      const found = yield* firstExisting(context, compartmentLocation, directoryMainCandidates(directory, main));
      if (found !== undefined) return found;
    }
  }
  return yield* firstExisting(context, compartmentLocation, candidates.slice(4));
}

/** The compartment whose package folder holds `location` (the deepest one). */
const compartmentHolding = (map: PackageCompartmentMapDescriptor, location: string): PackageCompartmentDescriptor | undefined => {
  let best: PackageCompartmentDescriptor | undefined;
  for (const compartment of Object.values(map.compartments)) {
    if (location.startsWith(compartment.location) && (!best || compartment.location.length > best.location.length)) {
      // A package nested in another's node_modules is not part of the outer one.
      const rest = location.slice(compartment.location.length);
      if (!rest.split('/').includes('node_modules')) best = compartment;
    }
  }
  return best;
};

/** Whether `dependent` reaches `target` through its declared dependencies. */
const declares = (dependent: PackageCompartmentDescriptor, target: string): boolean =>
  Object.values(dependent.modules).some(link => link.compartment === target) ||
  Object.values(dependent.scopes).some(scope => scope.compartment === target) ||
  (dependent.patterns ?? []).some(pattern => pattern.compartment === target);

const notFound = (compartment: PackageCompartmentDescriptor, referrer: string, specifier: string, detail: string): CordonError =>
  new CordonError('CORDON_MODULE_NOT_FOUND', `Cannot find module ${JSON.stringify(specifier)} imported by ${compartment.label}: ${detail}`, {
    ...where(compartment, referrer),
    specifier,
  });

/** A location anywhere (from a relative specifier that leaves its package, or an absolute path). */
function* resolveLocation(
  context: ResolveContext,
  compartment: PackageCompartmentDescriptor,
  referrer: string,
  specifier: string,
  location: string,
  kind: ImportKind,
): Loader<Resolution> {
  const holder = compartmentHolding(context.map, location);
  if (!holder) throw notFound(compartment, referrer, specifier, `${location} is in no package of the application`);
  if (holder !== compartment && !declares(compartment, holder.location)) {
    throw new CordonError(
      'CORDON_UNDECLARED_DEPENDENCY',
      `Package ${compartment.label} reaches into package ${holder.label} by the path ${JSON.stringify(specifier)}, but does not declare it as a dependency`,
      { ...where(compartment, referrer), specifier },
    );
  }
  const path = `./${location.slice(holder.location.length)}`;
  const found = yield* resolvePath(context, holder.location, path, kind);
  if (found === undefined) throw notFound(compartment, referrer, specifier, `no file at ${location} (tried Node's extensions and index files)`);
  return { type: 'module', compartment: holder.location, module: found };
}

const linkFor = (compartment: PackageCompartmentDescriptor, specifier: string, kind: ImportKind): LinkModuleDescriptor | undefined =>
  (kind === 'require' ? compartment.requireModules?.[specifier] : undefined) ?? compartment.modules[specifier];

const patternFor = (compartment: PackageCompartmentDescriptor, specifier: string, kind: ImportKind): Resolution | null | undefined => {
  for (const pattern of patternsOf(compartment)) {
    if (pattern.kind !== undefined && pattern.kind !== kind) continue;
    if (pattern.to === null) {
      if (expandPattern(pattern.from, '', specifier) !== undefined) return null;
      continue;
    }
    const module = expandPattern(pattern.from, pattern.to, specifier);
    if (module !== undefined) return { type: 'module', compartment: pattern.compartment, module };
  }
  return undefined;
};

/** A file's replacement by the `browser` field (`false`: the empty module), matching with or without `.js`. */
const browserReplacement = (compartment: PackageCompartmentDescriptor, module: string): string | false | undefined => {
  const table = compartment.browser;
  if (table === undefined) return undefined;
  for (const key of [module, module.replace(/\.js$/, '')]) if (Object.hasOwn(table, key)) return table[key];
  return undefined;
};

/** Resolves `specifier`, imported (`kind`) by the module `referrer` of `compartment`. */
export function* resolveSpecifier(
  context: ResolveContext,
  compartment: PackageCompartmentDescriptor,
  referrer: string,
  specifier: string,
  kind: ImportKind,
): Loader<Resolution> {
  switch (specifierKind(specifier)) {
    case 'url':
      if (specifier.startsWith('file:')) {
        return yield* resolveLocation(context, compartment, referrer, specifier, new URL(specifier).href, kind);
      }
      return { type: 'exit', specifier };
    case 'absolute':
      return yield* resolveLocation(context, compartment, referrer, specifier, fileUrlOfPath(specifier), kind);
    case 'relative': {
      const joined = joinRelative(referrer, specifier);
      if (joined === undefined) {
        return yield* resolveLocation(context, compartment, referrer, specifier, new URL(specifier, new URL(referrer, compartment.location)).href, kind);
      }
      const found = yield* resolvePath(context, compartment.location, joined, kind);
      if (found === undefined) throw notFound(compartment, referrer, specifier, kind === 'require' ? "no such file (tried Node's extensions, the folder's main and index files)" : 'no such file');
      const replaced = browserReplacement(compartment, found);
      if (replaced === false) return { type: 'empty', specifier };
      if (replaced !== undefined) {
        const target = yield* resolvePath(context, compartment.location, replaced, kind);
        if (target === undefined) throw notFound(compartment, referrer, specifier, `no file ${replaced} (its "browser" replacement)`);
        return { type: 'module', compartment: compartment.location, module: target };
      }
      return { type: 'module', compartment: compartment.location, module: found };
    }
    case 'hash': {
      const link = linkFor(compartment, specifier, kind);
      if (link) return { type: 'module', compartment: link.compartment, module: link.module };
      const viaPattern = patternFor(compartment, specifier, kind);
      if (viaPattern) return viaPattern;
      throw new CordonError('CORDON_PACKAGE_IMPORT_NOT_DEFINED', `Package ${compartment.label} does not define ${JSON.stringify(specifier)} in its "imports" (for ${kind})`, {
        ...where(compartment, referrer),
        specifier,
      });
    }
    default:
  }
  // A bare specifier. The `browser` field's object form first (it may replace a builtin or a package).
  const alias = compartment.browser?.[specifier];
  if (alias === false) return { type: 'empty', specifier };
  if (typeof alias === 'string' && alias !== specifier) {
    if (alias.startsWith('./')) {
      const target = yield* resolvePath(context, compartment.location, alias, kind);
      if (target === undefined) throw notFound(compartment, referrer, specifier, `no file ${alias} (its "browser" replacement)`);
      return { type: 'module', compartment: compartment.location, module: target };
    }
    return yield* resolveSpecifier(context, { ...compartment, browser: undefined }, referrer, alias, kind);
  }
  // Host modules first, as Node's builtins come before node_modules: a builtin's name
  // is always the host's builtin (`name/` reaches an npm package of that name).
  if (context.isHostModule(specifier) || isNodeBuiltinName(specifier)) return { type: 'exit', specifier };
  const link = linkFor(compartment, specifier, kind);
  if (link) return { type: 'module', compartment: link.compartment, module: link.module };
  const viaPattern = patternFor(compartment, specifier, kind);
  if (viaPattern === null) {
    throw new CordonError('CORDON_PACKAGE_PATH_NOT_EXPORTED', `${JSON.stringify(specifier)} is excluded by its package's "exports" (a null target), imported by ${compartment.label}`, {
      ...where(compartment, referrer),
      specifier,
    });
  }
  if (viaPattern) return viaPattern;
  const split = splitPackageSpecifier(specifier);
  if (split) {
    const scope = compartment.scopes[split.name];
    // `require('name/')` (as written to reach an npm package named like a builtin): the folder, so its main.
    if (scope && kind === 'require' && split.subpath === '.' && specifier.endsWith('/')) {
      const main = linkFor(compartment, split.name, kind);
      if (main) return { type: 'module', compartment: main.compartment, module: main.module };
      const found = yield* resolvePath(context, scope.compartment, './', kind);
      if (found !== undefined) return { type: 'module', compartment: scope.compartment, module: found };
    }
    if (scope && split.subpath !== '.') {
      const found = yield* resolvePath(context, scope.compartment, split.subpath, kind);
      if (found !== undefined) return { type: 'module', compartment: scope.compartment, module: found };
      throw notFound(compartment, referrer, specifier, `no such file in package ${split.name}`);
    }
    if (compartment.missingDependencies?.includes(split.name)) {
      throw new CordonError('CORDON_DEPENDENCY_NOT_FOUND', `Package ${compartment.label} imports ${JSON.stringify(specifier)}: it declares ${split.name} as a dependency, but it is not installed`, {
        ...where(compartment, referrer),
        specifier,
      });
    }
    const dependencyLinked = Object.keys(compartment.modules).some(key => key === split.name || key.startsWith(`${split.name}/`)) || compartment.scopes[split.name];
    if (dependencyLinked) {
      throw new CordonError('CORDON_PACKAGE_PATH_NOT_EXPORTED', `Package ${split.name} does not export ${JSON.stringify(split.subpath)} for ${kind} (imported by ${compartment.label})`, {
        ...where(compartment, referrer),
        specifier,
      });
    }
    // Installed, but not this package's to import: the error names both packages.
    const elsewhere = Object.values(context.map.compartments).find(c => c.name === split.name);
    if (elsewhere) {
      throw new CordonError(
        'CORDON_UNDECLARED_DEPENDENCY',
        `Package ${compartment.label} imports ${JSON.stringify(specifier)}, but ${split.name} (${elsewhere.label}) is not among its dependencies`,
        { ...where(compartment, referrer), specifier },
      );
    }
  }
  if (context.hasExitHook) return { type: 'exit', specifier };
  throw new CordonError('CORDON_MODULE_NOT_FOUND', `Cannot find package ${JSON.stringify(specifier)} imported by ${compartment.label}: it is neither a dependency nor a host module`, {
    ...where(compartment, referrer),
    specifier,
  });
}
