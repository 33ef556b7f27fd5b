/**
 * `checkBundle(bundle, computeSha512, name)`: `@endo/check-bundle/lite.js`'s check that a bundle
 * passes its own integrity checks, or a rejection saying why.
 *
 * As the incumbent: the bundle must be a frozen object of data properties whose values are strings
 * (nothing can change after the check), of the `endoZipBase64` format, whose archive is whole (every
 * file named, every module's hash) and whose compartment map has the `endoZipBase64Sha512` it carries;
 * then every module is loaded (parsed and linked by the archive's tables, nothing run).
 * Unlike the incumbent: a script bundle is first checked for its shape, then refused with the reason
 * (it carries no hash: nothing says which text was meant), and host modules (exits) do not fail the
 * check: each is given a placeholder while loading, since which host provides them is the importer's
 * business.
 */
import { CordonError, isCordonError } from '../diagnostics/index.js';
import { defaultParserForLanguage } from '../load/index.js';
import { decodeBase64, validateBundle } from '../model/index.js';
import { openArchive } from './archive.js';
import { makeArchiveCompartments } from './hooks.js';

const invalid = (name: string, message: string) => new CordonError('CORDON_INVALID_BUNDLE', `checkBundle: bundle ${JSON.stringify(name)} ${message}`, { file: name });

/** Frozen, data properties only, each a string (Endo's rule: nothing a later read could answer differently). */
const checkIntegrityShape = (bundle: unknown, name: string): void => {
  if (bundle === null || typeof bundle !== 'object') throw invalid(name, `must be an object, not ${bundle === null ? 'null' : typeof bundle}`);
  if (!Object.isFrozen(bundle)) throw invalid(name, 'is not frozen; checkBundle cannot vouch for the ongoing integrity of an object that can change (harden or freeze it)');
  const descriptors = Object.getOwnPropertyDescriptors(bundle);
  const keys = Reflect.ownKeys(descriptors);
  const accessors = keys.filter(key => !('value' in descriptors[key as string]!)).map(String);
  const nonStrings = keys.filter(key => 'value' in descriptors[key as string]! && typeof descriptors[key as string]!.value !== 'string').map(String);
  if (accessors.length > 0 || nonStrings.length > 0) {
    throw invalid(name, `must have only string data properties${accessors.length > 0 ? `; accessors: ${accessors.join(', ')}` : ''}${nonStrings.length > 0 ? `; not strings: ${nonStrings.join(', ')}` : ''}`);
  }
};

export const checkBundle = async (bundle: unknown, computeSha512: (bytes: Uint8Array) => string, name = '<unknown-bundle>'): Promise<void> => {
  checkIntegrityShape(bundle, name);
  const checked = validateBundle(bundle, name);
  if (checked.moduleFormat !== 'endoZipBase64') {
    throw new CordonError(
      'CORDON_BUNDLE_NOT_CHECKABLE',
      `checkBundle: bundle ${JSON.stringify(name)} is a well-formed ${checked.moduleFormat} bundle, but it cannot be hash-checked: a script carries no hash of what it holds, and the same sources do not always give the same script`,
      { file: name },
    );
  }
  if (typeof computeSha512 !== 'function') throw new CordonError('CORDON_INVALID_ARGUMENT', 'checkBundle needs computeSha512 (bytes → lowercase hex SHA-512)');
  const bytes = decodeBase64(checked.endoZipBase64, name);
  const { files, map, sha512 } = openArchive(bytes, name, { computeSha512 });
  if (sha512 !== checked.endoZipBase64Sha512) {
    throw new CordonError('CORDON_BUNDLE_HASH_MISMATCH', `checkBundle: bundle ${JSON.stringify(name)}'s compartment map has sha512 ${sha512}, not its endoZipBase64Sha512 ${checked.endoZipBase64Sha512}`, { file: name });
  }
  // Load every module (parse, resolve, link tables), nothing run; host modules are placeholders.
  const errors: unknown[] = [];
  const note = (error: unknown): unknown => {
    errors.push(error);
    return error;
  };
  const placeholder = () => ({ namespace: {} });
  const { entryCompartment } = makeArchiveCompartments(map, files, name, { parserForLanguage: defaultParserForLanguage, importHook: placeholder, importNowHook: placeholder }, note);
  try {
    await entryCompartment.load(map.entry.module);
  } catch (error) {
    const all = errors.length > 0 ? errors : [error];
    throw new CordonError('CORDON_LOAD_FAILED', `checkBundle: cannot load bundle ${JSON.stringify(name)} (${all.length} problem${all.length === 1 ? '' : 's'}):\n${all.map(e => `  - ${isCordonError(e) ? `[${e.code}] ` : ''}${(e as Error).message}`).join('\n')}`, {
      cause: error,
      errors: all,
      file: name,
    });
  }
};
