/**
 * `bundleSource(startFilename, formatOrOptions?, powers?)`: `@endo/bundle-source`'s call, its four
 * formats and its options, over the powers it is given (this layer reads nothing itself; the Node
 * defaults are in `cli/node-bundles.ts`, behind `cordon/bundle-source.js`).
 *
 * - `endoZipBase64`: a Cordon archive (deterministic zip, Endo's format), base64, with the SHA-512 of
 *   its `compartment-map.json`;
 * - `endoScript`: `(functor)()`, whose completion value is the entry's namespace;
 * - `getExport`: the functor made with `format: 'cjs'` (host modules through `require`);
 * - `nestedEvaluate`: the same made with `useEvaluate`, inside the `nestedEvaluate` wrapper.
 *
 * Nothing of the building machine is in a bundle: modules are named by archive names
 * (`<package>-v<version>/<path>`), never by path.
 */
import { CordonError } from '../diagnostics/index.js';
import { elideComments, loadTypeScriptStripper, stripTypeScript } from '../compile/index.js';
import { mapNodeModules } from '../discover/index.js';
import type { ImportHook } from '../link/index.js';
import type { LoadedModule, ModuleTransform } from '../load/index.js';
import { BUNDLE_FORMATS, encodeBase64, isBundleModuleFormat, type Bundle, type BundleModuleFormat } from '../model/index.js';
import type { ArchiveFileModule, PackageCompartmentMapDescriptor } from '../model/index.js';
import type { ReadPowers } from '../powers/index.js';
import { zipDigest } from './archive.js';
import { captureModules, digestCapture, type CaptureOptions, type Digest } from './capture.js';
import { captureForScript, functorFromCapture, nestedEvaluateSource, type FunctorOptions } from './functor.js';

export interface BundleSourceOptions {
  readonly format?: BundleModuleFormat | undefined;
  /** Graph the entry package's devDependencies (always for getExport and nestedEvaluate, as Endo). */
  readonly dev?: boolean | undefined;
  readonly conditions?: readonly string[] | undefined;
  readonly commonDependencies?: Readonly<Record<string, string>> | undefined;
  /** endoZipBase64: archive each ES and CommonJS module's original text (parser `mjs`/`cjs`), not Cordon's compiled record. */
  readonly noTransforms?: boolean | undefined;
  /** Blank the interior of every comment, keeping line breaks (and `/*!` and `@license` blocks). */
  readonly elideComments?: boolean | undefined;
  /** endoZipBase64 only: host modules at bundle time (Endo's exit hook). */
  readonly importHook?: ImportHook | undefined;
  /** Save each module's source map in Endo's cache (`endo/source-map/…`); needs the powers' `cacheSourceMap`. */
  readonly cacheSourceMaps?: boolean | undefined;
  /** Cordon's: told of each module as it is captured (the CLI's cache records what was read). */
  readonly onModule?: ((module: LoadedModule) => void) | undefined;
}

export interface SourceMapDetails {
  readonly sha512: string;
  /** The package's location (Endo's `compartment`) and the module's specifier in it. */
  readonly compartment: string;
  readonly module: string;
  /** The module's own location. */
  readonly location: string;
}

/** What bundleSource reads with: read powers, and (Endo's names) the rest. */
export interface BundleSourcePowers extends ReadPowers {
  /** `path.resolve`: a relative `startFilename` is resolved by it (then made a URL by `pathToFileURL`). */
  readonly pathResolve?: ((...paths: string[]) => string) | undefined;
  /** Writes one module's source map to the cache (with `cacheSourceMaps`). */
  readonly cacheSourceMap?: ((sourceMap: string, details: SourceMapDetails) => Promise<void>) | undefined;
}

const OPTION_NAMES = ['format', 'dev', 'conditions', 'commonDependencies', 'noTransforms', 'elideComments', 'importHook', 'cacheSourceMaps', 'onModule'];
/** What Endo's script formats use as the sourceURL prefix. */
const SOURCE_URL_PREFIX = '/bundled-source/.../';

const argument = (message: string) => new CordonError('CORDON_INVALID_ARGUMENT', message);

