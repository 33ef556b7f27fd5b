/**
 * Capturing an application: load every module it can reach (nothing runs), and turn what was loaded
 * into an archive's compartment map (Endo's format: `tags`, `entry`, `compartments` of `name`,
 * `label`, `location`, `modules`) plus the files to archive.
 *
 * Closed world, but complete: besides what SES loads from static imports, the targets of literal
 * `import('x')` (ESM and CommonJS) are loaded too, until nothing new appears; every literal `require`
 * is already a static import of its module.
 */
import { CordonError } from '../diagnostics/index.js';
import { link, type ImportHook, type ImportNowHook } from '../link/index.js';
import { compileCommonJs, compiledCommonJsOf, type CompileCache, type LoadedModule, type ModuleTransform, type SyncModuleTransform } from '../load/index.js';
import {
  archiveSpecifier,
  COMPARTMENT_MAP_NAME,
  type ArchiveCompartmentMap,
  type ArchiveModule,
  type PackageCompartmentDescriptor,
  type PackageCompartmentMapDescriptor,
  type ParserForLanguage,
  precompiledFields,
} from '../model/index.js';
import { resolveLocation } from '../model/location.js';
import type { ReadPowers } from '../powers/index.js';

export interface CaptureOptions {
  readonly modules?: Readonly<Record<string, object>> | undefined;
  readonly importHook?: ImportHook | undefined;
  readonly importNowHook?: ImportNowHook | undefined;
  readonly parserForLanguage?: ParserForLanguage | undefined;
  readonly moduleTransforms?: Readonly<Record<string, ModuleTransform>> | undefined;
  readonly syncModuleTransforms?: Readonly<Record<string, SyncModuleTransform>> | undefined;
  readonly searchSuffixes?: readonly string[] | undefined;
  readonly log?: ((...args: unknown[]) => void) | undefined;
  readonly Compartment?: (new (options: Record<string, unknown>) => never) | undefined;
  /** Receives each compiled module's source map, with the module's canonical compartment name and location. */
  readonly sourceMapHook?: ((sourceMap: string, details: { compartment: string; module: string; location: string; sha512?: string | undefined }) => void) | undefined;
  /** Called once per module as it is captured (for progress). */
  readonly onModule?: ((module: LoadedModule) => void) | undefined;
  /**
   * A policy (Endo's or LavaMoat's), as Endo's makeArchive takes one: what it denies fails the
   * capture, and the attenuators it names are archived (from the entry package's dependencies).
   */
  readonly policy?: unknown;
  /** Compiled modules kept between runs (the loader's `compileCache`); the archive's bytes are the same with or without it. */
  readonly compileCache?: CompileCache | undefined;
}

export interface Capture {
  readonly map: PackageCompartmentMapDescriptor;
  readonly modules: readonly LoadedModule[];
  /** Exits the host's hooks do not provide, each required only by CommonJS (archived as deferred errors). */
  readonly missingExits?: ReadonlySet<string> | undefined;
  /** Links of the entry compartment that no module makes: the policy's attenuators, which the archive reader imports from the entry. */
  readonly entryLinks?: ReadonlyMap<string, { readonly compartment: string; readonly module: string }> | undefined;
}

/**
 * The host's hooks as the capture asks them: an exit they do not provide is noted, not a failure, as
 * Endo defers it (a CommonJS `require` is a heuristic import: it may never run). After loading, one that
 * an ES module imports is reported; those only required become deferred errors in the archive.
 */
const noteMissingExits = <H extends ((specifier: string, packageLocation: string) => unknown) | undefined>(hook: H, missing: Set<string>): H => {
  if (hook === undefined) return hook;
  const found = { namespace: {} };
  const settle = (specifier: string, descriptor: unknown) => {
    if (descriptor !== undefined) return descriptor;
    missing.add(specifier);
    return found;
  };
  return ((specifier: string, packageLocation: string) => {
    const descriptor = hook(specifier, packageLocation);
    return descriptor instanceof Promise ? descriptor.then(d => settle(specifier, d)) : settle(specifier, descriptor);
  }) as H;
};

/** The errors of ES modules' static imports of exits the hooks do not provide (as the loader words them). */
const missingExitErrors = (map: PackageCompartmentMapDescriptor, modules: Iterable<LoadedModule>, missing: ReadonlySet<string>): CordonError[] => {
  const errors: CordonError[] = [];
  if (missing.size === 0) return errors;
  for (const module of modules) {
    if (module.language !== 'mjs') continue;
    const imports = (module.record as { imports?: readonly string[] }).imports ?? [];
    for (const [specifier, resolution] of module.resolutions) {
      if (resolution.type !== 'exit' || !missing.has(resolution.specifier) || !imports.includes(specifier)) continue;
      const label = map.compartments[module.compartment]?.label ?? module.compartment;
      errors.push(
        new CordonError('CORDON_MODULE_NOT_FOUND', `Cannot find package ${JSON.stringify(specifier)} imported by ${label}: it is neither a dependency nor a host module`, {
          file: module.location,
          specifier,
          package: label,
        }),
      );
    }
  }
  return errors;
};

