/**
 * Node's `exports` and `imports` resolution, step by step after Node's "Resolution Algorithm
 * Specification" (PACKAGE_EXPORTS_RESOLVE, PACKAGE_IMPORTS_RESOLVE, PACKAGE_IMPORTS_EXPORTS_RESOLVE,
 * PATTERN_KEY_COMPARE, PACKAGE_TARGET_RESOLVE). Pure: no IO, no URLs of the host; targets come back
 * relative to the package root (`./dist/x.js`) or, for `imports`, as a package specifier.
 *
 * Where Endo departs from Node and Cordon follows Node, the comment says `(Endo: …)`.
 */
import { CordonError } from '../diagnostics/index.js';

/** What `exports`/`imports` resolved to. */
export type ExportsTarget =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'package'; readonly specifier: string };

export type Conditions = ReadonlySet<string>;

interface Context {
  readonly packageName: string | undefined;
  readonly file: string | undefined;
}

const invalidTarget = (target: unknown, key: string, ctx: Context): CordonError =>
  new CordonError('CORDON_INVALID_PACKAGE_TARGET', `Invalid target ${JSON.stringify(target)} for ${JSON.stringify(key)} in package ${ctx.packageName ?? '(unnamed)'}`, {
    file: ctx.file,
    specifier: key,
  });

const invalidConfiguration = (problem: string, ctx: Context): CordonError =>
  new CordonError('CORDON_INVALID_PACKAGE_JSON', `Invalid package configuration in ${ctx.packageName ?? '(unnamed)'}: ${problem}`, { file: ctx.file });

// Any sign of a "", ".", ".." or "node_modules" segment, or of an encoding or backslash that could hide one.
const suspiciousPath = /(?:^|[\\/])(?:\.\.?|node_modules)?(?:[\\/]|$)|[%\\]/i;

/** Whether a path has "", ".", ".." or "node_modules" segments (case-insensitive, also percent-encoded). */
const hasForbiddenSegment = (path: string): boolean => {
  if (!suspiciousPath.test(path)) return false;
  for (const segment of path.split(/[\\/]/)) {
    const decoded = segment.toLowerCase().replace(/%2e/g, '.').replace(/%5f/g, '_');
    if (decoded === '' || decoded === '.' || decoded === '..' || decoded === 'node_modules') return true;
  }
  return false;
};

const isUrlLike = (target: string): boolean => /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(target);

/** PATTERN_KEY_COMPARE: longer prefix before `*` first, then longer key. */
export const patternKeyCompare = (a: string, b: string): number => {
  const starA = a.indexOf('*');
  const starB = b.indexOf('*');
  const baseA = starA === -1 ? a.length : starA + 1;
  const baseB = starB === -1 ? b.length : starB + 1;
  if (baseA > baseB) return -1;
  if (baseB > baseA) return 1;
  if (starA === -1) return 1;
  if (starB === -1) return -1;
  if (a.length > b.length) return -1;
  if (b.length > a.length) return 1;
  return 0;
};

/**
 * PACKAGE_TARGET_RESOLVE. Returns a target, `null` (explicitly excluded, or an empty array), or
 * `undefined` (no condition matched: the caller falls through to the next key).
 */
