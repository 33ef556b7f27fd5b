// A small in-memory linker for tests of the compile stage: files in a Map, one SES Compartment,
// languages chosen by extension, relative specifiers resolved like paths, bare ones through `aliases`
// (specifier → file) or host `modules` (specifier → namespace object). The real loader comes with
// the link stage; this only wires the compiler's records into SES the way SES expects.
import { defaultParserForLanguage } from 'cordon/import-parsers.js';
import { compileCommonJs } from 'cordon';

const encoder = new TextEncoder();

export const languageOf = (path, defaultJs = 'mjs') => {
  if (path.endsWith('.mjs')) return 'mjs';
  if (path.endsWith('.cjs')) return 'cjs';
  if (path.endsWith('.json')) return 'json';
  if (path.endsWith('.txt')) return 'text';
  if (path.endsWith('.bin')) return 'bytes';
  return defaultJs;
};

const join = (referrer, specifier) => {
  const parts = referrer.split('/');
  parts.pop();
  for (const segment of specifier.split('/')) {
    if (segment === '..') parts.pop();
    else if (segment !== '.') parts.push(segment);
  }
  return parts.join('/');
};

/**
 * @param {Map<string,string>|Record<string,string>} files  path ('./a.js') → text
 * @param {object} [options]
 * @param {(path: string) => string} [options.language]
 * @param {Record<string,string>} [options.aliases]  bare specifier → path
 * @param {Record<string,object>} [options.modules]  bare specifier → host namespace
 * @param {string[]} [options.suffixes]  tried after the exact path
 * @param {object} [options.globals]
 * @param {Function} [options.ModuleSource]  compile `mjs` with this class instead (e.g. the incumbent's)
 * @param {boolean} [options.deferMissing]  a missing module becomes one that throws when executed
 *   (as a loader does for CommonJS requires, which are heuristic)
 */
export const makeMemoryCompartment = (files, options = {}) => {
  const table = files instanceof Map ? files : new Map(Object.entries(files));
  const { language = p => languageOf(p), aliases = {}, modules = {}, suffixes = ['.js', '.json', '/index.js'], globals = {}, deferMissing = false, ModuleSource } = options;
  const locate = specifier => {
    if (table.has(specifier)) return specifier;
    for (const suffix of suffixes) if (table.has(specifier + suffix)) return specifier + suffix;
    return undefined;
  };
  const resolveHook = (specifier, referrer) => {
    if (specifier.startsWith('./') || specifier.startsWith('../')) return join(referrer, specifier);
    return specifier;
  };
  const reexportNames = (path, seen = new Set()) => {
    if (seen.has(path)) return [];
    seen.add(path);
    const text = table.get(path);
    if (language(path) !== 'cjs') return [];
    const compiled = compileCommonJs(text, path);
    const names = compiled.exports.filter(n => n !== 'default');
    for (const r of compiled.reexports) {
      const target = locate(resolveHook(r, path)) ?? (aliases[r] && locate(aliases[r]));
      if (target) names.push(...reexportNames(target, seen));
    }
    return names;
  };
  const load = specifier => {
    if (Object.hasOwn(modules, specifier)) {
      const ns = modules[specifier];
      return { namespace: ns };
    }
    const path = locate(specifier) ?? (aliases[specifier] && locate(aliases[specifier]));
    if (path === undefined) {
      const error = new Error(`memory-link: no file for ${specifier}`);
      if (!deferMissing) throw error;
      return { source: { imports: [], exports: [], execute() { throw error; } } };
    }
    const lang = language(path);
    const location = `file:///memory/${path.slice(2)}`;
    const bytes = encoder.encode(table.get(path));
    const parseOptions = { resolve: (s, referrer) => resolveHook(s, referrer ?? path) };
    if (lang === 'cjs') {
      const reexportedNames = [];
      for (const r of compileCommonJs(table.get(path), path).reexports) {
        const target = locate(resolveHook(r, path)) ?? (aliases[r] && locate(aliases[r]));
        if (target) reexportedNames.push(...reexportNames(target));
      }
      parseOptions.reexportedNames = reexportedNames;
    }
    const record =
      ModuleSource && lang === 'mjs'
        ? new ModuleSource(table.get(path), location)
        : defaultParserForLanguage[lang].parse(bytes, path, location, 'file:///memory/', parseOptions).record;
    if (path !== specifier) return { source: record, specifier: path };
    return { source: record };
  };
  return new Compartment({
    __options__: true,
    globals,
    resolveHook,
    importHook: async specifier => load(specifier),
    importNowHook: specifier => load(specifier),
  });
};

/** Imports `entry` from an in-memory file set; returns the namespace. */
export const importMemory = async (files, entry = './main.js', options) => {
  const compartment = makeMemoryCompartment(files, options);
  const { namespace } = await compartment.import(entry);
  return namespace;
};
