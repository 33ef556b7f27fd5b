/**
 * `importBundle(bundle, options?, powers?)` → the entry's namespace: `@endo/import-bundle`'s call and
 * options, for every format `bundleSource` writes and the unserialisable `test` format.
 *
 * The bundle is validated first (`model/bundle.ts`: a known format, string fields only, read once);
 * an `endoZipBase64` bundle's archive is checked before anything runs (./archive.ts: structure,
 * every module's hash with `computeSha512`) and, with `computeSha512`, its compartment map must have
 * the bundle's own `endoZipBase64Sha512` and the `expectedSha512` given (the incumbent checks only the
 * latter). A script format runs in one new compartment with the endowments, its global object hardened.
 */
import { CordonError } from '../diagnostics/index.js';
import { findCompartmentConstructor, ownGlobals, type CompartmentConstructor, type CompartmentInstance, type ImportHook } from '../link/index.js';
import { decodeBase64, validateBundle, type BundleLimits } from '../model/index.js';
import { parseArchive, type ParseArchiveOptions } from './archive.js';

export type SourceTransform = (source: string) => string;

export interface ImportBundleOptions extends BundleLimits {
  /** The bundle's name in messages and module locations (an endoZipBase64 bundle's archive location). */
  readonly bundleUrl?: string | undefined;
  /** Given to a getExport or nestedEvaluate bundle (the nestedEvaluate format's sourceURL prefix). */
  readonly filePrefix?: string | undefined;
  /** Globals of the bundle's compartments, over the defaults (TextEncoder, TextDecoder, URL, atob, btoa, Base64 where present). */
  readonly endowments?: Readonly<Record<PropertyKey, unknown>> | undefined;
  /** Source transforms: an archive's `__shimTransforms__`, a script's compartment `transforms`. */
  readonly transforms?: readonly SourceTransform[] | undefined;
  /** Transforms and globals every compartment made inside the bundle inherits too. */
  readonly inescapableTransforms?: readonly SourceTransform[] | undefined;
  readonly inescapableGlobalProperties?: Readonly<Record<PropertyKey, unknown>> | undefined;
  /** The SHA-512 (hex) the bundle's compartment map must have (needs `powers.computeSha512`). */
  readonly expectedSha512?: string | undefined;
  /** endoZipBase64: the host modules (exits) of the archive. */
  readonly importHook?: ImportHook | undefined;
  /** The Compartment constructor (default: the one `import 'ses'` installs). */
  readonly Compartment?: CompartmentConstructor | undefined;
}

export interface ImportBundlePowers {
  readonly computeSha512?: ((bytes: Uint8Array) => string) | undefined;
  readonly computeSourceLocation?: ParseArchiveOptions['computeSourceLocation'];
  readonly computeSourceMapLocation?: ParseArchiveOptions['computeSourceMapLocation'];
}

const OPTION_NAMES = ['bundleUrl', 'filePrefix', 'endowments', 'transforms', 'inescapableTransforms', 'inescapableGlobalProperties', 'expectedSha512', 'importHook', 'Compartment', 'maxFieldLength'];

const argument = (message: string) => new CordonError('CORDON_INVALID_ARGUMENT', message);

/** The globals every bundle gets, as the incumbent gives them (those the host has). */
const defaultEndowments = (): Record<string, unknown> => {
  const endowments: Record<string, unknown> = {};
  for (const name of ['TextEncoder', 'TextDecoder', 'URL', 'Base64', 'atob', 'btoa']) {
    const value = (globalThis as Record<string, unknown>)[name];
    if (value !== undefined) endowments[name] = value;
  }
  return endowments;
};

/** `new Compartment(globals, modules, options)` or `new Compartment({ __options__: true, … })` as one options object. */
const optionsOf = (args: readonly unknown[]): Record<string, unknown> => {
  const [first] = args;
  if (args.length === 1 && first !== null && typeof first === 'object' && '__options__' in first) {
    const { __options__, ...rest } = first as Record<string, unknown>;
    if (__options__ !== true) throw new TypeError(`Compartment's __options__ must be true, not ${String(__options__)}`);
    return rest;
  }
  const [globals = {}, modules = {}, options = {}] = args as [unknown?, unknown?, Record<string, unknown>?];
  if (options.globals !== undefined || options.modules !== undefined) throw new TypeError('Compartment takes globals and modules as arguments or as options, not both');
  return { ...options, globals, modules };
};