const checkOptions = (options: BundleSourceOptions): BundleModuleFormat => {
  if (options === null || typeof options !== 'object') throw argument('bundleSource options must be a format name or an object');
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) throw argument(`Unknown bundleSource option ${JSON.stringify(key)} (known: ${[...OPTION_NAMES].sort().join(', ')})`);
  }
  const format = options.format ?? 'endoZipBase64';
  if (!isBundleModuleFormat(format)) throw argument(`moduleFormat ${JSON.stringify(format)} is not supported (supported: ${BUNDLE_FORMATS.join(', ')})`);
  const { conditions, noTransforms, elideComments: elide, importHook } = options;
  if (conditions !== undefined && (!Array.isArray(conditions) || !conditions.every(c => typeof c === 'string'))) throw argument('The conditions option must be an array of strings');
  for (const key of ['dev', 'noTransforms', 'elideComments', 'cacheSourceMaps'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') throw argument(`The ${key} option must be a boolean`);
  }
  if (noTransforms && elide) throw argument('bundleSource cannot elideComments with noTransforms (eliding is a transform)');
  if (importHook !== undefined && typeof importHook !== 'function') throw argument('The importHook option must be a function');
  if (importHook !== undefined && format !== 'endoZipBase64') throw argument(`The importHook option is for the endoZipBase64 format only (a ${format} bundle reaches host modules through require)`);
  return format;
};

