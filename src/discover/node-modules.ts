/**
 * `mapNodeModules`: from the entry module's package, upward and through `node_modules`, the package
 * graph, then the compartment map (see `model/compartment-map.ts`).
 *
 * 1. `search` finds the entry's package (the nearest package.json with a name, above the module).
 * 2. The graph: for each package, its dependencies (`dependencies`, `peerDependencies`,
 *    `optionalDependencies`, `bundleDependencies` in both forms, `devDependencies` of the entry with
 *    `dev`) are found as Node finds them (`node_modules` of the package's directory, then of each
 *    ancestor), through `canonical` so that a symlinked workspace package is one compartment at its
 *    real location. Reads run concurrently and each location is read once.
 * 3. Labels: the shortest dependency path from the entry (LavaMoat's canonical names).
 * 4. Each compartment's view of its dependencies: `exports` enumerated for the `import` and `require`
 *    conditions, `main` for packages without `exports` (with Node's fallbacks, probed), scopes for
 *    deep imports, patterns, `imports` (`#`) aliases, and languages.
 */
import { CordonError } from '../diagnostics/index.js';
import {
  type LinkModuleDescriptor,
  type PackageCompartmentDescriptor,
  type PackageCompartmentMapDescriptor,
  type PackageDescriptor,
} from '../model/index.js';
import type { ReadPowers } from '../powers/index.js';
import {
  browserMainOf,
  conditionsFor,
  exportsAsSubpathMap,
  legacyMainCandidates,
  normalizeModulePath,
  patternKeyCompare,
  selectTarget,
  splitPackageSpecifier,
  type ExportsTarget,
  type ImportKind,
} from '../resolve/index.js';
import { jsLanguageOfType, parsersForPackage, type LanguageOptions } from './languages.js';
import { makeDescriptorReader, search } from './search.js';

export interface MapNodeModulesOptions extends LanguageOptions {
  /** User conditions (`exports`/`imports` keys), besides `import`/`require`, `node` and `default`. */
  readonly conditions?: Iterable<string> | undefined;
  /** Endo's older name for `conditions`. */
  readonly tags?: Iterable<string> | undefined;
  /** Graph the entry package's `devDependencies` (also implied by the `development` condition). */
  readonly dev?: boolean | undefined;
  /** A missing non-optional dependency is an error now, not when it is imported. */
  readonly strict?: boolean | undefined;
  /** `{ alias: dependencyOfTheEntry }`: that dependency, reachable from every package under `alias`. */
  readonly commonDependencies?: Readonly<Record<string, string>> | undefined;
  readonly log?: ((...args: unknown[]) => void) | undefined;
}

/** The options `mapNodeModules` reads (Endo's names). */
export const MAP_OPTION_NAMES: readonly string[] = [
  'conditions',
  'tags',
  'dev',
  'strict',
  'commonDependencies',
  'log',
  'languages',
  'languageForExtension',
  'moduleLanguageForExtension',
  'commonjsLanguageForExtension',
  'workspaceLanguageForExtension',
  'workspaceModuleLanguageForExtension',
  'workspaceCommonjsLanguageForExtension',
];

/**
 * Splits the options of a function that maps and then loads (importLocation, makeArchive): the map's
 * share (with `log`, and `languages` from `parserForLanguage`) and the rest. Unknown options are an
 * error (`alsoAllowed` names the rest).
 */
export const splitMapOptions = (options: object, alsoAllowed: Iterable<string>): { mapOptions: MapNodeModulesOptions; rest: Record<string, unknown> } => {
  checkMapOptions(options, alsoAllowed);
  const mapOptions: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) (MAP_OPTION_NAMES.includes(key) && key !== 'log' ? mapOptions : rest)[key] = value;
  const { log, parserForLanguage } = options as { log?: unknown; parserForLanguage?: object };
  if (log) mapOptions.log = log;
  if (parserForLanguage && !mapOptions.languages) mapOptions.languages = Object.keys(parserForLanguage);
  return { mapOptions: mapOptions as MapNodeModulesOptions, rest };
};

