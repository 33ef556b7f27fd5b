/**
 * An archive under the host's policy: before any of its code runs, every link of its compartment map
 * from one package to another and every exit it names is checked against the policy the host gave
 * (never the policy the archive embeds, which is the archive author's word). The canonical names are
 * the compartments' labels; a map that gives two compartments one label, or labels a package other
 * than the entry `$root$`, is refused, so no package can borrow another's grants by its name.
 */
import { CordonError } from '../diagnostics/index.js';
import type { Enforcement, Requester } from '../link/index.js';
import type { ArchiveCompartmentMap } from '../model/archive.js';

export const checkArchivePolicy = (map: ArchiveCompartmentMap, enforcement: Enforcement, archiveLocation: string): void => {
  const denials: unknown[] = [];
  const labels = new Map<string, string>();
  for (const [name, compartment] of Object.entries(map.compartments)) {
    const other = labels.get(compartment.label);
    if (other !== undefined) {
      throw new CordonError('CORDON_ARCHIVE_INVALID_MAP', `Invalid compartment-map.json: compartments ${JSON.stringify(other)} and ${JSON.stringify(name)} have one label, ${JSON.stringify(compartment.label)}; a policy could not tell them apart`, { file: archiveLocation });
    }
    labels.set(compartment.label, name);
    if (compartment.label === '$root$' && name !== map.entry.compartment) {
      throw new CordonError('CORDON_ARCHIVE_INVALID_MAP', `Invalid compartment-map.json: compartment ${JSON.stringify(name)} is labelled $root$ but is not the entry compartment`, { file: archiveLocation });
    }
  }
  for (const [name, compartment] of Object.entries(map.compartments)) {
    const requester: Requester = { canonicalName: compartment.label, isEntry: name === map.entry.compartment };
    for (const [specifier, module] of Object.entries(compartment.modules)) {
      try {
        if ('exit' in module) enforcement.checkExit(requester, module.exit, { specifier: module.exit, file: `${archiveLocation}#${name}` });
        else if ('compartment' in module && module.compartment !== name) {
          const target = map.compartments[module.compartment];
          if (target) enforcement.checkEdge(requester, target.label, { specifier, file: `${archiveLocation}#${name}` }, target.name);
        }
      } catch (error) {
        denials.push(error);
      }
    }
  }
  if (denials.length > 0) {
    throw new CordonError(
      'CORDON_ARCHIVE_POLICY_DENIED',
      `Archive ${archiveLocation} links what the policy does not allow (${denials.length} link${denials.length === 1 ? '' : 's'}); nothing ran:\n${denials.map(e => `  - ${(e as Error).message}`).join('\n')}`,
      { file: archiveLocation, errors: denials },
    );
  }
};
