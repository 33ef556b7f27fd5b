/**
 * The package graph of an application: from the entry's package, each package's declared
 * dependencies found as Node finds them (`node_modules` of the package's directory, then of each
 * ancestor), through `canonical` so that a symlinked workspace package is one node at its real
 * location; the common dependencies; and the labels (the shortest dependency path from the entry,
 * LavaMoat's canonical names).
 */
import { CordonError } from '../diagnostics/index.js';
import type { PackageDescriptor } from '../model/index.js';
import type { DescriptorReader } from './search.js';

export interface PackageNode {
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
export const comparePaths = (a: readonly string[], b: readonly string[]): number => {
  if (a.length !== b.length) return a.length - b.length;
  const la = a.reduce((n, s) => n + s.length, 0);
  const lb = b.reduce((n, s) => n + s.length, 0);
  if (la !== lb) return la - lb;
  const ja = a.join('>');
  const jb = b.join('>');
  return ja < jb ? -1 : ja > jb ? 1 : 0;
};

/** Canonical names by LavaMoat's rule, breadth first from the entry. */
export const computeLabels = (root: string, nodes: ReadonlyMap<string, PackageNode>): Map<string, string[]> => {
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

/** What the walk reads of the options. */
export interface WalkOptions {
  /** Whether the entry package's `devDependencies` are graphed. */
  readonly dev: boolean;
  /** A missing non-optional dependency is an error now, not when it is imported. */
  readonly strict: boolean | undefined;
  readonly log: (...args: unknown[]) => void;
}

/**
 * Every package reachable from the package at `root`, by location. Reads run concurrently and each
 * location is read once.
 */
export const walkPackageGraph = async (reader: DescriptorReader, root: string, options: WalkOptions): Promise<Map<string, PackageNode>> => {
  const { dev, log } = options;
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
  visit(root, true);
  for (let settled = 0; settled < pending.size; ) {
    const round = [...pending.values()];
    await Promise.all(round);
    settled = round.length;
  }
  return nodes;
};

/** `{ alias: dependencyOfTheEntry }`: that dependency offered to every package under an alias. */
export const addCommonDependencies = (nodes: ReadonlyMap<string, PackageNode>, root: string, commonDependencies: Readonly<Record<string, string>>): void => {
  const rootNode = nodes.get(root)!;
  for (const [alias, dependencyName] of Object.entries(commonDependencies)) {
    const target = rootNode.dependencies.get(dependencyName);
    if (target === undefined) {
      throw new CordonError('CORDON_DEPENDENCY_NOT_FOUND', `commonDependencies names ${JSON.stringify(dependencyName)}, which is not a dependency of the entry package`, {
        specifier: dependencyName,
      });
    }
    for (const node of nodes.values()) if (node.location !== target && !node.dependencies.has(alias)) node.dependencies.set(alias, target);
  }
};