/** Options some callers pass to `mapNodeModules` along with their own: accepted by name, handled by them. */
export const checkMapOptions = (options: object, alsoAllowed: Iterable<string> = []): void => {
  const allowed = new Set([...MAP_OPTION_NAMES, ...alsoAllowed]);
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      throw new CordonError('CORDON_INVALID_ARGUMENT', `Unknown option ${JSON.stringify(key)} (known: ${[...allowed].sort().join(', ')})`);
    }
  }
};

interface PackageNode {
  readonly location: string;
  readonly descriptor: PackageDescriptor;
  readonly descriptorFile: string;
  /** Dependency name → location. */
  readonly dependencies: Map<string, string>;
  readonly missing: string[];
  readonly dev: boolean;
}

const parentDirectory = (location: string): string | undefined => {
  const url = new URL('..', location).href;
  return url === location ? undefined : url;
};

/** The dependency names of a package, and which of them may be absent. */
const declaredDependencies = (descriptor: PackageDescriptor, withDev: boolean): { names: string[]; optional: Set<string> } => {
  const names = new Set<string>();
  const optional = new Set<string>();
  const add = (record: Readonly<Record<string, string>> | undefined): void => {
    for (const name of Object.keys(record ?? {})) names.add(name);
  };
  add(descriptor.dependencies);
  add(descriptor.peerDependencies);
  add(descriptor.optionalDependencies);
  if (withDev) add(descriptor.devDependencies);
  const bundled = descriptor.bundleDependencies;
  if (Array.isArray(bundled)) for (const name of bundled) names.add(name);
  else if (bundled === true) add(descriptor.dependencies);
  for (const name of Object.keys(descriptor.optionalDependencies ?? {})) optional.add(name);
  for (const [name, meta] of Object.entries(descriptor.peerDependenciesMeta ?? {})) {
    names.add(name);
    if (meta?.optional === true) optional.add(name);
  }
  return { names: [...names].sort(), optional };
};

/** Shortest path comparison: fewer hops, then fewer characters, then alphabetical. */
const comparePaths = (a: readonly string[], b: readonly string[]): number => {
  if (a.length !== b.length) return a.length - b.length;
  const la = a.reduce((n, s) => n + s.length, 0);
  const lb = b.reduce((n, s) => n + s.length, 0);
  if (la !== lb) return la - lb;
  const ja = a.join('>');
  const jb = b.join('>');
  return ja < jb ? -1 : ja > jb ? 1 : 0;
};

/** Canonical names by LavaMoat's rule, breadth first from the entry. */
const computeLabels = (root: string, nodes: ReadonlyMap<string, PackageNode>): Map<string, string[]> => {
  const paths = new Map<string, string[]>([[root, []]]);
  let layer = [root];
  while (layer.length > 0) {
    const best = new Map<string, string[]>();
    for (const location of layer) {
      const from = paths.get(location)!;
      for (const [name, target] of nodes.get(location)!.dependencies) {
        if (paths.has(target)) continue;
        const candidate = [...from, name];
        const current = best.get(target);
        if (current === undefined || comparePaths(candidate, current) < 0) best.set(target, candidate);
      }
    }
    for (const [location, path] of best) paths.set(location, path);
    layer = [...best.keys()];
  }
  return paths;
};

const sourceDirnameOf = (location: string): string => {
  const segments = location.replace(/\/+$/, '').split('/');
  return decodeURIComponent(segments.at(-1) ?? '');
};

