/**
 * Reading archives: `parseArchive(bytes, location, options)`, `loadArchive(readPowers, location,
 * options)`, `importArchive(…)`, Endo's names and options. An archive may come from anyone, so before
 * anything runs: the zip's structure, every entry's name (no `..`, no root or drive, no backslash, no
 * duplicate), its sizes (limits the caller can raise), `compartment-map.json` against its schema, the
 * files it names (none missing, none extra), and with `computeSha512` every module's hash and with
 * `expectedSha512` the map's own.
 */
import { unzipSync } from 'fflate';
import { CordonError, isCordonError } from '../diagnostics/index.js';
import { IMPORT_OPTION_NAMES, makeCompartmentMaker, makeExitProvider, type CompartmentInstance, type ImportOptions } from '../link/index.js';
import { defaultParserForLanguage } from '../load/index.js';
import {
  archiveSpecifier,
  COMPARTMENT_MAP_NAME,
  isSafeArchivePath,
  pathOfFileUrl,
  readArchiveCompartmentMap,
  type ArchiveCompartmentMap,
  type ModuleSourceRecord,
  type ParserForLanguage,
} from '../model/index.js';
import type { ReadFnOrPowers, ReadPowers } from '../powers/index.js';
import { makeReexportedNames } from './reexports.js';

export interface ArchiveLimits {
  /** Largest size of one entry once decompressed (default 64 MiB). */
  readonly maxEntryBytes?: number | undefined;
  /** Largest total of all entries decompressed (default 512 MiB). */
  readonly maxTotalBytes?: number | undefined;
  /** Most entries (default 65,536). */
  readonly maxEntries?: number | undefined;
  /** Largest decompressed / compressed ratio of an entry over 1 MiB (default 200). */
  readonly maxCompressionRatio?: number | undefined;
}

export type ArchiveImportOptions = ImportOptions;

export interface ParseArchiveOptions extends ArchiveLimits, ArchiveImportOptions {
  computeSha512?: ((bytes: Uint8Array) => string) | undefined;
  expectedSha512?: string | undefined;
  parserForLanguage?: ParserForLanguage | undefined;
  /** `(compartmentName, moduleSpecifier) → location` for each module's URL (sourceURL, import.meta.url). */
  computeSourceLocation?: ((compartmentName: string, moduleSpecifier: string) => string | undefined) | undefined;
  /**
   * `({ compartment, module, location, sha512 }) → URL` of a module's source map (kept beside the
   * archive, as the `sourceMapHook` of makeArchive saved it): the program then names it.
   */
  computeSourceMapLocation?: ((details: { compartment: string; module: string; location: string; sha512?: string | undefined }) => string | undefined) | undefined;
  log?: ((...args: unknown[]) => void) | undefined;
}

const LIMIT_DEFAULTS = { maxEntryBytes: 64 * 1024 * 1024, maxTotalBytes: 512 * 1024 * 1024, maxEntries: 65536, maxCompressionRatio: 200 };

const PARSE_OPTIONS = [
  ...IMPORT_OPTION_NAMES,
  'computeSha512',
  'expectedSha512',
  'parserForLanguage',
  'computeSourceLocation',
  'computeSourceMapLocation',
  'log',
  'maxEntryBytes',
  'maxTotalBytes',
  'maxEntries',
  'maxCompressionRatio',
];

const checkOptions = (options: object, allowed: readonly string[]): void => {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new CordonError('CORDON_INVALID_ARGUMENT', `Unknown option ${JSON.stringify(key)} (known: ${[...allowed].sort().join(', ')})`);
  }
};

/**
 * A zip may carry any prefix (a script header, say): the end-of-central-directory record says where the
 * central directory should be, and the difference with where it is gives the prefix, cut off here so
 * that the zip reader sees offsets from the zip's own start.
 */
const withoutPrefix = (bytes: Uint8Array, archiveLocation: string): Uint8Array => {
  const corrupt = (problem: string) => new CordonError('CORDON_ARCHIVE_CORRUPT', `Not a valid zip archive: ${problem}`, { file: archiveLocation });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let at = bytes.length - 22; at >= lowest; at -= 1) {
    if (view.getUint32(at, true) !== 0x06054b50) continue;
    const commentLength = view.getUint16(at + 20, true);
    if (at + 22 + commentLength !== bytes.length) continue;
    const size = view.getUint32(at + 12, true);
    const offset = view.getUint32(at + 16, true);
    const start = at - size;
    if (start < 0) throw corrupt('its central directory is larger than the file');
    const prefix = start - offset;
    if (prefix < 0) throw corrupt('its central directory lies outside the file');
    return prefix === 0 ? bytes : bytes.subarray(prefix);
  }
  throw corrupt('no end-of-central-directory record');
};

