/**
 * Archives: Endo's API (`makeArchive`, `makeAndHashArchive`, `writeArchive`, `mapLocation`,
 * `hashLocation`, the `*FromMap` forms, `captureFromMap`), Endo's format, deterministic bytes: a zip
 * with `compartment-map.json` first and the module files after it in sorted order, stored (no
 * compression), every date 1980-01-01, no absolute path of the building machine anywhere.
 */
import { CordonError } from '../diagnostics/index.js';
import { mapNodeModules, splitMapOptions, type MapNodeModulesOptions } from '../discover/index.js';
import type { PackageCompartmentMapDescriptor } from '../model/index.js';
import type { ReadFnOrPowers, ReadPowers, WritePowers } from '../powers/index.js';
import { captureModules, digestCapture, type CaptureOptions, type Digest } from './capture.js';
import { writeStoredZip } from './zip.js';

export type ArchiveOptions = CaptureOptions;
export type ArchiveLocationOptions = ArchiveOptions & MapNodeModulesOptions;

const ARCHIVE_OPTIONS = ['modules', 'importHook', 'importNowHook', 'parserForLanguage', 'moduleTransforms', 'syncModuleTransforms', 'searchSuffixes', 'log', 'Compartment', 'onModule', 'sourceMapHook', 'policy', 'compileCache'];

const unpack = (powers: ReadFnOrPowers): ReadPowers => (typeof powers === 'function' ? { read: powers } : powers);

const checkOptions = (options: object, extra: readonly string[] = []): void => {
  const allowed = [...ARCHIVE_OPTIONS, ...extra];
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new CordonError('CORDON_INVALID_ARGUMENT', `Unknown option ${JSON.stringify(key)} (known: ${allowed.sort().join(', ')})`);
  }
};

/** The zip of a digest: stored entries, fixed dates, in the digest's order. */
export const zipDigest = (digest: Digest): Uint8Array => writeStoredZip(digest.files);

const digestFromMap = async (readPowers: ReadFnOrPowers, map: PackageCompartmentMapDescriptor, options: ArchiveOptions): Promise<Digest> => {
  checkOptions(options);
  const powers = unpack(readPowers);
  const capture = await captureModules(powers, map, options);
  return digestCapture(capture, powers.computeSha512);
};

export const makeArchiveFromMap = async (readPowers: ReadFnOrPowers, map: PackageCompartmentMapDescriptor, options: ArchiveOptions = {}): Promise<Uint8Array> =>
  zipDigest(await digestFromMap(readPowers, map, options));

export const makeAndHashArchiveFromMap = async (readPowers: ReadFnOrPowers, map: PackageCompartmentMapDescriptor, options: ArchiveOptions = {}) => {
  const digest = await digestFromMap(readPowers, map, options);
  const { computeSha512 } = unpack(readPowers);
  return { bytes: zipDigest(digest), ...(computeSha512 ? { sha512: computeSha512(digest.compartmentMapBytes) } : {}) };
};

export const mapFromMap = async (readPowers: ReadFnOrPowers, map: PackageCompartmentMapDescriptor, options: ArchiveOptions = {}): Promise<Uint8Array> =>
  (await digestFromMap(readPowers, map, options)).compartmentMapBytes;

export const hashFromMap = async (readPowers: ReadFnOrPowers, map: PackageCompartmentMapDescriptor, options: ArchiveOptions = {}): Promise<string> => {
  const { computeSha512 } = unpack(readPowers);
  if (!computeSha512) throw new CordonError('CORDON_INVALID_ARGUMENT', 'hashFromMap needs read powers with computeSha512');
  return computeSha512(await mapFromMap(readPowers, map, options));
};

const writeOf = (write: WritePowers | WritePowers['write']): WritePowers['write'] => (typeof write === 'function' ? write : write.write);

export const writeArchiveFromMap = async (
  write: WritePowers | WritePowers['write'],
  readPowers: ReadFnOrPowers,
  archiveLocation: string,
  map: PackageCompartmentMapDescriptor,
  options: ArchiveOptions = {},
): Promise<void> => {
  await writeOf(write)(archiveLocation, await makeArchiveFromMap(readPowers, map, options));
};

/** Loads an application for analysis: the compartment map and sources by canonical name (Endo's `captureFromMap`). */
export const captureFromMap = async (readPowers: ReadFnOrPowers, map: PackageCompartmentMapDescriptor, options: ArchiveOptions = {}) => {
  checkOptions(options);
  const powers = unpack(readPowers);
  const digest = digestCapture(await captureModules(powers, map, options), powers.computeSha512, compartment => compartment.label);
  const captureSources: Record<string, Record<string, { location: string; bytes: Uint8Array }>> = {};
  for (const [path, bytes] of digest.files) {
    if (path === 'compartment-map.json') continue;
    const compartmentName = [...digest.names.values()].find(name => path.startsWith(`${name}/`))!;
    const location = path.slice(compartmentName.length + 1);
    (captureSources[compartmentName] ??= {})[`./${location}`] = { location, bytes };
  }
  const compartmentRenames = Object.fromEntries(digest.names);
  return {
    captureCompartmentMap: digest.compartmentMap,
    captureSources,
    compartmentRenames,
    oldToNewCompartmentNames: compartmentRenames,
    newToOldCompartmentNames: Object.fromEntries([...digest.names].map(([from, to]) => [to, from])),
  };
};

const mapThen = async <T>(readPowers: ReadFnOrPowers, moduleLocation: string, options: ArchiveLocationOptions, then: (map: PackageCompartmentMapDescriptor, rest: ArchiveOptions) => Promise<T>): Promise<T> => {
  const { mapOptions, rest } = splitMapOptions(options, ARCHIVE_OPTIONS);
  const map = await mapNodeModules(unpack(readPowers), moduleLocation, mapOptions);
  return then(map, rest as ArchiveOptions);
};

export const makeArchive = (readPowers: ReadFnOrPowers, moduleLocation: string, options: ArchiveLocationOptions = {}) =>
  mapThen(readPowers, moduleLocation, options, (map, rest) => makeArchiveFromMap(readPowers, map, rest));
export const makeAndHashArchive = (readPowers: ReadFnOrPowers, moduleLocation: string, options: ArchiveLocationOptions = {}) =>
  mapThen(readPowers, moduleLocation, options, (map, rest) => makeAndHashArchiveFromMap(readPowers, map, rest));
export const mapLocation = (readPowers: ReadFnOrPowers, moduleLocation: string, options: ArchiveLocationOptions = {}) =>
  mapThen(readPowers, moduleLocation, options, (map, rest) => mapFromMap(readPowers, map, rest));
export const hashLocation = (readPowers: ReadFnOrPowers, moduleLocation: string, options: ArchiveLocationOptions = {}) =>
  mapThen(readPowers, moduleLocation, options, (map, rest) => hashFromMap(readPowers, map, rest));
export const writeArchive = (
  write: WritePowers | WritePowers['write'],
  readPowers: ReadFnOrPowers,
  archiveLocation: string,
  moduleLocation: string,
  options: ArchiveLocationOptions = {},
) => mapThen(readPowers, moduleLocation, options, (map, rest) => writeArchiveFromMap(write, readPowers, archiveLocation, map, rest));

