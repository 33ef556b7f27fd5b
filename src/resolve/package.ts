/**
 * Resolving inside one package: a subpath of a package (`exports`, or `main` and the legacy
 * fallbacks), a relative specifier (with the CommonJS file and directory fallbacks, which Node applies
 * only to `require`), a `#` import, and the `browser` field. Pure: answers are candidate module paths
 * (`./x.js`) for the loader to try in order; the first that exists wins.
 */
import type { PackageDescriptor } from '../model/index.js';
import type { ImportKind } from './conditions.js';
import { resolveExports, resolveImports, type ExportsTarget } from './exports.js';
import { normalizeModulePath } from './specifier.js';

/** LOAD_AS_FILE then LOAD_INDEX, as Node's CommonJS loader tries them. */
const fileAndIndexCandidates = (path: string): string[] => {
  const base = path.replace(/\/+$/, '');
  if (base === '.' || base === '') return ['./index.js', './index.json', './index.node'];
  return [base, `${base}.js`, `${base}.json`, `${base}.node`, `${base}/index.js`, `${base}/index.json`, `${base}/index.node`];
};

/**
 * Candidates for a relative specifier already joined to its referrer (`./lib/x`). Node's ESM loader
 * takes the path as written (no extension or index search; Endo searches for both kinds); CommonJS
 * tries the file, the extensions, then the directory's index. (A directory's own package.json `main`
 * is the loader's to read: see `directoryMainCandidates`.)
 */
export const relativeCandidates = (path: string, kind: ImportKind): string[] => (kind === 'import' ? [path] : fileAndIndexCandidates(path));

/** For `require` of a directory with a package.json that has `main`: LOAD_AS_DIRECTORY's candidates. */
export const directoryMainCandidates = (directory: string, main: string): string[] => {
  const dir = directory.replace(/\/+$/, '');
  const joined = normalizeModulePath(`${dir === '.' ? '' : `${dir}/`}${main.replace(/^\.\//, '')}`);
  return fileAndIndexCandidates(joined);
};

/** LEGACY_MAIN_RESOLVE: `main` with the file and index fallbacks, then the package's own index. */
export const legacyMainCandidates = (descriptor: PackageDescriptor): string[] => {
  const candidates: string[] = [];
  if (typeof descriptor.main === 'string' && descriptor.main !== '') {
    candidates.push(...fileAndIndexCandidates(normalizeModulePath(descriptor.main)));
  }
  candidates.push('./index.js', './index.json', './index.node');
  return [...new Set(candidates)];
};

export interface PackageResolution {
  /** Module paths to try, in order. */
  readonly candidates: readonly string[];
  /** Set when a `#` import named another package (`{ specifier }` to resolve from this package). */
  readonly packageSpecifier?: string | undefined;
  /** The file is the empty module: the `browser` field maps it to `false`. */
  readonly empty?: boolean | undefined;
}

const fromTarget = (target: ExportsTarget): PackageResolution =>
  target.kind === 'file' ? { candidates: [target.path] } : { candidates: [], packageSpecifier: target.specifier };

/**
 * A subpath (`.` or `./x`) of a package, as an importer outside it (or the package itself, by its
 * own name) asks for it. With `exports`, only what `exports` offers for these conditions; without,
 * `main` for `.` and any file for a deeper subpath (with CommonJS fallbacks for `require`).
 */
export const resolvePackageSubpath = (
  descriptor: PackageDescriptor,
  subpath: string,
  kind: ImportKind,
  conditions: ReadonlySet<string>,
  file?: string,
): PackageResolution => {
  if (descriptor.exports !== undefined) {
    return fromTarget(resolveExports(descriptor.exports, subpath, conditions, { name: descriptor.name, file }));
  }
  if (subpath === '.') {
    const browserMain = conditions.has('browser') ? browserMainOf(descriptor) : undefined;
    if (browserMain === false) return { candidates: [], empty: true };
    if (browserMain !== undefined) return { candidates: fileAndIndexCandidates(normalizeModulePath(browserMain)) };
    return { candidates: legacyMainCandidates(descriptor) };
  }
  return { candidates: applyBrowser(descriptor, relativeCandidates(subpath, kind), conditions) };
};

/** A `#` specifier, through the package's `imports` field. */
export const resolvePackageImport = (
  descriptor: PackageDescriptor,
  specifier: string,
  conditions: ReadonlySet<string>,
  file?: string,
): PackageResolution => fromTarget(resolveImports(descriptor.imports, specifier, conditions, { name: descriptor.name, file }));

/** The `browser` field's replacement for the package main: a path, `false`, or `undefined`. */
export const browserMainOf = (descriptor: PackageDescriptor): string | false | undefined => {
  const { browser } = descriptor;
  if (typeof browser === 'string') return browser;
  if (browser && typeof browser === 'object' && descriptor.main !== undefined) {
    const mapped = lookupBrowser(browser, normalizeModulePath(descriptor.main));
    if (mapped !== undefined) return mapped;
  }
  return undefined;
};

const lookupBrowser = (browser: Readonly<Record<string, string | false>>, path: string): string | false | undefined => {
  for (const [key, value] of Object.entries(browser)) {
    if (!key.startsWith('.')) continue;
    const normalized = normalizeModulePath(key);
    if (normalized === path || `${normalized}.js` === path || normalized === `${path}.js`) return value;
  }
  return undefined;
};

/** With the `browser` condition, the object form of `browser` replaces files of the package. */
export const applyBrowser = (descriptor: PackageDescriptor, candidates: readonly string[], conditions: ReadonlySet<string>): string[] => {
  const { browser } = descriptor;
  if (!conditions.has('browser') || !browser || typeof browser !== 'object') return [...candidates];
  return candidates.map(candidate => {
    const mapped = lookupBrowser(browser, candidate);
    return typeof mapped === 'string' ? normalizeModulePath(mapped) : candidate;
  });
};

/** With the `browser` condition, whether the object form maps a file or a package to `false` (empty module). */
export const browserExcludes = (descriptor: PackageDescriptor, pathOrPackage: string, conditions: ReadonlySet<string>): boolean => {
  const { browser } = descriptor;
  if (!conditions.has('browser') || !browser || typeof browser !== 'object') return false;
  if (!pathOrPackage.startsWith('.')) return browser[pathOrPackage] === false;
  return lookupBrowser(browser, pathOrPackage) === false;
};

/** With the `browser` condition, the object form may replace one dependency by another (`"fs": "browserify-fs"`). */
export const browserPackageAlias = (descriptor: PackageDescriptor, name: string, conditions: ReadonlySet<string>): string | undefined => {
  const { browser } = descriptor;
  if (!conditions.has('browser') || !browser || typeof browser !== 'object') return undefined;
  const mapped = browser[name];
  return typeof mapped === 'string' ? mapped : undefined;
};