/** The entries of a zip, checked: structure, names, duplicates, sizes. */
export const readZip = (archive: Uint8Array, archiveLocation: string, limits: ArchiveLimits = {}): Map<string, Uint8Array> => {
  const bytes = withoutPrefix(archive, archiveLocation);
  const { maxEntryBytes, maxTotalBytes, maxEntries, maxCompressionRatio } = { ...LIMIT_DEFAULTS, ...dropUndefined(limits) } as Required<{ [K in keyof ArchiveLimits]: number }>;
  const names = new Set<string>();
  let total = 0;
  let count = 0;
  let refusal: CordonError | undefined;
  const refuse = (error: CordonError): false => {
    refusal ??= error;
    return false;
  };
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: file => {
        if (refusal) return false;
        count += 1;
        if (count > maxEntries) return refuse(new CordonError('CORDON_ARCHIVE_TOO_LARGE', `Archive has more than ${maxEntries} entries (maxEntries)`, { file: archiveLocation }));
        if (!isSafeArchivePath(file.name)) return refuse(new CordonError('CORDON_ARCHIVE_UNSAFE_NAME', `Archive entry ${JSON.stringify(file.name)} has an unsafe name`, { file: archiveLocation, specifier: file.name }));
        if (names.has(file.name)) return refuse(new CordonError('CORDON_ARCHIVE_DUPLICATE_ENTRY', `Archive has two entries named ${JSON.stringify(file.name)}`, { file: archiveLocation, specifier: file.name }));
        names.add(file.name);
        if (file.originalSize > maxEntryBytes) {
          return refuse(new CordonError('CORDON_ARCHIVE_TOO_LARGE', `Archive entry ${JSON.stringify(file.name)} is ${file.originalSize} bytes, over maxEntryBytes (${maxEntryBytes})`, { file: archiveLocation, specifier: file.name }));
        }
        total += file.originalSize;
        if (total > maxTotalBytes) return refuse(new CordonError('CORDON_ARCHIVE_TOO_LARGE', `Archive entries total over maxTotalBytes (${maxTotalBytes})`, { file: archiveLocation }));
        if (file.originalSize > 1024 * 1024 && file.originalSize / Math.max(1, file.size) > maxCompressionRatio) {
          return refuse(new CordonError('CORDON_ARCHIVE_TOO_LARGE', `Archive entry ${JSON.stringify(file.name)} expands ${Math.round(file.originalSize / Math.max(1, file.size))} times (a zip bomb?), over maxCompressionRatio (${maxCompressionRatio})`, { file: archiveLocation, specifier: file.name }));
        }
        if (file.compression !== 0 && file.compression !== 8) {
          return refuse(new CordonError('CORDON_ARCHIVE_CORRUPT', `Archive entry ${JSON.stringify(file.name)} uses compression method ${file.compression}; only stored and deflated entries are read`, { file: archiveLocation, specifier: file.name }));
        }
        return true;
      },
    });
  } catch (error) {
    throw new CordonError('CORDON_ARCHIVE_CORRUPT', `Not a valid zip archive: ${(error as Error).message}`, { file: archiveLocation, cause: error });
  }
  if (refusal) throw refusal;
  return new Map(Object.entries(entries));
};

const dropUndefined = <T extends object>(object: T): T => Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;

const decoder = new TextDecoder();

export interface ArchiveApplication {
  readonly sha512?: string | undefined;
  readonly compartmentMap: ArchiveCompartmentMap;
  import(options?: ArchiveImportOptions): Promise<{ namespace: Record<string, unknown> }>;
}

