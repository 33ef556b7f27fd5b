/**
 * Each compartment's view of its dependencies: `exports` enumerated for the `import` and `require`
 * conditions, `main` for packages without `exports` (with Node's fallbacks, probed), scopes for deep
 * imports, patterns, the package's `imports` (`#`) aliases, the `browser` table, and the languages
 * nested package.json files set.
 */
import { CordonError } from '../diagnostics/index.js';
import type { LinkModuleDescriptor, PackageCompartmentDescriptor, PackageDescriptor } from '../model/index.js';
import type { ReadPowers } from '../powers/index.js';
import {
  browserMainOf,
  exportsAsSubpathMap,
  legacyMainCandidates,
  normalizeModulePath,
  patternKeyCompare,
  selectTarget,
  splitPackageSpecifier,
  type ExportsTarget,
  type ImportKind,
} from '../resolve/index.js';
import type { PackageNode } from './graph.js';
import { jsLanguageOfType } from './languages.js';
import type { DescriptorReader } from './search.js';

/** What linking reads: the graph, the compartments made so far, the readers, the conditions. */
export interface LinkContext {
  readonly readPowers: ReadPowers;
  readonly reader: DescriptorReader;
  readonly nodes: ReadonlyMap<string, PackageNode>;
  readonly compartments: Readonly<Record<string, PackageCompartmentDescriptor>>;
  readonly importConditions: ReadonlySet<string>;
  readonly requireConditions: ReadonlySet<string>;
  readonly log: (...args: unknown[]) => void;
}

/** Fills in the compartment of the package at `location`: its own name, its dependencies, `imports`, `browser`. */
export const linkCompartment = async (context: LinkContext, location: string): Promise<void> => {
  const { importConditions, requireConditions, log } = context;
  const node = context.nodes.get(location)!;
  const compartment = context.compartments[location]!;
  // Self-reference by the package's own name works only with `exports`, as in Node.
  if (node.descriptor.exports !== undefined && node.descriptor.name) await linkPackage(context, compartment, node.descriptor.name, location);
  for (const [name, target] of [...node.dependencies].sort(([a], [b]) => (a < b ? -1 : 1))) await linkPackage(context, compartment, name, target);
  await linkImports(compartment, node, importConditions, requireConditions, log);
  const { browser } = node.descriptor;
  if (importConditions.has('browser') && browser !== undefined && typeof browser === 'object') {
    const table: Record<string, string | false> = {};
    for (const [key, value] of Object.entries(browser)) {
      const from = key.startsWith('.') ? normalizeModulePath(key) : key;
      table[from] = typeof value === 'string' && value.startsWith('.') ? normalizeModulePath(value) : value;
    }
    compartment.browser = table;
  }
};

/** The `type` of the nearest package.json between a module's directory and its package root (Node's package scope). */
const nestedTypeOf = async (reader: DescriptorReader, packageLocation: string, module: string): Promise<PackageDescriptor['type'] | null> => {
  for (let dir = new URL('.', new URL(module, packageLocation)).href; dir !== packageLocation && dir.startsWith(packageLocation); dir = new URL('..', dir).href) {
    const found = await reader.read(dir);
    if (found !== undefined) return found.descriptor.type ?? 'commonjs';
  }
  return null;
};

/** Probes `candidates` (module paths in `location`) and returns the first that exists. */
const firstExisting = async (readPowers: ReadPowers, location: string, candidates: readonly string[]): Promise<string | undefined> => {
  for (const candidate of candidates) {
    const bytes = await (readPowers.maybeRead ?? readPowers.read)(new URL(candidate, location).href).catch(() => undefined);
    if (bytes !== undefined) return candidate;
  }
  return undefined;
};

/**
 * The module `main` names, by Node's legacy rules. A `main` with a file extension (or none at all,
 * meaning `./index.js`) is taken as written; the loader reports it if the file is missing. Only an
 * extensionless `main` (`"lib"`, `"./dist/index"`) is probed through the fallbacks.
 */
