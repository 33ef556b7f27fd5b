/**
 * The compartment map an archive carries (`compartment-map.json`), Endo's format: the reader that
 * checks it before anything else is trusted (archives come from anyone), and the types both the
 * writer and the reader use.
 */
import { CordonError } from '../diagnostics/index.js';
import { lineColumnOf } from './text.js';

export interface ArchiveFileModule {
  readonly location: string;
  readonly parser: string;
  readonly sha512?: string | undefined;
}
export interface ArchiveLinkModule {
  readonly compartment: string;
  readonly module: string;
}
export interface ArchiveExitModule {
  readonly exit: string;
}
export interface ArchiveErrorModule {
  readonly deferredError: string;
}
export type ArchiveModule = ArchiveFileModule | ArchiveLinkModule | ArchiveExitModule | ArchiveErrorModule;

export interface ArchiveCompartment {
  readonly name: string;
  readonly label: string;
  readonly location: string;
  readonly modules: Readonly<Record<string, ArchiveModule>>;
  readonly policy?: unknown;
}

export interface ArchiveCompartmentMap {
  readonly tags: readonly string[];
  readonly entry: { readonly compartment: string; readonly module: string };
  readonly compartments: Readonly<Record<string, ArchiveCompartment>>;
}

export const COMPARTMENT_MAP_NAME = 'compartment-map.json';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const invalid = (problem: string, file: string | undefined, details: { line?: number; column?: number } = {}): CordonError =>
  new CordonError('CORDON_ARCHIVE_INVALID_MAP', `Invalid ${COMPARTMENT_MAP_NAME}: ${problem}`, { file, ...details });

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A relative path inside an archive: no root, drive, backslash, control character, empty, `.` or `..` segment. */
const ROOT_OR_DRIVE = /^(?:\/|[a-zA-Z]:)/;
const BAD_CHARACTER = /[\u0000-\u001f\\]/;
const BAD_SEGMENT = /(?:^|\/)\.{0,2}(?:\/|$)/;
export const isSafeArchivePath = (path: string): boolean =>
  path.length > 0 && path.length <= 4096 && !ROOT_OR_DRIVE.test(path) && !BAD_CHARACTER.test(path) && !BAD_SEGMENT.test(path);

/** Where in the map a problem is, computed only when there is one. */
type Where = () => string;

const checkKeys = (object: Record<string, unknown>, allowed: readonly string[], where: Where, file: string | undefined): void => {
  for (const key in object) {
    if (FORBIDDEN_KEYS.has(key)) throw invalid(`${where()} has the forbidden key ${JSON.stringify(key)}`, file);
    if (!allowed.includes(key) && key.charCodeAt(0) !== 0x5f /* _ */) throw invalid(`${where()} has the unknown key ${JSON.stringify(key)}`, file);
  }
};

const str = (value: unknown, where: Where, file: string | undefined): string => {
  if (typeof value !== 'string') throw invalid(`${where()} must be a string`, file);
  return value;
};

const SHA512 = /^[0-9a-f]{128}$/;
const FILE_KEYS = ['location', 'parser', 'sha512'];
const LINK_KEYS = ['compartment', 'module'];

/** One entry of a compartment's `modules`, checked. */
const readModule = (module: unknown, at: Where, file: string | undefined): ArchiveModule => {
  if (!isObject(module)) throw invalid(`${at()} must be an object`, file);
  if ('location' in module || 'parser' in module) {
    checkKeys(module, FILE_KEYS, at, file);
    const location = str(module.location, () => `${at()}.location`, file);
    if (!isSafeArchivePath(location)) throw invalid(`${at()}.location ${JSON.stringify(location)} is not a safe path`, file);
    const parser = str(module.parser, () => `${at()}.parser`, file);
    if (module.sha512 === undefined) return { location, parser };
    const sha512 = str(module.sha512, () => `${at()}.sha512`, file);
    if (!SHA512.test(sha512)) throw invalid(`${at()}.sha512 must be 128 lowercase hex digits`, file);
    return { location, parser, sha512 };
  }
  if ('compartment' in module || 'module' in module) {
    checkKeys(module, LINK_KEYS, at, file);
    return { compartment: str(module.compartment, () => `${at()}.compartment`, file), module: str(module.module, () => `${at()}.module`, file) };
  }
  if ('exit' in module) {
    checkKeys(module, ['exit'], at, file);
    return { exit: str(module.exit, () => `${at()}.exit`, file) };
  }
  if ('deferredError' in module) {
    checkKeys(module, ['deferredError'], at, file);
    return { deferredError: str(module.deferredError, () => `${at()}.deferredError`, file) };
  }
  throw invalid(`${at()} is neither a file, a link, an exit nor a deferred error`, file);
};

