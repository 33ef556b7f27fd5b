/**
 * `mapNodeModules`: from the entry module's package, upward and through `node_modules`, the package
 * graph, then the compartment map (see `model/compartment-map.ts`).
 *
 * 1. `search` finds the entry's package (the nearest package.json with a name, above the module).
 * 2. The graph (`graph.ts`): for each package, its dependencies (`dependencies`, `peerDependencies`,
 *    `optionalDependencies`, `bundleDependencies` in both forms, `devDependencies` of the entry with
 *    `dev`) are found as Node finds them (`node_modules` of the package's directory, then of each
 *    ancestor), through `canonical` so that a symlinked workspace package is one compartment at its
 *    real location. Reads run concurrently and each location is read once.
 * 3. Labels: the shortest dependency path from the entry (LavaMoat's canonical names).
 * 4. Each compartment's view of its dependencies (`links.ts`): `exports` enumerated for the `import`
 *    and `require` conditions, `main` for packages without `exports` (with Node's fallbacks, probed),
 *    scopes for deep imports, patterns, `imports` (`#`) aliases, and languages.
 */
import type { PackageCompartmentDescriptor, PackageCompartmentMapDescriptor } from '../model/index.js';
import type { ReadPowers } from '../powers/index.js';
import { conditionsFor } from '../resolve/index.js';
import { addCommonDependencies, comparePaths, computeLabels, walkPackageGraph } from './graph.js';
import { parsersForPackage } from './languages.js';
import { linkCompartment } from './links.js';
import { checkMapOptions, type MapNodeModulesOptions } from './map-options.js';
import { makeDescriptorReader, search } from './search.js';

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
  const nodes = await walkPackageGraph(reader, entry.packageLocation, { dev, strict: options.strict, log });
  addCommonDependencies(nodes, entry.packageLocation, options.commonDependencies ?? {});

  const paths = computeLabels(entry.packageLocation, nodes);
  const compartments: Record<string, PackageCompartmentDescriptor> = {};
  const importConditions = conditionsFor('import', userConditions);
  const requireConditions = conditionsFor('require', userConditions);

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
    if (node.descriptor.type === undefined) compartment.typeless = true;
    if (node.dev) compartment.dev = true;
    if (node.missing.length > 0) compartment.missingDependencies = [...node.missing];
    compartments[location] = compartment;
  }

  const context = { readPowers, reader, nodes, compartments, importConditions, requireConditions, log };
  await Promise.all(sortedLocations.map(location => linkCompartment(context, location)));

  return {
    tags: userConditions,
    entry: { compartment: entry.packageLocation, module: entry.moduleSpecifier },
    compartments,
  };
};