const resolveTarget = (
  target: unknown,
  patternMatch: string | null,
  isImports: boolean,
  conditions: Conditions,
  key: string,
  ctx: Context,
): ExportsTarget | null | undefined => {
  if (typeof target === 'string') {
    if (!target.startsWith('./')) {
      if (!isImports || target.startsWith('../') || target.startsWith('/') || isUrlLike(target)) throw invalidTarget(target, key, ctx);
      // An `imports` target may name a package (resolved by the caller from this package).
      return { kind: 'package', specifier: patternMatch === null ? target : target.replaceAll('*', patternMatch) };
    }
    if (hasForbiddenSegment(target.slice(2))) throw invalidTarget(target, key, ctx);
    if (patternMatch === null) return { kind: 'file', path: target };
    if (hasForbiddenSegment(patternMatch)) {
      throw new CordonError('CORDON_INVALID_SPECIFIER', `Pattern match ${JSON.stringify(patternMatch)} for ${JSON.stringify(key)} would leave package ${ctx.packageName ?? '(unnamed)'}`, {
        file: ctx.file,
        specifier: key,
      });
    }
    return { kind: 'file', path: target.replaceAll('*', patternMatch) };
  }
  if (Array.isArray(target)) {
    if (target.length === 0) return null;
    let last: ExportsTarget | null | undefined | CordonError = null;
    for (const item of target) {
      try {
        const resolved = resolveTarget(item, patternMatch, isImports, conditions, key, ctx);
        if (resolved === undefined) {
          last = undefined;
          continue;
        }
        if (resolved === null) {
          last = null;
          continue;
        }
        return resolved;
      } catch (error) {
        if (error instanceof CordonError && error.code === 'CORDON_INVALID_PACKAGE_TARGET') {
          last = error;
          continue;
        }
        throw error;
      }
    }
    if (last instanceof CordonError) throw last;
    return last;
  }
  if (target !== null && typeof target === 'object') {
    const keys = Object.keys(target);
    if (keys.some(k => /^\d+$/.test(k))) throw invalidConfiguration(`condition keys of ${JSON.stringify(key)} may not be array indices`, ctx);
    // First matching condition in object order; a nested object that matches nothing falls through
    // to the next key (Endo: the first matching key wins even when its value yields nothing).
    for (const condition of keys) {
      if (condition !== 'default' && !conditions.has(condition)) continue;
      const resolved = resolveTarget((target as Record<string, unknown>)[condition], patternMatch, isImports, conditions, key, ctx);
      if (resolved === undefined) continue;
      return resolved;
    }
    return undefined;
  }
  if (target === null) return null;
  throw invalidTarget(target, key, ctx);
};

/** PACKAGE_IMPORTS_EXPORTS_RESOLVE: exact keys first, then `*` patterns by PATTERN_KEY_COMPARE. */
const resolveInMap = (
  matchKey: string,
  map: Record<string, unknown>,
  isImports: boolean,
  conditions: Conditions,
  ctx: Context,
): ExportsTarget | null | undefined => {
  if (Object.hasOwn(map, matchKey) && !matchKey.includes('*')) {
    return resolveTarget(map[matchKey], null, isImports, conditions, matchKey, ctx);
  }
  const expansionKeys = Object.keys(map)
    .filter(k => k.indexOf('*') !== -1 && k.indexOf('*') === k.lastIndexOf('*'))
    .sort(patternKeyCompare);
  for (const expansionKey of expansionKeys) {
    const star = expansionKey.indexOf('*');
    const base = expansionKey.slice(0, star);
    if (!matchKey.startsWith(base) || matchKey === base) continue;
    const trailer = expansionKey.slice(star + 1);
    if (trailer.length === 0 || (matchKey.endsWith(trailer) && matchKey.length >= expansionKey.length)) {
      const patternMatch = matchKey.slice(base.length, matchKey.length - trailer.length);
      return resolveTarget(map[expansionKey], patternMatch, isImports, conditions, expansionKey, ctx);
    }
  }
  return null;
};

export interface PackageContext {
  /** The package's name, for messages. */
  readonly name?: string | undefined;
  /** The package.json location, for messages. */
  readonly file?: string | undefined;
}

/**
 * PACKAGE_EXPORTS_RESOLVE for `subpath` (`.` or `./x`). Throws CORDON_PACKAGE_PATH_NOT_EXPORTED
 * when the package does not export it (including a `null` target); returns the target otherwise.
 */
export const resolveExports = (exports: unknown, subpath: string, conditions: Conditions, pkg: PackageContext = {}): ExportsTarget => {
  const ctx: Context = { packageName: pkg.name, file: pkg.file };
  const isConditionalSugar = (value: unknown): boolean => {
    if (typeof value === 'string' || Array.isArray(value)) return true;
    if (value === null || typeof value !== 'object') return false;
    const keys = Object.keys(value);
    const dotted = keys.filter(k => k.startsWith('.'));
    if (dotted.length > 0 && dotted.length < keys.length) {
      throw invalidConfiguration('"exports" mixes subpath keys (starting with ".") and condition keys', ctx);
    }
    return dotted.length === 0;
  };
  if (exports !== null && typeof exports !== 'string' && typeof exports !== 'object') {
    throw invalidConfiguration(`"exports" must be a string, an array, an object or null, not ${typeof exports}`, ctx);
  }
  let resolved: ExportsTarget | null | undefined;
  if (subpath === '.') {
    let main: unknown;
    if (isConditionalSugar(exports)) main = exports;
    else if (exports !== null && Object.hasOwn(exports as object, '.')) main = (exports as Record<string, unknown>)['.'];
    if (main !== undefined) resolved = resolveTarget(main, null, false, conditions, '.', ctx);
  } else if (exports !== null && typeof exports === 'object' && !Array.isArray(exports) && !isConditionalSugar(exports)) {
    resolved = resolveInMap(subpath, exports as Record<string, unknown>, false, conditions, ctx);
  }
  if (resolved === null || resolved === undefined) {
    throw new CordonError('CORDON_PACKAGE_PATH_NOT_EXPORTED', `Package ${pkg.name ?? '(unnamed)'} does not export ${JSON.stringify(subpath)} for conditions ${[...conditions].join(', ')}`, {
      file: pkg.file,
      specifier: subpath === '.' ? pkg.name : `${pkg.name ?? ''}${subpath.slice(1)}`,
    });
  }
  return resolved;
};

