/**
 * package.json as Cordon reads it: parsed and checked at the edge, so that the stages after it can
 * trust the types of the fields they read. Where Node refuses a package (not JSON, `exports` of the
 * wrong type) this is a CordonError naming the file; where Node ignores a field of the wrong type
 * (`"main": false`, a non-object `imports`), so does Cordon, and the field reads as absent.
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

const stringField = (json: Record<string, unknown>, field: string): string | undefined => {
  const value = json[field];
  return typeof value === 'string' ? value : undefined;
};

/** A name → string map; entries whose value is not a string are dropped (as npm and Node ignore them). */
const stringMap = (json: Record<string, unknown>, field: string): DependencyMap | undefined => {
  const value = json[field];
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, range] of Object.entries(value)) if (typeof range === 'string') out[key] = range;
  return out;
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
  const exports = json.exports;
  if (exports !== undefined && exports !== null && typeof exports !== 'string' && typeof exports !== 'object') {
    throw fail(file, `"exports" must be a string, an array, an object or null, not ${JSON.stringify(exports)}`);
  }
  const type = json.type === 'module' || json.type === 'commonjs' ? json.type : undefined;
  const imports = isRecord(json.imports) ? json.imports : undefined;
  let browser: PackageDescriptor['browser'];
  if (typeof json.browser === 'string') {
    browser = json.browser;
  } else if (isRecord(json.browser)) {
    const map: Record<string, string | false> = {};
    for (const [key, value] of Object.entries(json.browser)) if (typeof value === 'string' || value === false) map[key] = value;
    browser = map;
  }
  const bundledField = json.bundleDependencies ?? json.bundledDependencies;
  const bundled = typeof bundledField === 'boolean' ? bundledField : Array.isArray(bundledField) ? bundledField.filter(n => typeof n === 'string') : undefined;
  const meta = isRecord(json.peerDependenciesMeta) ? json.peerDependenciesMeta : undefined;
  const parsersField = json.parsers;
  if (parsersField !== undefined && (!isRecord(parsersField) || Object.values(parsersField).some(v => typeof v !== 'string'))) {
    throw fail(file, '"parsers" must be an object of extension → language');
  }
  return {
    name: stringField(json, 'name'),
    version: stringField(json, 'version'),
    type,
    main: stringField(json, 'main'),
    module: stringField(json, 'module'),
    exports,
    imports,
    browser,
    dependencies: stringMap(json, 'dependencies'),
    devDependencies: stringMap(json, 'devDependencies'),
    peerDependencies: stringMap(json, 'peerDependencies'),
    optionalDependencies: stringMap(json, 'optionalDependencies'),
    peerDependenciesMeta: meta as PackageDescriptor['peerDependenciesMeta'],
    bundleDependencies: bundled,
    parsers: parsersField as PackageDescriptor['parsers'],
  };
};
