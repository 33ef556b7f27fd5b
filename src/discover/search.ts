/**
 * Finding packages: reading package.json files (once per location, concurrently) and `search`, which
 * finds the package of a module by walking up from it.
 */
import { CordonError } from '../diagnostics/index.js';
import { parsePackageJson, type PackageDescriptor } from '../model/index.js';
import type { ReadPowers } from '../powers/index.js';

export interface FoundDescriptor {
  readonly descriptor: PackageDescriptor;
  readonly text: string;
  /** The package.json location. */
  readonly file: string;
}

export interface DescriptorReader {
  /** The package.json of the directory `location` (a URL ending in `/`), or `undefined`. */
  read(location: string): Promise<FoundDescriptor | undefined>;
  canonical(location: string): Promise<string>;
  /**
   * Whether the directory `location` (ending in `/`) may exist: `false` only when reading it fails
   * with ENOENT or ENOTDIR. Lets the `node_modules` walk skip a missing folder with one probe instead
   * of one per dependency.
   */
  mayHaveDirectory(location: string): Promise<boolean>;
}

const decoder = new TextDecoder();

export const makeDescriptorReader = (powers: ReadPowers): DescriptorReader => {
  const reads = new Map<string, Promise<FoundDescriptor | undefined>>();
  const canonicals = new Map<string, Promise<string>>();
  const directories = new Map<string, Promise<boolean>>();
  const maybeRead =
    powers.maybeRead ??
    (async (location: string) => {
      try {
        return await powers.read(location);
      } catch (error) {
        const code = (error as { code?: string })?.code;
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
        throw error;
      }
    });
  return {
    read(location) {
      let promise = reads.get(location);
      if (!promise) {
        const file = new URL('package.json', location).href;
        promise = maybeRead(file).then(bytes => {
          if (bytes === undefined) return undefined;
          const text = decoder.decode(bytes);
          return { descriptor: parsePackageJson(text, file), text, file };
        });
        reads.set(location, promise);
      }
      return promise;
    },
    mayHaveDirectory(location) {
      let promise = directories.get(location);
      if (!promise) {
        promise = powers.read(location).then(
          () => true,
          error => {
            const code = (error as { code?: string })?.code;
            return code !== 'ENOENT' && code !== 'ENOTDIR';
          },
        );
        directories.set(location, promise);
      }
      return promise;
    },
    canonical(location) {
      let promise = canonicals.get(location);
      if (!promise) {
        promise = powers.canonical ? powers.canonical(location) : Promise.resolve(location);
        canonicals.set(location, promise);
      }
      return promise;
    },
  };
};

export interface SearchResult {
  /** The package directory (a `file:` URL ending in `/`), after `canonical`. */
  readonly packageLocation: string;
  readonly packageDescriptorText: string;
  readonly packageDescriptorLocation: string;
  /** The module, relative to its package (`./src/main.js`). */
  readonly moduleSpecifier: string;
}

/**
 * The package of `moduleLocation`: the nearest package.json above it that names a package (nested,
 * unnamed package.json files only set a `type`). Endo's `search`, with Endo's result fields.
 */
export const search = async (readPowers: ReadPowers, moduleLocation: string, reader: DescriptorReader = makeDescriptorReader(readPowers)): Promise<SearchResult> => {
  let canonicalModule = moduleLocation;
  if (readPowers.canonical) canonicalModule = await readPowers.canonical(moduleLocation);
  let nearest: { location: string; found: FoundDescriptor } | undefined;
  for (let dir = new URL('.', canonicalModule).href; ; ) {
    const found = await reader.read(dir);
    if (found !== undefined) {
      nearest ??= { location: dir, found };
      if (found.descriptor.name !== undefined) {
        nearest = { location: dir, found };
        break;
      }
    }
    const parent = new URL('..', dir).href;
    if (parent === dir) break;
    dir = parent;
  }
  if (!nearest) {
    throw new CordonError('CORDON_ENTRY_NOT_FOUND', `No package.json found above ${moduleLocation}`, { file: moduleLocation });
  }
  return {
    packageLocation: nearest.location,
    packageDescriptorText: nearest.found.text,
    packageDescriptorLocation: nearest.found.file,
    moduleSpecifier: `./${decodeURIComponent(canonicalModule.slice(nearest.location.length))}`,
  };
};
