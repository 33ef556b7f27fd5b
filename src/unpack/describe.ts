/** What an archive holds, checked as parseArchive checks it (for `cordon inspect`). */
import { archiveSpecifier } from '../model/archive.js';
import { openArchive, type ParseArchiveOptions } from './archive.js';

const decoder = new TextDecoder();

export interface ArchiveDescription {
  readonly sha512?: string | undefined;
  readonly bytes: number;
  readonly entry: { readonly compartment: string; readonly module: string };
  readonly compartments: readonly {
    readonly name: string;
    readonly label: string;
    readonly modules: readonly { readonly specifier: string; readonly location: string; readonly parser: string; readonly bytes: number }[];
    readonly links: number;
  }[];
  /** Host modules the archived modules import (not in the archive: the host must provide them). */
  readonly exits: readonly string[];
}

export const describeArchive = async (archiveBytes: Uint8Array, archiveLocation = '<unknown>', options: ParseArchiveOptions = {}): Promise<ArchiveDescription> => {
  const { files, map, sha512 } = openArchive(archiveBytes, archiveLocation, options);
  const exits = new Set<string>();
  const compartments = Object.entries(map.compartments).map(([name, compartment]) => {
    const modules = [];
    let links = 0;
    for (const [specifier, module] of Object.entries(compartment.modules)) {
      if (!('location' in module)) {
        links += 1;
        continue;
      }
      const bytes = files.get(`${name}/${module.location}`)!;
      modules.push({ specifier, location: module.location, parser: module.parser, bytes: bytes.length });
      if (module.parser === 'pre-mjs-json' || module.parser === 'pre-cjs-json') {
        let imports: unknown = [];
        try {
          imports = JSON.parse(decoder.decode(bytes)).imports;
        } catch {
          imports = [];
        }
        for (const imported of Array.isArray(imports) ? imports : []) {
          if (typeof imported !== 'string') continue;
          const key = archiveSpecifier(specifier, imported);
          if (!Object.hasOwn(compartment.modules, key) && !Object.hasOwn(compartment.modules, `${key} (require)`)) exits.add(imported);
        }
      }
    }
    return { name, label: compartment.label, modules, links };
  });
  return { ...(sha512 === undefined ? {} : { sha512 }), bytes: archiveBytes.length, entry: map.entry, compartments, exits: [...exits].sort() };
};
