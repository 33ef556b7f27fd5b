/**
 * Names a CommonJS module of an archive offers through `module.exports = require(…)`, found in the
 * archived `pre-cjs-json` records as Node finds them. Cordon's own archives list them in the record's
 * `exports` already; Endo's do not, so react's or debug's namespace would otherwise lack its names.
 * Each record is read once and specifiers are found through a reverse index: linear in the archive.
 */
import { archiveSpecifier, readPrecompiledCjs, type ArchiveCompartmentMap, type PrecompiledCjsRecord } from '../model/index.js';

const decoder = new TextDecoder();

/**
 * Makes the lookup for one archive: `(compartment, specifier)` → the names its re-exports bring
 * (with its own, deduplicated), or `[]` when it re-exports nothing. `files` holds the archive's
 * entries by name (`<compartment>/<location>`).
 */
export const makeReexportedNames = (map: ArchiveCompartmentMap, files: ReadonlyMap<string, Uint8Array>) => {
  const records = new Map<string, PrecompiledCjsRecord | undefined>();
  const recordAt = (key: string, text: string): PrecompiledCjsRecord | undefined => {
    if (!records.has(key)) {
      let record: PrecompiledCjsRecord | undefined;
      try {
        record = readPrecompiledCjs(text, key);
      } catch {
        record = undefined; // The module's own parser reports an invalid record when it loads.
      }
      records.set(key, record);
    }
    return records.get(key);
  };

  const specifierIndex = new Map<string, Map<object, string>>();
  const specifierOf = (compartment: string, entry: object): string | undefined => {
    let index = specifierIndex.get(compartment);
    if (index === undefined) {
      index = new Map();
      for (const [specifier, module] of Object.entries(map.compartments[compartment]!.modules)) if (!index.has(module)) index.set(module, specifier);
      specifierIndex.set(compartment, index);
    }
    return index.get(entry);
  };

  /**
   * The CommonJS record a specifier names in a compartment (following an alias to another one).
   * Unless its own names are wanted, a record that re-exports nothing is not parsed here (its module's
   * parser reads it on load): JSON escapes every quote inside strings, so `"reexports":[]` can only be
   * the record's own empty field.
   */
  const cjsModule = (compartment: string, specifier: string, wantExports: boolean) => {
    let owner = compartment;
    let entry = map.compartments[owner]!.modules[specifier];
    if (entry && 'compartment' in entry) {
      owner = entry.compartment;
      entry = map.compartments[owner]!.modules[entry.module];
    }
    if (!entry || !('location' in entry) || entry.parser !== 'pre-cjs-json') return undefined;
    const key = `${owner}/${entry.location}`;
    const bytes = files.get(key);
    if (bytes === undefined) return undefined;
    const text = decoder.decode(bytes);
    if (!wantExports && !records.has(key) && text.includes('"reexports":[]')) return undefined;
    const record = recordAt(key, text);
    return record && { key, owner, entry, record };
  };

  type Found = NonNullable<ReturnType<typeof cjsModule>>;
  const collect = (found: Found, seen: Set<string>, names: string[]): void => {
    seen.add(found.key);
    for (const name of found.record.exports) if (name !== 'default') names.push(name);
    const referrer = specifierOf(found.owner, found.entry);
    if (referrer === undefined) return;
    for (const request of found.record.reexports) {
      const next = cjsModule(found.owner, archiveSpecifier(referrer, request), true);
      if (next !== undefined && !seen.has(next.key)) collect(next, seen, names);
    }
  };

  return (compartment: string, specifier: string): string[] => {
    const start = cjsModule(compartment, specifier, false);
    if (start === undefined || start.record.reexports.length === 0) return [];
    const names: string[] = [];
    collect(start, new Set(), names);
    return [...new Set(names)];
  };
};