export const parseArchive = async (archiveBytes: Uint8Array, archiveLocation = '<unknown>', options: ParseArchiveOptions = {}): Promise<ArchiveApplication> => {
  checkOptions(options, PARSE_OPTIONS);
  const { computeSha512, expectedSha512 } = options;
  const files = readZip(archiveBytes, archiveLocation, options);
  const mapBytes = files.get(COMPARTMENT_MAP_NAME);
  if (!mapBytes) throw new CordonError('CORDON_ARCHIVE_MISSING_FILE', `Archive has no ${COMPARTMENT_MAP_NAME}`, { file: archiveLocation });
  let sha512: string | undefined;
  if (computeSha512) sha512 = computeSha512(mapBytes);
  if (expectedSha512 !== undefined) {
    if (!computeSha512) throw new CordonError('CORDON_INVALID_ARGUMENT', 'expectedSha512 needs computeSha512', { file: archiveLocation });
    if (sha512 !== expectedSha512) {
      throw new CordonError('CORDON_ARCHIVE_HASH_MISMATCH', `Archive's ${COMPARTMENT_MAP_NAME} has sha512 ${sha512}, not the expected ${expectedSha512}`, { file: archiveLocation });
    }
  }
  const map = readArchiveCompartmentMap(decoder.decode(mapBytes), `${archiveLocation}#${COMPARTMENT_MAP_NAME}`);
  const referenced = new Set([COMPARTMENT_MAP_NAME]);
  for (const [name, compartment] of Object.entries(map.compartments)) {
    for (const [specifier, module] of Object.entries(compartment.modules)) {
      if (!('location' in module)) continue;
      const path = `${name}/${module.location}`;
      const bytes = files.get(path);
      if (bytes === undefined) throw new CordonError('CORDON_ARCHIVE_MISSING_FILE', `Archive lacks ${path}, module ${JSON.stringify(specifier)} of ${name}`, { file: archiveLocation, specifier });
      referenced.add(path);
      if (computeSha512 && module.sha512 !== undefined && computeSha512(bytes) !== module.sha512) {
        throw new CordonError('CORDON_ARCHIVE_HASH_MISMATCH', `Archive file ${path} does not match the sha512 its map records`, { file: archiveLocation, specifier });
      }
    }
  }
  for (const path of files.keys()) {
    if (!referenced.has(path)) throw new CordonError('CORDON_ARCHIVE_EXTRANEOUS_FILE', `Archive holds ${path}, which its map does not name`, { file: archiveLocation, specifier: path });
  }
  const parserForLanguage = { ...defaultParserForLanguage, ...options.parserForLanguage };
  const base = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(archiveLocation) ? `${archiveLocation.replace(/\/+$/, '')}/` : `file:///${archiveLocation.replace(/^\/+/, '')}/`;

  return {
    ...(sha512 === undefined ? {} : { sha512 }),
    compartmentMap: map,
    async import(importOptions: ArchiveImportOptions = {}) {
      checkOptions(importOptions, PARSE_OPTIONS);
      const merged = { ...options, ...importOptions };
      const makeCompartment = makeCompartmentMaker(merged);
      const exitModule = makeExitProvider(merged.modules ?? {}, merged.importHook, merged.importNowHook);
      const compartments = new Map<string, CompartmentInstance>();
      const errors: unknown[] = [];
      const note = (error: unknown): unknown => {
        errors.push(error);
        return error;
      };
      const main: { module?: object | undefined } = {};
      const reexportedNames = makeReexportedNames(map, files);
      for (const [name, compartment] of Object.entries(map.compartments)) {
        const kinds = new Map<string, 'import' | 'require'>();
        const locationOf = (specifier: string, path: string): string => {
          const computed = merged.computeSourceLocation?.(name, specifier);
          return computed ?? new URL(`${name}/${path}`, base).href;
        };
        const hostModules = merged.modules ?? {};
        const hasHook = merged.importHook !== undefined || merged.importNowHook !== undefined;
        const resolveHook = (specifier: string, referrer: string): string => {
          const key = archiveSpecifier(referrer, specifier);
          if (kinds.get(referrer) === 'require' && Object.hasOwn(compartment.modules, `${key} (require)`)) return `${key} (require)`;
          if (Object.hasOwn(compartment.modules, key) || Object.hasOwn(hostModules, key) || hasHook || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(key)) return key;
          // Not archived for this package, and no host to ask: say so now, naming both packages if the
          // archive holds the package under another's authority.
          const packageName = key.startsWith('@') ? key.split('/').slice(0, 2).join('/') : key.split('/')[0]!;
          const owner = Object.values(map.compartments).find(c => c.name === packageName && c !== compartment);
          throw note(
            owner
              ? new CordonError('CORDON_UNDECLARED_DEPENDENCY', `Package ${compartment.label} imports ${JSON.stringify(specifier)}, but ${packageName} (${owner.label}) is not among its dependencies`, {
                  file: new URL(`${name}/${referrer.slice(2)}`, base).href,
                  specifier,
                  package: compartment.label,
                })
              : new CordonError('CORDON_ARCHIVE_MODULE_MISSING', `Module ${JSON.stringify(specifier)} (imported by ${compartment.label}) is not in the archive`, {
                  file: new URL(`${name}/${referrer.slice(2)}`, base).href,
                  specifier,
                  package: compartment.label,
                }),
          );
        };
        const load = (specifier: string, sync: boolean): unknown => {
          const entry = compartment.modules[specifier];
          const fromHost = (exitSpecifier: string): unknown => {
            const missing = (): never => {
              throw note(
                new CordonError('CORDON_ARCHIVE_MODULE_MISSING', `Module ${JSON.stringify(exitSpecifier)} is not in the archive (imported in ${compartment.label}), and no host module of that name was given`, {
                  file: archiveLocation,
                  specifier: exitSpecifier,
                  package: compartment.label,
                }),
              );
            };
            const found = exitModule(exitSpecifier, name, sync);
            return found instanceof Promise ? found.then(d => d ?? missing()) : (found ?? missing());
          };
          if (entry === undefined) return fromHost(specifier.replace(/ \(require\)$/, ''));
          if ('exit' in entry) return fromHost(entry.exit);
          if ('deferredError' in entry) {
            const error = new CordonError('CORDON_ARCHIVE_MODULE_MISSING', entry.deferredError, { file: archiveLocation, specifier, package: compartment.label });
            return { source: { imports: [], exports: [], execute: () => { throw error; } } };
          }
          if ('compartment' in entry) {
            const target = compartments.get(entry.compartment)!;
            return { namespace: entry.module, compartment: target };
          }
          const parser = parserForLanguage[entry.parser];
          if (!parser) {
            throw note(new CordonError('CORDON_NO_PARSER', `No parser for language ${JSON.stringify(entry.parser)} (${name}/${entry.location})`, { file: archiveLocation, package: compartment.label }));
          }
          if (parser.heuristicImports) kinds.set(specifier, 'require');
          const url = locationOf(specifier, entry.location);
          const filename = pathOfFileUrl(url);
          const bytes = files.get(`${name}/${entry.location}`)!;
          const isEntry = name === map.entry.compartment && specifier === map.entry.module;
          const resolve = (request: string) => resolveHook(request, specifier);
          const reexports = entry.parser === 'pre-cjs-json' ? reexportedNames(name, specifier) : [];
          try {
            const parsed = parser.parse(bytes, specifier, url, new URL(`${name}/`, base).href, {
              ...(reexports.length > 0 ? { reexportedNames: reexports } : {}),
              filename,
              resolve,
              resolveImport: (request: string) => archiveSpecifier(specifier, request),
              requireResolve: (request: string) => {
                let target = compartment.modules[resolve(request)];
                // Follow a redirect inside the compartment (`./x` → `./x.js`).
                if (target && 'compartment' in target && target.compartment === name) target = compartment.modules[target.module];
                return target && 'location' in target ? (pathOfFileUrl(new URL(`${name}/${target.location}`, base).href) ?? request) : request;
              },
              main: {
                isEntry,
                get module() {
                  return main.module;
                },
                set module(value: object | undefined) {
                  if (isEntry) main.module = value;
                },
              },
            });
            const sourceMapUrl = merged.computeSourceMapLocation?.({ compartment: name, module: specifier, location: entry.location, sha512: entry.sha512 });
            const withSourceMap = (record: ModuleSourceRecord): ModuleSourceRecord =>
              sourceMapUrl !== undefined && '__syncModuleProgram__' in record
                ? Object.freeze({ ...record, __syncModuleProgram__: `${record.__syncModuleProgram__}\n//# sourceMappingURL=${sourceMapUrl.replace(/[\r\n\u2028\u2029]/g, '')}` })
                : record;
            const withRecord = (result: { record: ModuleSourceRecord }) => ({ source: withSourceMap(result.record), importMeta: { url } });
            return parsed instanceof Promise ? parsed.then(withRecord, error => { throw note(error); }) : withRecord(parsed);
          } catch (error) {
            throw note(error);
          }
        };
        const instance = makeCompartment(compartment.label, {
          resolveHook,
          importHook: async (specifier: string) => load(specifier, false),
          importNowHook: (specifier: string) => load(specifier, true),
        });
        compartments.set(name, instance);
      }
      const entryCompartment = compartments.get(map.entry.compartment)!;
      try {
        await entryCompartment.load(map.entry.module);
      } catch (error) {
        const all = errors.length > 0 ? errors : [error];
        throw new CordonError('CORDON_LOAD_FAILED', `Cannot load ${archiveLocation} (${all.length} problem${all.length === 1 ? '' : 's'}):\n${all.map(e => `  - ${isCordonError(e) ? `[${e.code}] ` : ''}${(e as Error).message}`).join('\n')}`, {
          cause: error,
          errors: all,
        });
      }
      const namespace = (await entryCompartment.import(map.entry.module)) as Record<string, unknown>;
      return { namespace };
    },
  };
};