/**
 * A Compartment constructor whose compartments, and every compartment made inside them, apply
 * `transforms` after their own and have `globals` (non-enumerable) on their global object.
 */
export const wrapInescapableCompartment = (Base: CompartmentConstructor, transforms: readonly SourceTransform[], globals: Readonly<Record<PropertyKey, unknown>>): CompartmentConstructor => {
  const keys = Reflect.ownKeys(globals);
  function Compartment(this: unknown, ...args: unknown[]): CompartmentInstance {
    if (new.target === undefined) throw new TypeError('Compartment must be called as a constructor');
    const { transforms: own = [], ...rest } = optionsOf(args);
    const compartment = Reflect.construct(Base, [{ ...rest, transforms: [...(own as SourceTransform[]), ...transforms], __options__: true }], new.target) as CompartmentInstance;
    compartment.globalThis.Compartment = Compartment;
    for (const key of keys) Object.defineProperty(compartment.globalThis, key, { value: globals[key as string], writable: true, enumerable: false, configurable: true });
    return compartment;
  }
  Compartment.prototype = Base.prototype;
  return Compartment as unknown as CompartmentConstructor;
};

const hardenOf = (): (<T>(value: T) => T) => {
  const harden = (globalThis as { harden?: <T>(value: T) => T }).harden;
  if (typeof harden !== 'function') throw new CordonError('CORDON_NO_COMPARTMENT', 'importBundle needs SES: import "ses" and call lockdown() first');
  return harden;
};

const EXPORTS = Symbol.for('exports');

/** A namespace-like record of a test bundle's exports: its enumerable string keys, in code-unit order, values read once. */
const testNamespace = (bundle: object): Record<string, unknown> => {
  const exports = (bundle as Record<symbol, unknown>)[EXPORTS];
  if (exports === undefined || exports === null || typeof exports !== 'object') {
    throw new CordonError('CORDON_INVALID_BUNDLE', 'A bundle of moduleFormat "test" needs its exports under Symbol.for("exports") (it cannot travel as JSON or by eventual send)');
  }
  const descriptors = Object.getOwnPropertyDescriptors(exports);
  const names = Object.keys(descriptors)
    .filter(name => descriptors[name]!.enumerable)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const properties: PropertyDescriptorMap = {};
  for (const name of names) properties[name] = { value: (exports as Record<string, unknown>)[name], writable: false, enumerable: true, configurable: false };
  properties[Symbol.toStringTag] = { value: 'Module', writable: false, enumerable: false, configurable: false };
  return Object.seal(Object.create(null, properties) as Record<string, unknown>);
};

/** `bundleTestExports(exports)`: a `test` bundle (not serialisable) of a namespace's exports. */
export const bundleTestExports = (exports: Record<PropertyKey, unknown>): { moduleFormat: 'test'; [EXPORTS]: unknown } => {
  const symbols = Object.getOwnPropertySymbols(exports).filter(symbol => symbol !== Symbol.toStringTag);
  if (symbols.length > 0) throw argument(`exports must not have symbol-named properties, got: ${symbols.map(String).join(', ')}`);
  return { moduleFormat: 'test', [EXPORTS]: exports };
};

const hashMismatch = (name: string, message: string) => new CordonError('CORDON_BUNDLE_HASH_MISMATCH', `Bundle ${JSON.stringify(name)}: ${message}`, { file: name });

