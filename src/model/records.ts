/**
 * Readers of the JSON module records archives carry (`pre-mjs-json`, `pre-cjs-json`). These come from
 * archives, so from anyone: every field is checked before SES sees it.
 */
import { CordonError } from '../diagnostics/index.js';
import type { PrecompiledCjsRecord, PrecompiledModuleSource } from './module-source.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const invalid = (what: string, location: string | undefined, problem: string): CordonError =>
  new CordonError('CORDON_INVALID_MODULE_RECORD', `Invalid ${what} record: ${problem}`, { file: location });

const parseJsonObject = (text: string, what: string, location: string | undefined): Record<string, Json> => {
  let value: Json;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(what, location, `not JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(what, location, 'not a JSON object');
  return value;
};

const stringArray = (value: Json | undefined, field: string, fail: (problem: string) => CordonError): string[] => {
  if (!Array.isArray(value) || !value.every(item => typeof item === 'string')) throw fail(`"${field}" must be an array of strings`);
  return value as string[];
};

const record = (value: Json | undefined, field: string, fail: (problem: string) => CordonError): Record<string, Json> => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail(`"${field}" must be an object`);
  return value;
};

const checkKeys = (object: Record<string, Json>, allowed: readonly string[], fail: (problem: string) => CordonError): void => {
  for (const key of Object.keys(object)) if (!allowed.includes(key)) throw fail(`unknown field ${JSON.stringify(key)}`);
};

const MJS_FIELDS = [
  'imports',
  'exports',
  'reexports',
  '__syncModuleProgram__',
  '__liveExportMap__',
  '__reexportMap__',
  '__fixedExportMap__',
  '__needsImport__',
  '__needsImportMeta__',
  '__cordonTopLevelAwait__',
] as const;

/** A program without the `//# sourceURL` the building machine gave it (a reader adds its own). */
export const withoutSourceUrl = (program: string): string => program.replace(/\n\/\/# sourceURL=[^\n]*$/, '');

/**
 * A compiled ES module's record as archives and the compile cache keep it: the `pre-mjs-json` fields,
 * the program without its sourceURL.
 */
export const precompiledFields = (source: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const fields: Record<string, unknown> = {};
  for (const field of MJS_FIELDS) fields[field] = source[field];
  fields.__syncModuleProgram__ = withoutSourceUrl(String(source.__syncModuleProgram__ ?? ''));
  return fields;
};

/** Reads a `pre-mjs-json` text into a precompiled module source (not yet frozen). */
export const readPrecompiledModule = (text: string, location?: string): PrecompiledModuleSource =>
  checkPrecompiledModule(parseJsonObject(text, 'pre-mjs-json', location), location);

/** Checks a parsed `pre-mjs-json` object (every field) and gives the precompiled module source. */
export const checkPrecompiledModule = (value: unknown, location?: string): PrecompiledModuleSource => {
  const fail = (problem: string): CordonError => invalid('pre-mjs-json', location, problem);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail('not a JSON object');
  const json = value as Record<string, Json>;
  checkKeys(json, MJS_FIELDS, fail);
  const program = json.__syncModuleProgram__;
  if (typeof program !== 'string') throw fail('"__syncModuleProgram__" must be a string');
  const live = record(json.__liveExportMap__ ?? {}, '__liveExportMap__', fail);
  for (const [name, entry] of Object.entries(live)) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'boolean') {
      throw fail(`"__liveExportMap__.${name}" must be [localName, boolean]`);
    }
  }
  const fixed = record(json.__fixedExportMap__ ?? {}, '__fixedExportMap__', fail);
  for (const [name, entry] of Object.entries(fixed)) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw fail(`"__fixedExportMap__.${name}" must be [localName]`);
  }
  const reexportMap = record(json.__reexportMap__ ?? {}, '__reexportMap__', fail);
  for (const [specifier, pairs] of Object.entries(reexportMap)) {
    if (!Array.isArray(pairs) || !pairs.every(pair => Array.isArray(pair) && pair.length === 2 && pair.every(s => typeof s === 'string'))) {
      throw fail(`"__reexportMap__.${specifier}" must be an array of [importName, exportName]`);
    }
  }
  for (const flag of ['__needsImport__', '__needsImportMeta__', '__cordonTopLevelAwait__'] as const) {
    if (json[flag] !== undefined && typeof json[flag] !== 'boolean') throw fail(`"${flag}" must be a boolean`);
  }
  return {
    imports: stringArray(json.imports, 'imports', fail),
    exports: stringArray(json.exports, 'exports', fail),
    reexports: stringArray(json.reexports ?? [], 'reexports', fail),
    __syncModuleProgram__: program,
    __liveExportMap__: live as PrecompiledModuleSource['__liveExportMap__'],
    __reexportMap__: reexportMap as PrecompiledModuleSource['__reexportMap__'],
    __fixedExportMap__: fixed as PrecompiledModuleSource['__fixedExportMap__'],
    __needsImport__: json.__needsImport__ === true,
    __needsImportMeta__: json.__needsImportMeta__ === true,
    ...(json.__cordonTopLevelAwait__ === true ? { __cordonTopLevelAwait__: true as const } : {}),
  };
};

/** Reads a `pre-cjs-json` text. */
export const readPrecompiledCjs = (text: string, location?: string): PrecompiledCjsRecord => checkPrecompiledCjs(parseJsonObject(text, 'pre-cjs-json', location), location);

/** Checks a parsed `pre-cjs-json` object. */
export const checkPrecompiledCjs = (value: unknown, location?: string): PrecompiledCjsRecord => {
  const fail = (problem: string): CordonError => invalid('pre-cjs-json', location, problem);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail('not a JSON object');
  const json = value as Record<string, Json>;
  checkKeys(json, ['imports', 'exports', 'reexports', 'source'], fail);
  if (typeof json.source !== 'string') throw fail('"source" must be a string');
  return {
    imports: stringArray(json.imports, 'imports', fail),
    exports: stringArray(json.exports, 'exports', fail),
    reexports: stringArray(json.reexports ?? [], 'reexports', fail),
    source: json.source,
  };
};