const unpackPowers = (powers: ReadFnOrPowers): ReadPowers => (typeof powers === 'function' ? { read: powers } : powers);

/** Reads an archive through read powers and parses it; every option is forwarded (the incumbent drops `importHook`). */
export const loadArchive = async (readPowers: ReadFnOrPowers, archiveLocation: string, options: ParseArchiveOptions = {}): Promise<ArchiveApplication> => {
  const powers = unpackPowers(readPowers);
  const bytes = await powers.read(archiveLocation);
  return parseArchive(bytes, archiveLocation, { ...(powers.computeSha512 && options.computeSha512 === undefined ? { computeSha512: powers.computeSha512 } : {}), ...options });
};

export const importArchive = async (readPowers: ReadFnOrPowers, archiveLocation: string, options: ParseArchiveOptions = {}) => {
  const application = await loadArchive(readPowers, archiveLocation, options);
  return application.import();
};

export interface ArchiveDescription {
  readonly sha512?: string | undefined;
  readonly bytes: number;
  readonly entry: { readonly compartment: string; readonly module: string };
  readonly compartments: readonly {
    readonly name: string;
    readonly label: string;
    readonly modules: readonly { readonly specifier: string; readonly location: string; readonly parser: string; readonly bytes: number }[];
    readonly links: number;
  }[];
  /** Host modules the archived modules import (not in the archive: the host must provide them). */
  readonly exits: readonly string[];
}

