/**
 * Scripts and functors (Endo's `makeScript`, `makeFunctor` and the `*FromMap` forms): an application
 * as one self-contained JavaScript text that carries its own linker (`functor-runtime.ts`).
 *
 * A functor is an expression whose value is `options => namespace` (runtime options `evaluate`,
 * `require`, `sourceUrlPrefix`); a script is `(functor)()`, whose completion value is the entry's
 * namespace. Modules are loaded as for an archive (nothing runs), each ES module as Cordon's compiled
 * program (live bindings and cycles need no scope proxy), each CommonJS module as its wrapper, JSON and
 * text as strings, bytes as base64. The order is deterministic: dependencies first (in the order a
 * module imports them), the entry last; names are the archive's `<compartment>/<path>`, so no path of
 * the building machine appears.
 */
import { CordonError } from '../diagnostics/index.js';
import { mapNodeModules, splitMapOptions, type MapNodeModulesOptions } from '../discover/index.js';
import { compileCommonJs, compiledCommonJsOf, type LoadedModule } from '../load/index.js';
import { encodeBase64, nodeBuiltinNames, withoutSourceUrl, type PackageCompartmentMapDescriptor } from '../model/index.js';
import type { ReadFnOrPowers, ReadPowers } from '../powers/index.js';
import { archiveNames, captureModules, type CaptureOptions } from './capture.js';
import { functorEvaluation } from '../model/module-evaluation.js';
import { functorRuntime, type BundledModule } from './functor-runtime.js';

export interface FunctorOptions extends Omit<CaptureOptions, 'modules' | 'importHook' | 'importNowHook'> {
  /** `'cjs'`: host modules (exits) come from the runtime option `require`, else a `require` in scope. */
  readonly format?: 'cjs' | undefined;
  /** Embed each module as text and `evaluate` it at run time, with a sourceURL per module. */
  readonly useEvaluate?: boolean | undefined;
  /** The sourceURL prefix (and `import.meta.url` base) unless the runtime options give one. */
  readonly sourceUrlPrefix?: string | undefined;
}
export type FunctorLocationOptions = FunctorOptions & MapNodeModulesOptions;

const FUNCTOR_OPTIONS = ['format', 'useEvaluate', 'sourceUrlPrefix', 'parserForLanguage', 'moduleTransforms', 'syncModuleTransforms', 'searchSuffixes', 'log', 'Compartment', 'onModule', 'sourceMapHook', 'policy', 'compileCache'];

const decoder = new TextDecoder();