const mainOf = async (readPowers: ReadPowers, location: string, descriptor: PackageDescriptor): Promise<string | undefined> => {
  const { main } = descriptor;
  if (main === undefined || main === '' || main === '.' || main === './') return './index.js';
  if (/\.(?:c|m)?js$|\.json$|\.node$/.test(main)) return normalizeModulePath(main);
  return firstExisting(readPowers, location, legacyMainCandidates(descriptor));
};

/** Records `module` as a file of `location` whose language a nested package.json may set. */
const noteLanguage = async (context: LinkContext, location: string, module: string): Promise<void> => {
  if (!module.endsWith('.js')) return;
  const type = await nestedTypeOf(context.reader, location, module);
  if (type === null) return;
  const language = jsLanguageOfType(type);
  const compartment = context.compartments[location]!;
  if (compartment.parsers.js !== language) compartment.types[module] = language;
};

/** Adds what `dependent` sees of the package at `target` under `name`. */
const linkPackage = async (context: LinkContext, dependent: PackageCompartmentDescriptor, name: string, target: string): Promise<void> => {
  const { importConditions, requireConditions, log } = context;
  const { descriptor, descriptorFile } = context.nodes.get(target)!;
  const pkg = { name: descriptor.name ?? name, file: descriptorFile };
  if (descriptor.exports === undefined) {
    dependent.scopes[name] = { compartment: target };
    const browserMain = importConditions.has('browser') ? browserMainOf(descriptor) : undefined;
    const main = typeof browserMain === 'string' ? normalizeModulePath(browserMain) : await mainOf(context.readPowers, target, descriptor);
    if (main !== undefined) {
      dependent.modules[name] = { compartment: target, module: main };
      await noteLanguage(context, target, main);
    }
    return;
  }
  const subpaths = exportsAsSubpathMap(descriptor.exports);
  const keys = Object.keys(subpaths);
  const select = (value: unknown, key: string, conditions: ReadonlySet<string>, pattern: boolean): ExportsTarget | null | undefined => {
    try {
      return selectTarget(value, key, conditions, { pattern, imports: false, pkg });
    } catch (error) {
      if (!(error instanceof CordonError)) throw error;
      // An invalid target fails only when that subpath is imported, as in Node.
      log(`Cordon: ${error.message}`);
      return undefined;
    }
  };
  for (const key of keys.filter(k => !k.includes('*'))) {
    const specifier = key === '.' ? name : `${name}${key.slice(1)}`;
    const forImport = select(subpaths[key], key, importConditions, false);
    const forRequire = select(subpaths[key], key, requireConditions, false);
    await addLink(dependent, specifier, target, forImport, forRequire, (location, module) => noteLanguage(context, location, module));
  }
  for (const key of keys.filter(k => k.includes('*')).sort(patternKeyCompare)) {
    const from = `${name}${key.slice(1)}`;
    const forImport = select(subpaths[key], key, importConditions, true);
    const forRequire = select(subpaths[key], key, requireConditions, true);
    addPattern(dependent, from, target, forImport, forRequire);
  }
};

/** Records the `import` and `require` targets of one exact specifier. */
const addLink = async (
  dependent: PackageCompartmentDescriptor,
  specifier: string,
  target: string,
  forImport: ExportsTarget | null | undefined,
  forRequire: ExportsTarget | null | undefined,
  noteLanguage: (location: string, module: string) => Promise<void>,
): Promise<void> => {
  const link = (resolved: ExportsTarget | null | undefined): LinkModuleDescriptor | null | undefined =>
    resolved === null || resolved === undefined ? resolved : resolved.kind === 'file' ? { compartment: target, module: resolved.path } : undefined;
  const importLink = link(forImport);
  const requireLink = link(forRequire);
  if (importLink) {
    dependent.modules[specifier] = importLink;
    await noteLanguage(target, importLink.module);
  } else if (importLink === null) {
    (dependent.patterns ??= []).push({ from: specifier, to: null, compartment: target, kind: 'import' });
  }
  if (requireLink && (!importLink || requireLink.module !== importLink.module)) {
    (dependent.requireModules ??= {})[specifier] = requireLink;
    await noteLanguage(target, requireLink.module);
  } else if (requireLink === null && importLink !== null) {
    (dependent.patterns ??= []).push({ from: specifier, to: null, compartment: target, kind: 'require' });
  }
};