/** Loads everything an application reaches, without running any of it. */
export const captureModules = async (readPowers: ReadPowers, map: PackageCompartmentMapDescriptor, options: CaptureOptions = {}): Promise<Capture> => {
  const captured = new Map<string, LoadedModule>();
  const missingExits = new Set<string>();
  const linked = link(map, readPowers, {
    parserForLanguage: options.parserForLanguage,
    moduleTransforms: options.moduleTransforms,
    syncModuleTransforms: options.syncModuleTransforms,
    searchSuffixes: options.searchSuffixes,
    log: options.log,
    sourceMapHook: options.sourceMapHook,
    compileCache: options.compileCache,
    modules: options.modules,
    importHook: noteMissingExits(options.importHook, missingExits),
    importNowHook: noteMissingExits(options.importNowHook, missingExits),
    Compartment: options.Compartment as never,
    archiveOnly: true,
    policy: options.policy,
    onModule: module => {
      captured.set(module.location, module);
      options.onModule?.(module);
    },
  });
  const failure = (errors: readonly unknown[], cause: unknown) =>
    new CordonError('CORDON_LOAD_FAILED', `Cannot archive ${resolveLocation(map.entry.module, map.entry.compartment)}: ${errors.map(e => (e as Error).message).join('; ')}`, { cause, errors });
  const entryLinks = new Map<string, { compartment: string; module: string }>();
  try {
    for (const attenuator of linked.enforcement?.policy?.attenuators ?? []) {
      await linked.entryCompartment.load(attenuator);
      const link = map.compartments[map.entry.compartment]?.modules[attenuator];
      if (link) entryLinks.set(attenuator, { compartment: link.compartment, module: link.module });
    }
    await linked.entryCompartment.load(linked.entryModule);
  } catch (error) {
    const errors = [...linked.loader.errors, ...missingExitErrors(map, captured.values(), missingExits)];
    throw failure(errors.length > 0 ? errors : [error], error);
  }
  // Literal import() targets, until no new module appears.
  const visited = new Set<string>();
  for (let progress = true; progress; ) {
    progress = false;
    for (const module of [...captured.values()]) {
      for (const specifier of module.dynamicImports) {
        const key = `${module.location}\u0000${specifier}`;
        if (visited.has(key)) continue;
        visited.add(key);
        let full: string;
        try {
          full = linked.loader.resolveNow(module.compartment, module.module, specifier, 'import');
        } catch (error) {
          options.log?.(`Cordon: import(${JSON.stringify(specifier)}) in ${module.location} cannot be resolved: ${(error as Error).message}`);
          continue;
        }
        const before = captured.size;
        await linked.compartments.get(module.compartment)!.load(full).catch(error => {
          options.log?.(`Cordon: import(${JSON.stringify(specifier)}) in ${module.location} cannot be loaded: ${(error as Error).message}`);
        });
        if (captured.size > before) progress = true;
      }
    }
  }
  // Archive what SES would link: a module with several `export *` as the loader resolved them by binding.
  const modules: LoadedModule[] = [];
  for (const module of captured.values()) {
    const record = module.language === 'mjs' ? await linked.loader.finalRecord(module.location) : undefined;
    modules.push(record && record !== module.record ? Object.create(module, { record: { value: record } }) : module);
  }
  const missingErrors = missingExitErrors(map, modules, missingExits);
  if (missingErrors.length > 0) throw failure(missingErrors, missingErrors[0]);
  return { map, modules, missingExits, ...(entryLinks.size > 0 ? { entryLinks } : {}) };
};

/**
 * Archive compartment names, Endo's rule: `${name}-v${version}`, sorted; a name that repeats the
 * previous compartment's package name gets `-n1`, `-n2`, … (also for another version of it).
 */
