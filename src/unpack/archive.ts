/**
 * Reading archives: `parseArchive(bytes, location, options)`, `loadArchive(readPowers, location,
 * options)`, `importArchive(…)`, Endo's names and options. The location is a name (`file:///…`,
 * `https://…`, `memory:app.zip`, a bare `app.zip`): it is read through the powers and named in module
 * locations and errors, never parsed as a URL (docs/locations.md). An archive may come from anyone, so
 * before anything runs: the zip's structure and entry names (./zip.ts), `compartment-map.json` against
 * its schema, the files it names (none missing, none extra), and with `computeSha512` every module's
 * hash and with `expectedSha512` the map's own.
 */
import { CordonError, isCordonError } from '../diagnostics/index.js';
import { enforcementOf, IMPORT_OPTION_NAMES, type ImportOptions } from '../link/index.js';
import { checkArchivePolicy } from './policy.js';
import { defaultParserForLanguage } from '../load/index.js';
import { COMPARTMENT_MAP_NAME, readArchiveCompartmentMap, type ArchiveCompartmentMap } from '../model/archive.js';
import type { ParserForLanguage } from '../model/module-source.js';
import { specNamespace } from '../model/namespace.js';
import type { ReadFnOrPowers, ReadPowers } from '../powers/index.js';
import { makeArchiveCompartments, type ArchiveHookOptions } from './hooks.js';
import { LIMIT_NAMES, readZip, type ArchiveLimits } from './zip.js';

export { readZip, type ArchiveLimits } from './zip.js';

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

const PARSE_OPTIONS = [...IMPORT_OPTION_NAMES, 'computeSha512', 'expectedSha512', 'parserForLanguage', 'computeSourceLocation', 'computeSourceMapLocation', 'log', ...LIMIT_NAMES];

const checkOptions = (options: object, allowed: readonly string[]): void => {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new CordonError('CORDON_INVALID_ARGUMENT', `Unknown option ${JSON.stringify(key)} (known: ${[...allowed].sort().join(', ')})`);
  }
};

const decoder = new TextDecoder();

export interface OpenedArchive {
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly map: ArchiveCompartmentMap;
  readonly sha512?: string | undefined;
}

/** The checked contents of an archive: its files and compartment map, every check of the module doc passed. */
export const openArchive = (archiveBytes: Uint8Array, archiveLocation: string, options: ParseArchiveOptions): OpenedArchive => {
  const { computeSha512, expectedSha512 } = options;
  const files = readZip(archiveBytes, archiveLocation, options);
  const mapBytes = files.get(COMPARTMENT_MAP_NAME);
  if (!mapBytes) throw new CordonError('CORDON_ARCHIVE_MISSING_FILE', `Archive has no ${COMPARTMENT_MAP_NAME}`, { file: archiveLocation });
  const sha512 = computeSha512?.(mapBytes);
  if (expectedSha512 !== undefined) {
    if (!computeSha512) throw new CordonError('CORDON_INVALID_ARGUMENT', 'expectedSha512 needs computeSha512', { file: archiveLocation });
    if (sha512 !== expectedSha512) {
      throw new CordonError('CORDON_ARCHIVE_HASH_MISMATCH', `Archive's ${COMPARTMENT_MAP_NAME} has sha512 ${sha512}, not the expected ${expectedSha512}`, { file: archiveLocation });
    }
  }
  const map = readArchiveCompartmentMap(decoder.decode(mapBytes), `${archiveLocation}#${COMPARTMENT_MAP_NAME}`);
  let referenced = 1;
  const seen = new Set<string>();
  for (const name in map.compartments) {
    const modules = map.compartments[name]!.modules;
    for (const specifier in modules) {
      const module = modules[specifier]!;
      if (!('location' in module)) continue;
      const path = `${name}/${module.location}`;
      const bytes = files.get(path);
      if (bytes === undefined) throw new CordonError('CORDON_ARCHIVE_MISSING_FILE', `Archive lacks ${path}, module ${JSON.stringify(specifier)} of ${name}`, { file: archiveLocation, specifier });
      // Two specifiers may name one file (Endo's archives do): it is counted and hashed once.
      if (seen.has(path)) continue;
      seen.add(path);
      referenced += 1;
      if (computeSha512 && module.sha512 !== undefined && computeSha512(bytes) !== module.sha512) {
        throw new CordonError('CORDON_ARCHIVE_HASH_MISMATCH', `Archive file ${path} does not match the sha512 its map records`, { file: archiveLocation, specifier });
      }
    }
  }
  if (referenced !== files.size) {
    for (const path of files.keys()) {
      if (path !== COMPARTMENT_MAP_NAME && !seen.has(path)) throw new CordonError('CORDON_ARCHIVE_EXTRANEOUS_FILE', `Archive holds ${path}, which its map does not name`, { file: archiveLocation, specifier: path });
    }
  }
  return { files, map, ...(sha512 === undefined ? {} : { sha512 }) };
};