/** `startFilename` (a path, resolved by `pathResolve`, or a `file:` URL) as a URL. */
const entryLocation = (startFilename: string, powers: BundleSourcePowers): string => {
  if (typeof startFilename !== 'string' || startFilename === '') throw argument('bundleSource needs the entry module (a path or a file URL)');
  if (/^file:/i.test(startFilename)) return new URL(startFilename).href;
  const { pathResolve, pathToFileURL } = powers;
  if (!pathResolve || !pathToFileURL) throw argument(`bundleSource needs powers with pathResolve and pathToFileURL to find ${JSON.stringify(startFilename)} (or give a file: URL)`);
  return pathToFileURL(pathResolve(startFilename)).href;
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The elideComments transform, for ES modules and CommonJS; TypeScript is stripped first (and becomes that JavaScript). */
const elidingTransforms = (): Record<string, ModuleTransform> => {
  const transform =
    (language: 'mjs' | 'cjs', typeScript = false): ModuleTransform =>
    async (bytes, _specifier, location) => {
      if (typeScript) await loadTypeScriptStripper();
      const text = typeScript ? stripTypeScript(decoder.decode(bytes), location, bytes) : decoder.decode(bytes);
      return { bytes: encoder.encode(elideComments(text, language, location)), parser: language };
    };
  return { mjs: transform('mjs'), cjs: transform('cjs'), mts: transform('mjs', true), cts: transform('cjs', true) };
};

/**
 * The digest with each ES and CommonJS module as its original text (Endo's `noTransforms`): parser
 * `mjs`/`cjs`, its own sha512; the compartment map written again as the archive writer writes it.
 */
const withOriginalSources = (digest: Digest, modules: readonly LoadedModule[], computeSha512: ((bytes: Uint8Array) => string) | undefined): Digest => {
  const files = new Map(digest.files);
  const compartments = digest.compartmentMap.compartments as Record<string, { modules: Record<string, ArchiveFileModule> }>;
  for (const module of modules) {
    if (module.language !== 'mjs' && module.language !== 'cjs') continue;
    const name = digest.names.get(module.compartment)!;
    const entry = compartments[name]?.modules[module.module];
    if (!entry || !('location' in entry)) continue;
    files.set(`${name}/${entry.location}`, module.bytes);
    const replaced: ArchiveFileModule = { location: entry.location, parser: module.language, ...(computeSha512 ? { sha512: computeSha512(module.bytes) } : {}) } as ArchiveFileModule;
    compartments[name]!.modules[module.module] = replaced;
  }
  const compartmentMapBytes = encoder.encode(JSON.stringify(digest.compartmentMap, null, 2));
  files.set('compartment-map.json', compartmentMapBytes);
  return { ...digest, compartmentMapBytes, files };
};

const harden = <T>(value: T): T => {
  const hardener = (globalThis as { harden?: (v: T) => T }).harden;
  return hardener ? hardener(value) : Object.freeze(value);
};

const bundleZip = async (powers: BundleSourcePowers, map: PackageCompartmentMapDescriptor, capture: CaptureOptions, options: BundleSourceOptions, maps: Map<string, string>): Promise<Bundle> => {
  const { computeSha512 } = powers;
  if (!computeSha512) throw argument('bundleSource endoZipBase64 needs powers with computeSha512 (the bundle carries the sha512 of its compartment map)');
  const captured = await captureModules(powers, map, capture);
  let digest = digestCapture(captured, computeSha512);
  if (options.noTransforms) digest = withOriginalSources(digest, captured.modules, computeSha512);
  if (options.cacheSourceMaps) await cacheSourceMaps(powers, captured.modules, digest, maps);
  return harden({
    moduleFormat: 'endoZipBase64' as const,
    endoZipBase64: encodeBase64(zipDigest(digest)),
    endoZipBase64Sha512: computeSha512(digest.compartmentMapBytes),
  });
};

/** Each module's source map, under the sha512 the archive records for the module (where import-bundle's source-map powers look). */
const cacheSourceMaps = async (powers: BundleSourcePowers, modules: readonly LoadedModule[], digest: Digest, maps: ReadonlyMap<string, string>): Promise<void> => {
  const write = powers.cacheSourceMap!;
  const jobs: Promise<void>[] = [];
  const compartments = digest.compartmentMap.compartments as Record<string, { modules: Record<string, { sha512?: string }> }>;
  for (const module of modules) {
    const sourceMap = maps.get(module.location);
    const sha512 = compartments[digest.names.get(module.compartment)!]?.modules[module.module]?.sha512;
    if (sourceMap === undefined || sha512 === undefined) continue;
    jobs.push(write(sourceMap, { sha512, compartment: module.compartment, module: module.module, location: module.location }));
  }
  await Promise.all(jobs);
};

const bundleScript = async (powers: BundleSourcePowers, map: PackageCompartmentMapDescriptor, capture: CaptureOptions, format: Exclude<BundleModuleFormat, 'endoZipBase64'>, options: BundleSourceOptions, maps: Map<string, string>): Promise<Bundle> => {
  const functorOptions: FunctorOptions = {
    sourceUrlPrefix: SOURCE_URL_PREFIX,
    ...(format === 'endoScript' ? {} : { format: 'cjs' as const }),
    ...(format === 'nestedEvaluate' ? { useEvaluate: true } : {}),
  };
  const captured = await captureForScript(powers, map, capture);
  const functor = functorFromCapture(captured.modules, map, functorOptions);
  if (options.cacheSourceMaps && powers.computeSha512) await cacheSourceMaps(powers, captured.modules, digestCapture(captured, powers.computeSha512), maps);
  // Every script format carries an empty sourceMap, endoScript too (as the incumbent writes them).
  const source = format === 'endoScript' ? `(${functor})()` : format === 'nestedEvaluate' ? nestedEvaluateSource(functor) : functor;
  return harden({ moduleFormat: format, source, sourceMap: '' });
};

export const bundleSource = async (startFilename: string, formatOrOptions: BundleModuleFormat | BundleSourceOptions = {}, powers: BundleSourcePowers | undefined = undefined): Promise<Bundle> => {
  const options: BundleSourceOptions = typeof formatOrOptions === 'string' ? { format: formatOrOptions } : (formatOrOptions ?? {});
  const format = checkOptions(options);
  if (!powers || typeof powers.read !== 'function') throw argument('bundleSource needs read powers (cordon/bundle-source.js gives Node\'s)');
  if (options.cacheSourceMaps && (!powers.cacheSourceMap || !powers.computeSha512)) throw argument('cacheSourceMaps needs powers with computeSha512 and cacheSourceMap');
  const entry = entryLocation(startFilename, powers);
  // getExport and nestedEvaluate graph devDependencies too (Endo's courtesy to those two formats).
  const dev = options.dev === true || format === 'getExport' || format === 'nestedEvaluate';
  const map = await mapNodeModules(powers, entry, {
    dev,
    conditions: new Set(options.conditions ?? []),
    ...(options.commonDependencies ? { commonDependencies: options.commonDependencies } : {}),
  });
  const maps = new Map<string, string>();
  const capture: CaptureOptions = {
    ...(options.elideComments ? { moduleTransforms: elidingTransforms() } : {}),
    ...(options.importHook ? { importHook: options.importHook } : {}),
    ...(options.onModule ? { onModule: options.onModule } : {}),
    ...(options.cacheSourceMaps ? { sourceMapHook: (sourceMap: string, details: { location: string }) => void maps.set(details.location, sourceMap) } : {}),
  };
  return format === 'endoZipBase64' ? bundleZip(powers, map, capture, options, maps) : bundleScript(powers, map, capture, format, options, maps);
};