export const mapNodeModules = async (
  readPowers: ReadPowers,
  moduleLocation: string,
  options: MapNodeModulesOptions = {},
): Promise<PackageCompartmentMapDescriptor> => {
  checkMapOptions(options);
  const userConditions = [...(options.conditions ?? options.tags ?? [])];
  const dev = options.dev === true || userConditions.includes('development');
  const log = options.log ?? (() => {});
  const reader = makeDescriptorReader(readPowers);

  const entry = await search(readPowers, moduleLocation, reader);
  const nodes = new Map<string, PackageNode>();
  const pending = new Map<string, Promise<void>>();

  /** The location of `name` as seen from the package at `from` (Node's node_modules walk). */
  const findPackage = async (from: string, name: string): Promise<string | undefined> => {
    for (let dir: string | undefined = from; dir !== undefined; dir = parentDirectory(dir)) {
      if (dir.endsWith('/node_modules/')) continue;
      if (!(await reader.mayHaveDirectory(new URL('node_modules/', dir).href))) continue;
      const candidate = new URL(`node_modules/${name}/`, dir).href;
      if ((await reader.read(candidate)) !== undefined) return reader.canonical(candidate);
    }
    return undefined;
  };

  // Each package is read once; a package does not wait for its dependencies (packages may depend on
  // each other in a cycle), the walk waits until no read is pending.
  const visit = (location: string, isRoot: boolean): void => {
    if (pending.has(location)) return;
    const promise = (async () => {
      const found = await reader.read(location);
      if (found === undefined) throw new CordonError('CORDON_ENTRY_NOT_FOUND', `No package.json at ${location}`, { file: location });
      const { descriptor, file } = found;
      const withDev = isRoot && dev;
      const { names, optional } = declaredDependencies(descriptor, withDev);
      const dependencies = new Map<string, string>();
      const missing: string[] = [];
      const resolved = await Promise.all(names.map(async name => [name, await findPackage(location, name)] as const));
      for (const [name, target] of resolved) {
        if (target !== undefined) {
          dependencies.set(name, target);
        } else if (!optional.has(name)) {
          if (options.strict) {
            throw new CordonError('CORDON_DEPENDENCY_NOT_FOUND', `Package ${descriptor.name ?? location} depends on ${JSON.stringify(name)}, which is not installed`, {
              file,
              specifier: name,
              package: descriptor.name,
            });
          }
          log(`Cordon: ${descriptor.name ?? location} depends on ${name}, which is not installed`);
          missing.push(name);
        }
      }
      nodes.set(location, { location, descriptor, descriptorFile: file, dependencies, missing, dev: withDev });
      for (const target of dependencies.values()) visit(target, false);
    })();
    promise.catch(() => {}); // awaited below, with the rest; this only marks it handled meanwhile
    pending.set(location, promise);
  };
  visit(entry.packageLocation, true);
  for (let settled = 0; settled < pending.size; ) {
    const round = [...pending.values()];
    await Promise.all(round);
    settled = round.length;
  }

  // Common dependencies: an entry dependency offered to every package under an alias.
  const rootNode = nodes.get(entry.packageLocation)!;
  for (const [alias, dependencyName] of Object.entries(options.commonDependencies ?? {})) {
    const target = rootNode.dependencies.get(dependencyName);
    if (target === undefined) {
      throw new CordonError('CORDON_DEPENDENCY_NOT_FOUND', `commonDependencies names ${JSON.stringify(dependencyName)}, which is not a dependency of the entry package`, {
        specifier: dependencyName,
      });
    }
    for (const node of nodes.values()) if (node.location !== target && !node.dependencies.has(alias)) node.dependencies.set(alias, target);
  }

  const paths = computeLabels(entry.packageLocation, nodes);
  const compartments: Record<string, PackageCompartmentDescriptor> = {};
  const importConditions = conditionsFor('import', userConditions);
  const requireConditions = conditionsFor('require', userConditions);
  /** The `type` of the nearest package.json between a module's directory and its package root (Node's package scope). */
  const nestedTypeOf = async (packageLocation: string, module: string): Promise<PackageDescriptor['type'] | null> => {
    for (let dir = new URL('.', new URL(module, packageLocation)).href; dir !== packageLocation && dir.startsWith(packageLocation); dir = new URL('..', dir).href) {
      const found = await reader.read(dir);
      if (found !== undefined) return found.descriptor.type ?? 'commonjs';
    }
    return null;
  };

  const sortedLocations = [...nodes.keys()].sort((a, b) => comparePaths(paths.get(a)!, paths.get(b)!));
  for (const location of sortedLocations) {
    const node = nodes.get(location)!;
    const path = paths.get(location)!;
    const compartment: PackageCompartmentDescriptor = {
      label: path.length === 0 ? '$root$' : path.join('>'),
      name: path.length === 0 ? (node.descriptor.name ?? '') : path.at(-1)!,
      version: node.descriptor.version ?? '',
      location,
      sourceDirname: sourceDirnameOf(location),
      modules: {},
      scopes: {},
      parsers: parsersForPackage(node.descriptor, location, options, node.descriptorFile),
      types: {},
    };
    if (node.dev) compartment.dev = true;
    if (node.missing.length > 0) compartment.missingDependencies = [...node.missing];
    compartments[location] = compartment;
  }

  /** Probes `candidates` (module paths in `location`) and returns the first that exists. */
  const firstExisting = async (location: string, candidates: readonly string[]): Promise<string | undefined> => {
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
  const mainOf = async (location: string, descriptor: PackageDescriptor): Promise<string | undefined> => {
    const { main } = descriptor;
    if (main === undefined || main === '' || main === '.' || main === './') return './index.js';
    if (/\.(?:c|m)?js$|\.json$|\.node$/.test(main)) return normalizeModulePath(main);
    return firstExisting(location, legacyMainCandidates(descriptor));
  };

  /** Records `target` as a file of `location` whose language a nested package.json may set. */
  const noteLanguage = async (location: string, module: string): Promise<void> => {
    if (!module.endsWith('.js')) return;
    const type = await nestedTypeOf(location, module);
    if (type === null) return;
    const language = jsLanguageOfType(type);
    const compartment = compartments[location]!;
    if (compartment.parsers.js !== language) compartment.types[module] = language;
  };

  /** Adds what `dependent` sees of the package at `target` under `name`. */
  const linkPackage = async (dependent: PackageCompartmentDescriptor, name: string, target: string): Promise<void> => {
    const { descriptor, descriptorFile } = nodes.get(target)!;
    const pkg = { name: descriptor.name ?? name, file: descriptorFile };
    if (descriptor.exports === undefined) {
      dependent.scopes[name] = { compartment: target };
      const browserMain = importConditions.has('browser') ? browserMainOf(descriptor) : undefined;
      const main = typeof browserMain === 'string' ? normalizeModulePath(browserMain) : await mainOf(target, descriptor);
      if (main !== undefined) {
        dependent.modules[name] = { compartment: target, module: main };
        await noteLanguage(target, main);
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
      await addLink(dependent, specifier, target, forImport, forRequire, noteLanguage);
    }
    for (const key of keys.filter(k => k.includes('*')).sort(patternKeyCompare)) {
      const from = `${name}${key.slice(1)}`;
      const forImport = select(subpaths[key], key, importConditions, true);
      const forRequire = select(subpaths[key], key, requireConditions, true);
      addPattern(dependent, from, target, forImport, forRequire);
    }
  };

  await Promise.all(
    sortedLocations.map(async location => {
      const node = nodes.get(location)!;
      const compartment = compartments[location]!;
      // Self-reference by the package's own name works only with `exports`, as in Node.
      if (node.descriptor.exports !== undefined && node.descriptor.name) await linkPackage(compartment, node.descriptor.name, location);
      for (const [name, target] of [...node.dependencies].sort(([a], [b]) => (a < b ? -1 : 1))) await linkPackage(compartment, name, target);
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
    }),
  );

  return {
    tags: userConditions,
    entry: { compartment: entry.packageLocation, module: entry.moduleSpecifier },
    compartments,
  };
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