/** PACKAGE_IMPORTS_RESOLVE for a `#` specifier against a package's `imports` field. */
export const resolveImports = (imports: unknown, specifier: string, conditions: Conditions, pkg: PackageContext = {}): ExportsTarget => {
  const ctx: Context = { packageName: pkg.name, file: pkg.file };
  if (specifier === '#' || specifier.startsWith('#/')) {
    throw new CordonError('CORDON_INVALID_SPECIFIER', `${JSON.stringify(specifier)} is not a valid import specifier`, { file: pkg.file, specifier });
  }
  if (imports !== undefined && imports !== null && (typeof imports !== 'object' || Array.isArray(imports))) {
    throw invalidConfiguration(`"imports" must be an object, not ${Array.isArray(imports) ? 'an array' : typeof imports}`, ctx);
  }
  if (imports !== null && typeof imports === 'object') {
    const resolved = resolveInMap(specifier, imports as Record<string, unknown>, true, conditions, ctx);
    if (resolved !== null && resolved !== undefined) return resolved;
  }
  throw new CordonError('CORDON_PACKAGE_IMPORT_NOT_DEFINED', `Package ${pkg.name ?? '(unnamed)'} does not define ${JSON.stringify(specifier)} in "imports"`, {
    file: pkg.file,
    specifier,
  });
};

/**
 * The target one `exports`/`imports` value selects for `conditions`, for enumerating a package's
 * exports ahead of time: with `pattern`, the value belongs to a `*` key and the `*` is kept in the
 * result. `null` means excluded, `undefined` that no condition matched.
 */
export const selectTarget = (
  value: unknown,
  key: string,
  conditions: Conditions,
  options: { pattern: boolean; imports: boolean; pkg?: PackageContext },
): ExportsTarget | null | undefined =>
  resolveTarget(value, options.pattern ? '*' : null, options.imports, conditions, key, { packageName: options.pkg?.name, file: options.pkg?.file });

/** An `exports` value as a subpath map (`{ '.': … }` for the sugar forms). */
export const exportsAsSubpathMap = (exports: unknown): Record<string, unknown> => {
  if (exports !== null && typeof exports === 'object' && !Array.isArray(exports) && Object.keys(exports).some(k => k.startsWith('.'))) {
    return exports as Record<string, unknown>;
  }
  return { '.': exports };
};

/**
 * Matches `specifier` against a `*` pattern (`from`, as the compartment map stores it) and expands
 * `to`; `undefined` when it does not match. Exact (star-less) `from` matches only itself. As in
 * PACKAGE_IMPORTS_EXPORTS_RESOLVE, the match may not be empty and may not climb out of the package.
 */
export const expandPattern = (from: string, to: string, specifier: string): string | undefined => {
  const star = from.indexOf('*');
  if (star === -1) return specifier === from ? to : undefined;
  const base = from.slice(0, star);
  const trailer = from.slice(star + 1);
  if (!specifier.startsWith(base) || specifier === base) return undefined;
  if (trailer.length > 0 && (!specifier.endsWith(trailer) || specifier.length < from.length)) return undefined;
  const match = specifier.slice(base.length, specifier.length - trailer.length);
  if (hasForbiddenSegment(match)) {
    throw new CordonError('CORDON_INVALID_SPECIFIER', `Pattern match ${JSON.stringify(match)} for ${JSON.stringify(from)} would leave the package`, { specifier });
  }
  return to.replaceAll('*', match);
};