export interface ArchiveApplication {
  readonly sha512?: string | undefined;
  readonly compartmentMap: ArchiveCompartmentMap;
  import(options?: ArchiveImportOptions): Promise<{ namespace: Record<string, unknown> }>;
}

/** Endo's policy object from the per-compartment `policy` fields an archive carries (Endo's makeArchive writes them), if any. */
const embeddedPolicyOf = (map: ArchiveCompartmentMap): unknown => {
  const compartments = Object.entries(map.compartments);
  if (!compartments.some(([, compartment]) => compartment.policy !== undefined)) return undefined;
  const resources: Record<string, unknown> = {};
  let entry: unknown;
  for (const [name, compartment] of compartments) {
    if (name === map.entry.compartment) entry = compartment.policy;
    else resources[compartment.label] = compartment.policy ?? {};
  }
  return { resources, ...(entry === undefined ? {} : { entry }) };
};

export const parseArchive = async (archiveBytes: Uint8Array, archiveLocation = '<unknown>', options: ParseArchiveOptions = {}): Promise<ArchiveApplication> => {
  checkOptions(options, PARSE_OPTIONS);
  const { files, map, sha512 } = openArchive(archiveBytes, archiveLocation, options);
  const parserForLanguage = options.parserForLanguage ? { ...defaultParserForLanguage, ...options.parserForLanguage } : defaultParserForLanguage;

  return {
    ...(sha512 === undefined ? {} : { sha512 }),
    compartmentMap: map,
    async import(importOptions: ArchiveImportOptions = {}) {
      checkOptions(importOptions, PARSE_OPTIONS);
      const merged: ArchiveHookOptions = { ...options, ...importOptions, parserForLanguage };
      const errors: unknown[] = [];
      const note = (error: unknown): unknown => {
        errors.push(error);
        return error;
      };
      // The host's policy (given here or to parseArchive) is what counts, not the one the archive embeds;
      // without one, the archive's embedded policy (Endo writes each package's into its compartment)
      // still restricts, as in Endo: it can only take away.
      const embedded = merged.policy === undefined && merged.policyAudit === undefined ? embeddedPolicyOf(map) : undefined;
      const enforcement = enforcementOf(embedded === undefined ? merged : { ...merged, policy: embedded }, map.compartments[map.entry.compartment]?.name);
      if (enforcement?.policy) checkArchivePolicy(map, enforcement, archiveLocation);
      const { entryCompartment, evaluation } = makeArchiveCompartments(map, files, archiveLocation, merged, note, enforcement);
      try {
        await enforcement?.loadAttenuators(specifier => entryCompartment.import(specifier));
        await entryCompartment.load(map.entry.module);
      } catch (error) {
        const all = errors.length > 0 ? errors : [error];
        throw new CordonError('CORDON_LOAD_FAILED', `Cannot load ${archiveLocation} (${all.length} problem${all.length === 1 ? '' : 's'}):\n${all.map(e => `  - ${isCordonError(e) ? `[${e.code}] ` : ''}${(e as Error).message}`).join('\n')}`, {
          cause: error,
          errors: all,
        });
      }
      const executed = await entryCompartment.import(map.entry.module);
      await evaluation.settled(executed);
      const namespace = specNamespace(executed as Record<string, unknown>);
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