/** Parses and checks `compartment-map.json` text. `file` names it in errors. */
export const readArchiveCompartmentMap = (text: string, file?: string): ArchiveCompartmentMap => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message);
    throw invalid(`not JSON (${(error as Error).message})`, file, position ? lineColumnOf(text, Number(position[1])) : {});
  }
  if (!isObject(json)) throw invalid('the top level must be an object', file);
  checkKeys(json, ['tags', 'entry', 'compartments'], () => 'the top level', file);
  const tags = json.tags ?? [];
  if (!Array.isArray(tags) || !tags.every(tag => typeof tag === 'string')) throw invalid('"tags" must be an array of strings', file);
  if (!isObject(json.entry)) throw invalid('"entry" must be an object', file);
  checkKeys(json.entry, ['compartment', 'module'], () => '"entry"', file);
  const entry = { compartment: str(json.entry.compartment, () => '"entry.compartment"', file), module: str(json.entry.module, () => '"entry.module"', file) };
  if (!isObject(json.compartments)) throw invalid('"compartments" must be an object', file);
  const names = Object.keys(json.compartments);
  if (names.length === 0) throw invalid('"compartments" is empty', file);
  const compartments: Record<string, ArchiveCompartment> = Object.create(null);
  for (const name of names) {
    if (FORBIDDEN_KEYS.has(name)) throw invalid(`the compartment name ${JSON.stringify(name)} is forbidden`, file);
    if (!isSafeArchivePath(name) && name !== '<ATTENUATORS>') throw invalid(`the compartment name ${JSON.stringify(name)} is not a safe folder name`, file);
    const compartment = json.compartments[name];
    const where = () => `compartment ${JSON.stringify(name)}`;
    if (!isObject(compartment)) throw invalid(`${where()} must be an object`, file);
    checkKeys(compartment, ['name', 'label', 'location', 'modules', 'policy'], where, file);
    const location = str(compartment.location, () => `${where()}.location`, file);
    if (location !== name) throw invalid(`${where()}.location must be the compartment's own name`, file);
    const given = compartment.modules;
    if (!isObject(given)) throw invalid(`${where()}.modules must be an object`, file);
    const modules: Record<string, ArchiveModule> = Object.create(null);
    for (const specifier of Object.keys(given)) {
      const at = () => `${where()} module ${JSON.stringify(specifier)}`;
      if (FORBIDDEN_KEYS.has(specifier)) throw invalid(`${at()}: forbidden specifier`, file);
      modules[specifier] = readModule(given[specifier], at, file);
    }
    compartments[name] = {
      name: str(compartment.name, () => `${where()}.name`, file),
      label: str(compartment.label, () => `${where()}.label`, file),
      location,
      modules,
      ...(compartment.policy === undefined ? {} : { policy: compartment.policy }),
    };
  }
  if (!Object.hasOwn(compartments, entry.compartment)) throw invalid(`the entry compartment ${JSON.stringify(entry.compartment)} does not exist`, file);
  // Links must lead somewhere that exists.
  for (const name in compartments) {
    const modules = compartments[name]!.modules;
    for (const specifier in modules) {
      const module = modules[specifier]!;
      if (!('compartment' in module)) continue;
      const target = compartments[module.compartment];
      if (!target) throw invalid(`compartment ${JSON.stringify(name)} links ${JSON.stringify(specifier)} to the missing compartment ${JSON.stringify(module.compartment)}`, file);
      if (!Object.hasOwn(target.modules, module.module)) {
        throw invalid(`compartment ${JSON.stringify(name)} links ${JSON.stringify(specifier)} to ${JSON.stringify(module.module)}, which compartment ${JSON.stringify(module.compartment)} does not have`, file);
      }
    }
  }
  const entryCompartment = compartments[entry.compartment]!;
  if (!Object.hasOwn(entryCompartment.modules, entry.module)) throw invalid(`the entry module ${JSON.stringify(entry.module)} is not in compartment ${JSON.stringify(entry.compartment)}`, file);
  return { tags: tags as string[], entry, compartments };
};

/**
 * The specifier under which an archive's `modules` list what `referrer` imports as `specifier`: Endo's
 * archive resolution (a relative specifier is joined to its referrer; anything else stays as written).
 */
export const archiveSpecifier = (referrer: string, specifier: string): string => {
  if (specifier.charCodeAt(0) !== 0x2e /* . */) return specifier;
  // The common case, `./name` of plain segments: the referrer's folder, then the name.
  if (specifier.charCodeAt(1) === 0x2f /* / */ && !specifier.includes('/.') && !specifier.includes('//') && !specifier.endsWith('/')) {
    const folder = referrer.slice(0, referrer.lastIndexOf('/') + 1);
    return folder.startsWith('.') ? `${folder}${specifier.slice(2)}` : `./${folder}${specifier.slice(2)}`;
  }
  if (!(specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..')) return specifier;
  const parts = referrer.split('/');
  parts.pop();
  for (const segment of specifier.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  const joined = parts.join('/');
  return joined.startsWith('.') ? joined : `./${joined}`;
};