/** What an archive holds, checked as parseArchive checks it (for `cordon inspect`). */
export const describeArchive = async (archiveBytes: Uint8Array, archiveLocation = '<unknown>', options: ParseArchiveOptions = {}): Promise<ArchiveDescription> => {
  const application = await parseArchive(archiveBytes, archiveLocation, options);
  const files = readZip(archiveBytes, archiveLocation, options);
  const map = application.compartmentMap;
  const exits = new Set<string>();
  const compartments = Object.entries(map.compartments).map(([name, compartment]) => {
    const modules = [];
    let links = 0;
    for (const [specifier, module] of Object.entries(compartment.modules)) {
      if (!('location' in module)) {
        links += 1;
        continue;
      }
      const bytes = files.get(`${name}/${module.location}`)!;
      modules.push({ specifier, location: module.location, parser: module.parser, bytes: bytes.length });
      if (module.parser === 'pre-mjs-json' || module.parser === 'pre-cjs-json') {
        let imports: unknown = [];
        try {
          imports = JSON.parse(decoder.decode(bytes)).imports;
        } catch {
          imports = [];
        }
        for (const imported of Array.isArray(imports) ? imports : []) {
          if (typeof imported !== 'string') continue;
          const key = archiveSpecifier(specifier, imported);
          if (!Object.hasOwn(compartment.modules, key) && !Object.hasOwn(compartment.modules, `${key} (require)`)) exits.add(imported);
        }
      }
    }
    return { name, label: compartment.label, modules, links };
  });
  return { ...(application.sha512 === undefined ? {} : { sha512: application.sha512 }), bytes: archiveBytes.length, entry: map.entry, compartments, exits: [...exits].sort() };
};