/** Records a `*` pattern, once if both kinds agree. */
const addPattern = (
  dependent: PackageCompartmentDescriptor,
  from: string,
  target: string,
  forImport: ExportsTarget | null | undefined,
  forRequire: ExportsTarget | null | undefined,
): void => {
  const to = (resolved: ExportsTarget | null | undefined): string | null | undefined =>
    resolved === null ? null : resolved?.kind === 'file' ? resolved.path : undefined;
  const importTo = to(forImport);
  const requireTo = to(forRequire);
  const patterns = (dependent.patterns ??= []);
  if (importTo !== undefined && importTo === requireTo) {
    patterns.push({ from, to: importTo, compartment: target });
    return;
  }
  if (importTo !== undefined) patterns.push({ from, to: importTo, compartment: target, kind: 'import' });
  if (requireTo !== undefined) patterns.push({ from, to: requireTo, compartment: target, kind: 'require' });
};

/** The package's own `imports` field: `#` aliases to its files or to a dependency. */
const linkImports = async (
  compartment: PackageCompartmentDescriptor,
  node: PackageNode,
  importConditions: ReadonlySet<string>,
  requireConditions: ReadonlySet<string>,
  log: (...args: unknown[]) => void,
): Promise<void> => {
  const imports = node.descriptor.imports;
  if (!imports) return;
  const pkg = { name: node.descriptor.name, file: node.descriptorFile };
  const select = (key: string, conditions: ReadonlySet<string>): ExportsTarget | null | undefined => {
    try {
      return selectTarget(imports[key], key, conditions, { pattern: key.includes('*'), imports: true, pkg });
    } catch (error) {
      if (!(error instanceof CordonError)) throw error;
      log(`Cordon: ${error.message}`);
      return undefined;
    }
  };
  /** A package target seen from this package: the dependency's main or exported subpath. */
  const viaDependency = (target: ExportsTarget | null | undefined, kind: ImportKind): ExportsTarget | LinkModuleDescriptor | null | undefined => {
    if (target?.kind !== 'package') return target;
    const split = splitPackageSpecifier(target.specifier);
    const dependency = split && node.dependencies.get(split.name);
    if (!split || dependency === undefined) {
      log(`Cordon: "imports" target ${target.specifier} of ${node.descriptor.name ?? node.location} is not a dependency`);
      return undefined;
    }
    const specifier = split.subpath === '.' ? split.name : `${split.name}${split.subpath.slice(1)}`;
    return (kind === 'require' ? compartment.requireModules?.[specifier] : undefined) ?? compartment.modules[specifier] ?? { compartment: dependency, module: split.subpath };
  };
  for (const key of Object.keys(imports).sort(patternKeyCompare)) {
    if (!key.startsWith('#')) continue;
    if (key.includes('*')) {
      // Pattern targets naming packages are resolved when imported.
      const own = (t: ExportsTarget | null | undefined) => (t?.kind === 'package' ? undefined : t);
      addPattern(compartment, key, node.location, own(select(key, importConditions)), own(select(key, requireConditions)));
      continue;
    }
    const toLink = (t: ExportsTarget | LinkModuleDescriptor | null | undefined): ExportsTarget | null | undefined =>
      t === null || t === undefined ? t : 'kind' in t ? t : { kind: 'file', path: t.module };
    const forImport = viaDependency(select(key, importConditions), 'import');
    const forRequire = viaDependency(select(key, requireConditions), 'require');
    const target = (t: ExportsTarget | LinkModuleDescriptor | null | undefined): string =>
      t !== null && t !== undefined && !('kind' in t) ? t.compartment : node.location;
    if (target(forImport) === target(forRequire)) {
      await addLink(compartment, key, target(forImport), toLink(forImport), toLink(forRequire), async () => {});
    } else {
      await addLink(compartment, key, target(forImport), toLink(forImport), undefined, async () => {});
      await addLink(compartment, key, target(forRequire), undefined, toLink(forRequire), async () => {});
    }
  }
};