export const archiveNames = (compartments: readonly PackageCompartmentDescriptor[]): Map<string, string> => {
  const sorted = [...compartments].sort((a, b) => {
    const ka = `${a.name}-v${a.version}`;
    const kb = `${b.name}-v${b.version}`;
    return ka < kb ? -1 : ka > kb ? 1 : a.location < b.location ? -1 : 1;
  });
  const names = new Map<string, string>();
  let previous: string | undefined;
  let repeat = 0;
  for (const compartment of sorted) {
    repeat = compartment.name === previous ? repeat + 1 : 0;
    previous = compartment.name;
    names.set(compartment.location, `${compartment.name}-v${compartment.version}${repeat > 0 ? `-n${repeat}` : ''}`);
  }
  return names;
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The bytes an archive holds for a module, and the parser that reads them back. */
const archivedForm = (module: LoadedModule): { parser: string; bytes: Uint8Array } => {
  const record = module.record as unknown as Record<string, unknown>;
  switch (module.language) {
    case 'mjs': {
      // Precompiled, without the sourceURL of the building machine (the reader adds its own).
      return { parser: 'pre-mjs-json', bytes: encoder.encode(JSON.stringify(precompiledFields(record))) };
    }
    case 'cjs': {
      const compiled = compiledCommonJsOf(module.record) ?? compileCommonJs(decoder.decode(module.bytes));
      // The exports as loaded: the lexer's names plus those re-exported through require().
      return {
        parser: 'pre-cjs-json',
        bytes: encoder.encode(JSON.stringify({ imports: compiled.imports, exports: record.exports, reexports: compiled.reexports, source: compiled.source })),
      };
    }
    default:
      return { parser: module.language, bytes: module.bytes };
  }
};

export interface Digest {
  readonly compartmentMap: ArchiveCompartmentMap;
  /** The compartment map as archived: 2-space JSON, keys in Endo's order, no trailing newline. */
  readonly compartmentMapBytes: Uint8Array;
  /** Archive path → bytes, in archive order (compartment-map.json first, then sorted). */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Original compartment location → archive compartment name. */
  readonly names: ReadonlyMap<string, string>;
}

/** Turns a capture into an archive's compartment map and files. */
export const digestCapture = (capture: Capture, computeSha512?: (bytes: Uint8Array) => string, rename?: (compartment: PackageCompartmentDescriptor) => string): Digest => {
  const { map, modules } = capture;
  const missingExits = capture.missingExits ?? new Set<string>();
  const retained = new Set<string>([map.entry.compartment]);
  for (const module of modules) {
    retained.add(module.compartment);
    for (const resolution of module.resolutions.values()) if (resolution.type === 'module') retained.add(resolution.compartment);
  }
  for (const link of capture.entryLinks?.values() ?? []) retained.add(link.compartment);
  const descriptors = [...retained].map(location => map.compartments[location]!);
  const names = rename ? new Map(descriptors.map(d => [d.location, rename(d)])) : archiveNames(descriptors);
  const nameOf = (location: string): string => names.get(location)!;

  const files = new Map<string, Uint8Array>();
  const tables = new Map<string, Map<string, ArchiveModule>>();
  const table = (location: string): Map<string, ArchiveModule> => {
    let found = tables.get(location);
    if (!found) tables.set(location, (found = new Map()));
    return found;
  };
  for (const module of modules) {
    const name = nameOf(module.compartment);
    const { parser, bytes } = archivedForm(module);
    const path = module.module.slice(2);
    files.set(`${name}/${path}`, bytes);
    table(module.compartment).set(module.module, { location: path, parser, ...(computeSha512 ? { sha512: computeSha512(bytes) } : {}) });
  }
  for (const [specifier, link] of capture.entryLinks ?? []) table(map.entry.compartment).set(specifier, { compartment: nameOf(link.compartment), module: link.module });
  for (const module of modules) {
    const own = table(module.compartment);
    const isRequire = module.language === 'cjs' || module.language === 'pre-cjs-json';
    for (const [specifier, resolution] of module.resolutions) {
      const key = archiveSpecifier(module.module, specifier);
      let entry: ArchiveModule | undefined;
      if (resolution.type === 'module') {
        if (resolution.compartment === module.compartment) {
          if (key !== resolution.module) entry = { module: resolution.module, compartment: nameOf(module.compartment) } as ArchiveModule;
        } else {
          entry = { compartment: nameOf(resolution.compartment), module: resolution.module };
        }
      } else if (resolution.type === 'error') {
        const code = (resolution.error as { code?: string })?.code ?? 'Error';
        entry = { deferredError: `${code}: cannot resolve ${JSON.stringify(specifier)} from ${nameOf(module.compartment)}/${module.module.slice(2)}` };
      } else if (missingExits.has(resolution.specifier)) {
        entry = { deferredError: `CORDON_MODULE_NOT_FOUND: cannot resolve ${JSON.stringify(specifier)} from ${nameOf(module.compartment)}/${module.module.slice(2)}` };
      }
      if (entry === undefined) continue;
      const existing = own.get(key);
      if (existing === undefined) own.set(key, entry);
      else if (JSON.stringify(existing) !== JSON.stringify(entry) && !('location' in existing)) {
        // `require` and `import` resolved one specifier differently (Node's conditions): the require
        // gets a key of its own, which Cordon's reader consults for CommonJS importers.
        own.set(isRequire ? `${key} (require)` : key, entry);
        if (!isRequire) own.set(`${key} (require)`, existing);
      }
    }
  }

  const compartments: Record<string, unknown> = {};
  for (const location of [...retained].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1))) {
    const descriptor = map.compartments[location]!;
    const modulesObject: Record<string, ArchiveModule> = {};
    for (const [specifier, entry] of [...table(location)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) modulesObject[specifier] = entry;
    compartments[nameOf(location)] = { name: descriptor.name, label: descriptor.label, location: nameOf(location), modules: modulesObject };
  }
  const compartmentMap = {
    tags: [],
    entry: { compartment: nameOf(map.entry.compartment), module: map.entry.module },
    compartments,
  } as unknown as ArchiveCompartmentMap;
  const compartmentMapBytes = encoder.encode(JSON.stringify(compartmentMap, null, 2));
  const ordered = new Map<string, Uint8Array>([[COMPARTMENT_MAP_NAME, compartmentMapBytes]]);
  for (const path of [...files.keys()].sort()) ordered.set(path, files.get(path)!);
  return { compartmentMap, compartmentMapBytes, files: ordered, names };
};
