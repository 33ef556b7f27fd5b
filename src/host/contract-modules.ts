/**
 * The contract's module-loading group over a filesystem driver: `_resolveModule*` with Node's
 * resolution (CommonJS `require` or ESM `import`: relative and absolute paths, `file:` URLs, builtins,
 * `#imports`, a package's own name, `node_modules` with `exports` conditions and patterns, `main`,
 * extension and `index` lookup for `require`), `_loadFile*`, and `_moduleFormat` (by extension and the
 * nearest package.json's `type`). A resolved file is given as its real path (symlinks resolved, as
 * Node does without `--preserve-symlinks`); a builtin as Node names it (`fs` for `require`, `node:fs`
 * for `import`); what cannot be found is `null`.
 */
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BridgeMethods } from './contract.js';
import type { ModuleFormat, ResolveMode } from './contract-types.js';
import type { FilesystemDriver } from './drivers/types.js';
import { realpathOf } from './drivers/realpath.js';

export type ModuleLoadingBridge = Pick<BridgeMethods, '_resolveModule' | '_resolveModuleSync' | '_loadFile' | '_loadFileSync' | '_moduleFormat'>;

const decoder = new TextDecoder();

interface PackageJson {
  readonly name?: unknown;
  readonly main?: unknown;
  readonly type?: unknown;
  readonly exports?: unknown;
  readonly imports?: unknown;
}

const notExported = (subpath: string, packageDir: string): Error => {
  const error = new Error(`Package subpath '${subpath}' is not defined by "exports" in ${packageDir}/package.json`) as Error & { code?: string };
  error.code = 'ERR_PACKAGE_PATH_NOT_EXPORTED';
  return error;
};

const notDefined = (specifier: string, packageDir: string | undefined): Error => {
  const error = new Error(`Package import specifier "${specifier}" is not defined${packageDir === undefined ? '' : ` in package ${packageDir}/package.json`}`) as Error & { code?: string };
  error.code = 'ERR_PACKAGE_IMPORT_NOT_DEFINED';
  return error;
};

