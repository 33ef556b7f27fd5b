/**
 * package.json as Cordon reads it: parsed and checked at the edge, so that the stages after it can
 * trust the types of the fields that matter. Unknown fields are kept but not interpreted.
 */
import { CordonError } from '../diagnostics/index.js';
import { lineColumnOf } from './text.js';

export type DependencyMap = Readonly<Record<string, string>>;

export interface PackageDescriptor {
  readonly name?: string | undefined;
  readonly version?: string | undefined;
  readonly type?: 'module' | 'commonjs' | undefined;
  readonly main?: string | undefined;
  readonly module?: string | undefined;
  /** `exports`: string, array, object or null (checked in depth by the resolver). */
  readonly exports?: unknown;
  readonly imports?: Readonly<Record<string, unknown>> | undefined;
  /** `browser`: a string (replaces main) or a map of paths/packages to paths/packages or `false`. */
  readonly browser?: string | Readonly<Record<string, string | false>> | undefined;
  readonly dependencies?: DependencyMap | undefined;
  readonly devDependencies?: DependencyMap | undefined;
  readonly peerDependencies?: DependencyMap | undefined;
  readonly optionalDependencies?: DependencyMap | undefined;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>> | undefined;
  /** Names of bundled dependencies (both `bundleDependencies` and `bundledDependencies`; array or `true`). */
  readonly bundleDependencies?: readonly string[] | boolean | undefined;
  /** Endo's extension: `{ extension: language }`. */
  readonly parsers?: Readonly<Record<string, string>> | undefined;
}

const fail = (file: string, problem: string, details: { line?: number; column?: number } = {}): CordonError =>
  new CordonError('CORDON_INVALID_PACKAGE_JSON', `Invalid package.json: ${problem}`, { file, ...details });

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const stringField = (json: Record<string, unknown>, field: string, file: string): string | undefined => {
  const value = json[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw fail(file, `"${field}" must be a string, not ${JSON.stringify(value)}`);
  return value;
};

const stringMap = (json: Record<string, unknown>, field: string, file: string): DependencyMap | undefined => {
  const value = json[field];
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw fail(file, `"${field}" must be an object of name → version range`);
  for (const [key, range] of Object.entries(value)) {
    if (typeof range !== 'string') throw fail(file, `"${field}.${key}" must be a string`);
  }
  return value as DependencyMap;
};

/** Parses and checks a package.json text read from `file`. */
export const parsePackageJson = (text: string, file: string): PackageDescriptor => {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    throw fail(file, `not JSON (${message})`, position ? lineColumnOf(text, Number(position[1])) : {});
  }
  if (!isRecord(json)) throw fail(file, 'the top level must be an object');
  const type = json.type;
  if (type !== undefined && type !== 'module' && type !== 'commonjs') throw fail(file, `"type" must be "module" or "commonjs", not ${JSON.stringify(type)}`);
  const exports = json.exports;
  if (exports !== undefined && exports !== null && typeof exports !== 'string' && typeof exports !== 'object') {
    throw fail(file, `"exports" must be a string, an array, an object or null, not ${JSON.stringify(exports)}`);
  }
  const imports = json.imports;
  if (imports !== undefined && !isRecord(imports)) throw fail(file, `"imports" must be an object`);
  const browser = json.browser;
  if (browser !== undefined && typeof browser !== 'string' && !isRecord(browser)) throw fail(file, `"browser" must be a string or an object`);
  if (isRecord(browser)) {
    for (const [key, value] of Object.entries(browser)) {
      if (typeof value !== 'string' && value !== false) throw fail(file, `"browser.${key}" must be a string or false`);
    }
  }
  const bundled = json.bundleDependencies ?? json.bundledDependencies;
  if (bundled !== undefined && typeof bundled !== 'boolean' && !(Array.isArray(bundled) && bundled.every(n => typeof n === 'string'))) {
    throw fail(file, '"bundleDependencies" must be an array of package names or a boolean');
  }
  const meta = json.peerDependenciesMeta;
  if (meta !== undefined && !isRecord(meta)) throw fail(file, '"peerDependenciesMeta" must be an object');
  const parsers = stringMap(json, 'parsers', file);
  return {
    ...(json as object),
    name: stringField(json, 'name', file),
    version: stringField(json, 'version', file),
    type,
    main: stringField(json, 'main', file),
    module: typeof json.module === 'string' ? json.module : undefined,
    exports,
    imports: imports as PackageDescriptor['imports'],
    browser: browser as PackageDescriptor['browser'],
    dependencies: stringMap(json, 'dependencies', file),
    devDependencies: stringMap(json, 'devDependencies', file),
    peerDependencies: stringMap(json, 'peerDependencies', file),
    optionalDependencies: stringMap(json, 'optionalDependencies', file),
    peerDependenciesMeta: meta as PackageDescriptor['peerDependenciesMeta'],
    bundleDependencies: bundled as PackageDescriptor['bundleDependencies'],
    parsers,
  };
};