export const importBundle = async (bundle: unknown, options: ImportBundleOptions = {}, powers: ImportBundlePowers = {}): Promise<Record<string, unknown>> => {
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) throw argument(`Unknown importBundle option ${JSON.stringify(key)} (known: ${[...OPTION_NAMES].sort().join(', ')})`);
  }
  const { bundleUrl, filePrefix, endowments: given = {}, transforms = [], inescapableTransforms = [], inescapableGlobalProperties = {}, expectedSha512, importHook } = options;
  const name = bundleUrl ?? '<unknown-bundle>';
  if (bundle !== null && typeof bundle === 'object' && Object.getOwnPropertyDescriptor(bundle, 'moduleFormat')?.value === 'test') return testNamespace(bundle);
  const checked = validateBundle(bundle, name, options);
  if (expectedSha512 !== undefined && typeof expectedSha512 !== 'string') throw argument('The expectedSha512 option must be a hex string');
  const endowments: Record<PropertyKey, unknown> = Object.assign(defaultEndowments(), given);
  let Compartment = findCompartmentConstructor(options.Compartment);
  if (inescapableTransforms.length > 0 || Reflect.ownKeys(inescapableGlobalProperties).length > 0) {
    Compartment = wrapInescapableCompartment(Compartment, inescapableTransforms, inescapableGlobalProperties);
  }

  if (checked.moduleFormat === 'endoZipBase64') {
    const { computeSha512, computeSourceLocation, computeSourceMapLocation } = powers;
    if (expectedSha512 !== undefined && !computeSha512) throw argument('importBundle with expectedSha512 needs powers.computeSha512');
    const bytes = decodeBase64(checked.endoZipBase64, name);
    const location = bundleUrl ?? '<unknown>';
    const application = await parseArchive(bytes, location, {
      ...(computeSha512 ? { computeSha512 } : {}),
      ...(computeSourceLocation ? { computeSourceLocation } : {}),
      ...(computeSourceMapLocation ? { computeSourceMapLocation } : {}),
      ...(importHook ? { importHook } : {}),
    });
    if (application.sha512 !== undefined) {
      if (application.sha512 !== checked.endoZipBase64Sha512) throw hashMismatch(name, `its compartment map has sha512 ${application.sha512}, not the endoZipBase64Sha512 it carries (${checked.endoZipBase64Sha512})`);
      if (expectedSha512 !== undefined && application.sha512 !== expectedSha512.toLowerCase()) throw hashMismatch(name, `its compartment map has sha512 ${application.sha512}, not the expected ${expectedSha512}`);
    }
    const { namespace } = await application.import({
      globals: endowments as Record<string, unknown>,
      Compartment,
      ...(transforms.length > 0 ? { __shimTransforms__: transforms } : {}),
      ...(importHook ? { importHook } : {}),
    });
    return namespace;
  }

  let compartment: CompartmentInstance | undefined;
  let source = checked.source;
  if (checked.moduleFormat === 'nestedEvaluate') endowments.nestedEvaluate = (text: string) => compartment!.evaluate(text);
  if (checked.moduleFormat !== 'endoScript') source = `(${source})\n${checked.sourceMap ?? ''}`;
  compartment = new Compartment({ __options__: true, globals: endowments, transforms: [...transforms] });
  // What every package compartment of an archive gets of its own (Node's `global`, a Function whose
  // `Function('return this')()` is this global, a Symbol, an Error with V8's stack API), before the
  // global is hardened as the incumbent hardens it; given endowments of those names win.
  ownGlobals(compartment.globalThis);
  for (const name of ['global', 'Symbol', 'Function', 'Error']) {
    if (Object.prototype.hasOwnProperty.call(given, name)) Object.defineProperty(compartment.globalThis, name, { value: (given as Record<string, unknown>)[name], writable: true, enumerable: false, configurable: true });
  }
  hardenOf()(compartment.globalThis);
  const result = compartment.evaluate(source);
  if (checked.moduleFormat === 'endoScript') return result as Record<string, unknown>;
  if (typeof result !== 'function') throw new CordonError('CORDON_INVALID_BUNDLE', `Bundle ${JSON.stringify(name)}: a ${checked.moduleFormat} source must evaluate to a function, not ${typeof result}`, { file: name });
  return (result as (prefix: unknown) => Record<string, unknown>)(filePrefix);
};