/** The module-loading methods of the bridge contract, reading through `driver`. */
export const makeModuleLoadingBridge = (driver: FilesystemDriver): ModuleLoadingBridge => {
  const typeOf = (file: string): string | undefined => {
    try {
      return driver.stat(file).type;
    } catch {
      return undefined;
    }
  };
  const isFile = (file: string): boolean => typeOf(file) === 'file';
  const readPackage = (dir: string): PackageJson | undefined => {
    const file = path.posix.join(dir, 'package.json');
    if (!isFile(file)) return undefined;
    try {
      const parsed: unknown = JSON.parse(decoder.decode(driver.readFile(file)));
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as PackageJson : {};
    } catch {
      const error = new Error(`Invalid package config ${file}`) as Error & { code?: string };
      error.code = 'ERR_INVALID_PACKAGE_CONFIG';
      throw error;
    }
  };
  const nearestPackage = (from: string): { dir: string; json: PackageJson } | undefined => {
    for (let dir = from; ; dir = path.posix.dirname(dir)) {
      // A package scope ends at a node_modules directory (Node's GET_PACKAGE_SCOPE).
      if (path.posix.basename(dir) === 'node_modules') return undefined;
      const json = readPackage(dir);
      if (json !== undefined) return { dir, json };
      if (dir === '/') return undefined;
    }
  };
  const real = (file: string): string => realpathOf(driver, file);

  // ---- exports / imports targets (the same rules for both modes; the conditions differ) ----
  const resolveTarget = (target: unknown, match: string | undefined, packageDir: string, conditions: readonly string[], internal: boolean, mode: ResolveMode, depth = 0): string | null | undefined => {
    if (depth > 32) return null;
    if (typeof target === 'string') {
      const expanded = match === undefined ? target : target.split('*').join(match);
      if (!target.startsWith('./')) {
        // `imports` may map to another package; `exports` targets must stay in the package.
        if (internal && !target.startsWith('../') && !target.startsWith('/')) return resolveBare(expanded, packageDir, mode);
        return null;
      }
      const segments = expanded.slice(2).split(/[/\\]/);
      if (segments.some(part => part === '..' || part === '.' || part === 'node_modules' || part === '')) return null;
      return path.posix.join(packageDir, expanded);
    }
    if (Array.isArray(target)) {
      for (const item of target) {
        const resolved = resolveTarget(item, match, packageDir, conditions, internal, mode, depth + 1);
        if (resolved !== undefined && resolved !== null) return resolved;
      }
      return target.length === 0 ? null : undefined;
    }
    if (target !== null && typeof target === 'object') {
      for (const [key, value] of Object.entries(target)) {
        if (key !== 'default' && !conditions.includes(key)) continue;
        const resolved = resolveTarget(value, match, packageDir, conditions, internal, mode, depth + 1);
        if (resolved !== undefined) return resolved;
      }
      return undefined;
    }
    return null;
  };
  const resolveMap = (map: Readonly<Record<string, unknown>>, key: string, packageDir: string, conditions: readonly string[], internal: boolean, mode: ResolveMode): string | null | undefined => {
    if (Object.hasOwn(map, key) && !key.includes('*')) return resolveTarget(map[key], undefined, packageDir, conditions, internal, mode);
    let best: string | undefined;
    let bestMatch = '';
    for (const pattern of Object.keys(map)) {
      const star = pattern.indexOf('*');
      if (star < 0 || star !== pattern.lastIndexOf('*')) continue;
      const prefix = pattern.slice(0, star);
      const suffix = pattern.slice(star + 1);
      if (!key.startsWith(prefix) || key === prefix || key.length < pattern.length - 1 || !key.endsWith(suffix)) continue;
      if (best === undefined || prefix.length > best.indexOf('*') || (prefix.length === best.indexOf('*') && pattern.length > best.length)) {
        best = pattern;
        bestMatch = key.slice(prefix.length, key.length - suffix.length);
      }
    }
    return best === undefined ? undefined : resolveTarget(map[best], bestMatch, packageDir, conditions, internal, mode);
  };
  const conditionsFor = (mode: ResolveMode): readonly string[] => (mode === 'import' ? ['import', 'node', 'node-addons', 'module-sync'] : ['require', 'node', 'node-addons', 'module-sync']);
  const resolveExports = (packageDir: string, exportsField: unknown, subpath: string, mode: ResolveMode): string | null => {
    const conditions = conditionsFor(mode);
    const isSubpathMap = exportsField !== null && typeof exportsField === 'object' && !Array.isArray(exportsField) && Object.keys(exportsField).some(key => key.startsWith('.'));
    const map = isSubpathMap ? exportsField as Record<string, unknown> : { '.': exportsField };
    const resolved = resolveMap(map, subpath, packageDir, conditions, false, mode);
    if (resolved === undefined || resolved === null) throw notExported(subpath, packageDir);
    return isFile(resolved) ? real(resolved) : null;
  };

  // ---- CommonJS lookup of files and directories ----
  const asFile = (file: string): string | undefined => {
    for (const candidate of [file, `${file}.js`, `${file}.json`, `${file}.node`]) if (isFile(candidate)) return candidate;
    return undefined;
  };
  const asIndex = (dir: string): string | undefined => {
    for (const name of ['index.js', 'index.json', 'index.node']) if (isFile(path.posix.join(dir, name))) return path.posix.join(dir, name);
    return undefined;
  };
  const asDirectory = (dir: string): string | undefined => {
    if (typeOf(dir) !== 'directory') return undefined;
    const main = readPackage(dir)?.main;
    if (typeof main === 'string' && main !== '') {
      const target = path.posix.join(dir, main);
      const found = asFile(target) ?? asIndex(target);
      if (found !== undefined) return found;
    }
    return asIndex(dir);
  };
  const legacyMain = (dir: string): string | undefined => {
    const main = readPackage(dir)?.main;
    if (typeof main === 'string' && main !== '') {
      const target = path.posix.join(dir, main);
      for (const candidate of [target, `${target}.js`, `${target}.json`, `${target}.node`, `${target}/index.js`, `${target}/index.json`, `${target}/index.node`]) if (isFile(candidate)) return candidate;
    }
    return asIndex(dir);
  };

  // ---- bare specifiers: builtins, #imports, the package's own name, node_modules ----
  const resolveBare = (specifier: string, fromDir: string, mode: ResolveMode): string | null => {
    const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
    if (isBuiltin(specifier)) return mode === 'import' ? `node:${bare}` : specifier;
    if (specifier.startsWith('node:')) return null;
    if (specifier.startsWith('#')) {
      const scope = nearestPackage(fromDir);
      const imports = scope?.json.imports;
      if (specifier === '#' || specifier.startsWith('#/')) return null;
      if (scope === undefined || imports === null || typeof imports !== 'object') throw notDefined(specifier, scope?.dir);
      const resolved = resolveMap(imports as Record<string, unknown>, specifier, scope.dir, conditionsFor(mode), true, mode);
      if (resolved === undefined || resolved === null) throw notDefined(specifier, scope.dir);
      return resolved.startsWith('/') ? (isFile(resolved) ? real(resolved) : null) : resolved;
    }
    const parts = specifier.split('/');
    const nameLength = specifier.startsWith('@') ? 2 : 1;
    if (parts.length < nameLength || parts.slice(0, nameLength).some(part => part === '')) return null;
    const name = parts.slice(0, nameLength).join('/');
    if (name.startsWith('.') || name.includes('\\') || name.includes('%')) return null;
    const rest = parts.slice(nameLength).join('/');
    const subpath = rest === '' ? '.' : `./${rest}`;
    const self = nearestPackage(fromDir);
    if (self !== undefined && self.json.name === name && self.json.exports !== undefined && self.json.exports !== null) return resolveExports(self.dir, self.json.exports, subpath, mode);
    for (let dir = fromDir; ; dir = path.posix.dirname(dir)) {
      if (path.posix.basename(dir) !== 'node_modules') {
        const packageDir = path.posix.join(dir, 'node_modules', name);
        if (typeOf(packageDir) === 'directory') {
          const json = readPackage(packageDir);
          if (json?.exports !== undefined && json.exports !== null) return resolveExports(packageDir, json.exports, subpath, mode);
          const found = mode === 'require'
            ? (rest === '' ? asDirectory(packageDir) : asFile(path.posix.join(packageDir, rest)) ?? asDirectory(path.posix.join(packageDir, rest)))
            : (rest === '' ? legacyMain(packageDir) : (isFile(path.posix.join(packageDir, rest)) ? path.posix.join(packageDir, rest) : undefined));
          if (found !== undefined) return real(found);
          if (mode === 'import') return null;
        }
      }
      if (dir === '/') return null;
    }
  };

  const resolve = (specifier: string, fromDir: string, mode: ResolveMode = 'require'): string | null => {
    if (typeof specifier !== 'string' || typeof fromDir !== 'string' || specifier === '') return null;
    const from = path.posix.resolve('/', fromDir);
    if (mode === 'import') {
      const isPath = specifier.startsWith('/') || specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..';
      if (isPath || specifier.startsWith('file:')) {
        let file: string;
        try {
          file = fileURLToPath(new URL(specifier, pathToFileURL(`${from}/`)));
        } catch {
          return null;
        }
        return isFile(file) ? real(file) : null;
      }
      if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(specifier) && !specifier.startsWith('node:')) return null;
      return resolveBare(specifier, from, mode);
    }
    if (specifier.startsWith('/') || specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
      const target = path.posix.resolve(from, specifier);
      const found = (specifier.endsWith('/') ? undefined : asFile(target)) ?? asDirectory(target);
      return found === undefined ? null : real(found);
    }
    return resolveBare(specifier, from, mode);
  };

  const loadFile = (file: string): string | null => {
    if (typeof file !== 'string' || !isFile(file)) return null;
    return decoder.decode(driver.readFile(file));
  };

  const moduleFormat = (filename: string): ModuleFormat => {
    const extension = path.posix.extname(filename);
    if (extension === '.mjs') return 'module';
    if (extension === '.cjs') return 'commonjs';
    if (extension === '.json') return 'json';
    if (extension !== '.js' && extension !== '') return null;
    return nearestPackage(path.posix.dirname(path.posix.resolve('/', filename)))?.json.type === 'module' ? 'module' : 'commonjs';
  };

  return Object.freeze({
    _resolveModule: async (specifier: string, fromDir: string, mode?: ResolveMode) => resolve(specifier, fromDir, mode),
    _resolveModuleSync: (specifier: string, fromDir: string, mode?: ResolveMode) => resolve(specifier, fromDir, mode),
    _loadFile: async (file: string) => loadFile(file),
    _loadFileSync: loadFile,
    _moduleFormat: moduleFormat,
  });
};