/** A string literal that SES's evaluator accepts whatever it holds (`import(`, HTML comments). */
export const safeStringLiteral = (text: string): string =>
  JSON.stringify(text)
    .replace(/[<>\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\bimport\b/g, '\\u0069mport');

/** JSON whose strings are written as {@link safeStringLiteral} writes them. */
const safeJson = (value: unknown): string => JSON.stringify(value).replace(/[<>\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\bimport\b/g, '\\u0069mport');


const checkOptions = (options: object): void => {
  for (const key of Object.keys(options)) {
    if (!FUNCTOR_OPTIONS.includes(key)) throw new CordonError('CORDON_INVALID_ARGUMENT', `Unknown option ${JSON.stringify(key)} (known: ${[...FUNCTOR_OPTIONS].sort().join(', ')})`);
  }
  const { format, useEvaluate, sourceUrlPrefix } = options as FunctorOptions;
  if (format !== undefined && format !== 'cjs') throw new CordonError('CORDON_INVALID_ARGUMENT', `The format option must be 'cjs' or absent, not ${JSON.stringify(format)}`);
  if (useEvaluate !== undefined && typeof useEvaluate !== 'boolean') throw new CordonError('CORDON_INVALID_ARGUMENT', 'The useEvaluate option must be a boolean');
  if (sourceUrlPrefix !== undefined && typeof sourceUrlPrefix !== 'string') throw new CordonError('CORDON_INVALID_ARGUMENT', 'The sourceUrlPrefix option must be a string');
};

type Entry = { -readonly [K in keyof BundledModule]: BundledModule[K] | undefined };

/** Strips what the program carries of the building machine (its sourceURL). */
const programOf = (record: Record<string, unknown>, where: LoadedModule): string => {
  const program = withoutSourceUrl(String(record.__syncModuleProgram__ ?? ''));
  for (const value of Object.values((record.__liveExportMap__ ?? {}) as Record<string, unknown[]>)) {
    if (value[1] === true) {
      throw new CordonError('CORDON_INVALID_MODULE_RECORD', 'This precompiled module needs a scope proxy for a live export (an Endo record); a script cannot carry it', { file: where.location });
    }
  }
  return program;
};

/** The text of a functor for a captured application. */
export const functorFromCapture = (modules: readonly LoadedModule[], map: PackageCompartmentMapDescriptor, options: FunctorOptions): string => {
  // A module's `resolutions` may be computed on each read (the loader's getter): read each once.
  const resolutionsOf = new Map<LoadedModule, LoadedModule['resolutions']>();
  const resolutions = (module: LoadedModule) => {
    let found = resolutionsOf.get(module);
    if (found === undefined) resolutionsOf.set(module, (found = module.resolutions));
    return found;
  };
  const byLocation = new Map<string, LoadedModule>();
  for (const module of modules) byLocation.set(`${module.compartment}\u0000${module.module}`, module);
  const names = archiveNames([...new Set(modules.map(m => m.compartment))].map(location => map.compartments[location]!));
  const nameOf = (module: LoadedModule) => `${names.get(module.compartment)}/${module.module.slice(2)}`;

  // Dependencies first, in the order each module asks for them; the entry last.
  const order: LoadedModule[] = [];
  const index = new Map<LoadedModule, number>();
  const visiting = new Set<LoadedModule>();
  const visit = (module: LoadedModule): void => {
    if (index.has(module) || visiting.has(module)) return;
    visiting.add(module);
    const record = module.record as { imports?: readonly string[] };
    const table = resolutions(module);
    const specifiers = [...(record.imports ?? []), ...[...table.keys()].sort()];
    for (const specifier of specifiers) {
      const resolution = table.get(specifier);
      if (resolution?.type !== 'module') continue;
      const found = byLocation.get(`${resolution.compartment}\u0000${resolution.module}`);
      if (found) visit(found);
    }
    index.set(module, order.length);
    order.push(module);
  };
  const entry = byLocation.get(`${map.entry.compartment}\u0000${map.entry.module}`);
  if (!entry) throw new CordonError('CORDON_ENTRY_NOT_FOUND', `The entry module ${map.entry.module} was not loaded`, { file: map.entry.module });
  for (const module of [...byLocation.values()].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1))) if (module !== entry) visit(module);
  visit(entry);
  // The entry is last only if nothing else pulled it in earlier (a cycle back to it): move it.
  if (order[order.length - 1] !== entry) {
    order.splice(index.get(entry)!, 1);
    order.push(entry);
    order.forEach((module, i) => index.set(module, i));
  }

  const entries = order.map(module => {
    const record = module.record as unknown as Record<string, unknown>;
    const links: Record<string, number | { h: string } | { e: string }> = {};
    for (const [specifier, resolution] of [...resolutions(module)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (resolution.type === 'module') {
        const found = byLocation.get(`${resolution.compartment}\u0000${resolution.module}`);
        links[specifier] = found ? index.get(found)! : { e: `Cannot find module '${specifier}' in the bundle (imported by ${nameOf(module)})` };
      } else if (resolution.type === 'exit') {
        if (options.format === 'cjs') links[specifier] = { h: resolution.specifier };
        else if (module.language === 'mjs' && ((record.imports as string[] | undefined) ?? []).includes(specifier)) {
          throw new CordonError('CORDON_BUNDLE_HOST_MODULE', `Cannot bundle ${nameOf(module)}: it imports the host module ${JSON.stringify(resolution.specifier)}, which a script without format: 'cjs' cannot reach`, {
            file: module.location,
            specifier,
          });
        } else links[specifier] = { e: `Cannot import host module ${JSON.stringify(resolution.specifier)}: the bundle was made without format: 'cjs' (required by ${nameOf(module)})` };
      } else if (resolution.type === 'empty') {
        links[specifier] = { e: `Cannot find module '${specifier}'` };
      } else {
        const error = resolution.error as { code?: string; message?: string };
        links[specifier] = { e: `${error?.code ?? 'Error'}: ${error?.message ?? `cannot resolve ${JSON.stringify(specifier)}`} (from ${nameOf(module)})` };
      }
    }
    const entry: Entry = { k: 'mjs', n: nameOf(module), l: links };
    let body: string;
    switch (module.language) {
      case 'mjs':
      case 'pre-mjs-json': {
        const source = module.language === 'mjs' ? record : (JSON.parse(decoder.decode(module.bytes)) as Record<string, unknown>);
        body = programOf(source, module);
        entry.r = source.reexports as string[];
        entry.m = source.__reexportMap__ as Entry['m'];
        entry.v = source.__liveExportMap__ as Entry['v'];
        entry.o = source.__fixedExportMap__ as Entry['o'];
        if (source.__cordonTopLevelAwait__ === true) entry.a = 1;
        break;
      }
      case 'cjs':
      case 'pre-cjs-json': {
        const compiled = module.language === 'cjs' ? (compiledCommonJsOf(module.record) ?? compileCommonJs(decoder.decode(module.bytes))) : (JSON.parse(decoder.decode(module.bytes)) as { source: string });
        entry.k = 'cjs';
        entry.x = (record.exports as string[] | undefined) ?? ['default'];
        body = compiled.source.replace(/\n$/, '');
        break;
      }
      case 'json':
      case 'text':
        entry.k = module.language;
        body = safeStringLiteral(decoder.decode(module.bytes));
        break;
      case 'bytes':
        entry.k = 'bytes';
        body = JSON.stringify(encodeBase64(module.bytes));
        break;
      default:
        throw new CordonError('CORDON_NO_PARSER', `Cannot bundle ${nameOf(module)}: a script cannot carry the language ${JSON.stringify(module.language)}`, { file: module.location });
    }
    const code = (entry.k === 'mjs' || entry.k === 'cjs') && options.useEvaluate ? safeStringLiteral(body) : body;
    const data = safeJson(entry).slice(0, -1);
    return `// ${index.get(module)}. ${String(entry.n).replace(/[^\w./@+-]/g, '?')}\n${data},"f":${code}}`;
  });
  const defaults = JSON.stringify({ ...(options.sourceUrlPrefix !== undefined ? { p: options.sourceUrlPrefix } : {}), ...(options.format === 'cjs' ? { c: true } : {}) });
  return `((modules, entry, defaults) => (${String(functorRuntime)})(modules, entry, defaults, ${String(functorEvaluation)}))([\n${entries.join(',\n')}\n], ${index.get(entry)}, ${defaults})`;
};

const unpack = (powers: ReadFnOrPowers): ReadPowers => (typeof powers === 'function' ? { read: powers } : powers);

export const makeFunctorFromMap = async (readPowers: ReadFnOrPowers, map: PackageCompartmentMapDescriptor, options: FunctorOptions = {}): Promise<string> => {
  checkOptions(options);
  const { format: _format, useEvaluate: _useEvaluate, sourceUrlPrefix: _prefix, ...captureOptions } = options;
  const capture = await captureForScript(unpack(readPowers), map, captureOptions);
  return functorFromCapture(capture.modules, map, options);
};

/**
 * The capture a script is made from. Node's builtins are host modules of every script: placeholders
 * let the capture record them as exits (nothing runs), and the script asks its runtime `require` for
 * them (or refuses, without 'cjs').
 */
export const captureForScript = (powers: ReadPowers, map: PackageCompartmentMapDescriptor, options: Omit<CaptureOptions, 'modules'>) => {
  const modules: Record<string, object> = {};
  for (const name of nodeBuiltinNames()) modules[name] = modules[`node:${name}`] = {};
  return captureModules(powers, map, { ...options, modules });
};

export const makeScriptFromMap = async (readPowers: ReadFnOrPowers, map: PackageCompartmentMapDescriptor, options: FunctorOptions = {}): Promise<string> =>
  `(${await makeFunctorFromMap(readPowers, map, options)})()`;

const mapThen = async (readPowers: ReadFnOrPowers, moduleLocation: string, options: FunctorLocationOptions, then: (map: PackageCompartmentMapDescriptor, rest: FunctorOptions) => Promise<string>) => {
  const { mapOptions, rest } = splitMapOptions(options, FUNCTOR_OPTIONS);
  return then(await mapNodeModules(unpack(readPowers), moduleLocation, mapOptions), rest as FunctorOptions);
};

export const makeFunctor = (readPowers: ReadFnOrPowers, moduleLocation: string, options: FunctorLocationOptions = {}) =>
  mapThen(readPowers, moduleLocation, options, (map, rest) => makeFunctorFromMap(readPowers, map, rest));
export const makeScript = (readPowers: ReadFnOrPowers, moduleLocation: string, options: FunctorLocationOptions = {}) =>
  mapThen(readPowers, moduleLocation, options, (map, rest) => makeScriptFromMap(readPowers, map, rest));

/**
 * The `nestedEvaluate` bundle text around a functor made with `useEvaluate` and `format: 'cjs'` (the
 * shape `@endo/bundle-source` writes): a function of the sourceURL prefix that runs the functor with
 * the `nestedEvaluate` and `require` it finds in scope.
 */
export const nestedEvaluateSource = (functor: string): string =>
  `(sourceUrlPrefix) => (${functor})({\n  sourceUrlPrefix,\n  evaluate: typeof nestedEvaluate === 'function' ? nestedEvaluate : undefined,\n  require: typeof require === 'function' ? require : undefined,\n})\n`;
