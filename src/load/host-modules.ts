/**
 * A host module (an exit) a compartment imports or requires: what the exit provider gives, or when it
 * gives nothing, the error Node would give (thrown when loaded, or for a require, where it is required).
 */
import { CordonError, requireErrorOf } from '../diagnostics/index.js';
import { isNodeBuiltinName } from '../model/index.js';
import type { ReadPowers } from '../powers/index.js';
import { fileOf } from './commonjs.js';
import type { LoaderOptions } from './options.js';
import { throwing, type CompartmentState } from './targets.js';

/** What `loadExit` needs of the loader. */
export interface ExitAccess {
  readonly options: LoaderOptions;
  readonly powers: ReadPowers;
  readonly log: (...args: unknown[]) => void;
  /** Records a load failure (reported with the others) and returns it. */
  readonly note: (error: unknown) => unknown;
}

/** The module descriptor of the host module `specifier` (registered as `fullSpecifier` in `state`). */
export const loadExit = (access: ExitAccess, state: CompartmentState, fullSpecifier: string, specifier: string, sync: boolean, required: boolean): unknown => {
  const { options } = access;
  const referrer = [...state.resolutions].find(([, table]) => [...table.values()].includes(fullSpecifier))?.[0];
  const file = referrer === undefined ? undefined : new URL(referrer, state.descriptor.location).href;
  const missing = (): CordonError => {
    const bare = !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(specifier);
    if (bare && isNodeBuiltinName(specifier)) {
      return new CordonError('CORDON_HOST_MODULE_NOT_FOUND', `Package ${state.descriptor.label} imports Node's builtin ${JSON.stringify(specifier)}, which the host does not give`, {
        file,
        specifier,
        package: state.descriptor.label,
        hint: `Give it through the "modules" option or an importHook/importNowHook (the CLI gives Node's builtins); a builtin name never names an npm package, write ${JSON.stringify(`${specifier}/`)} for that.`,
      });
    }
    return (
      bare
        ? new CordonError('CORDON_MODULE_NOT_FOUND', `Cannot find package ${JSON.stringify(specifier)} imported by ${state.descriptor.label}: it is neither a dependency nor a host module`, {
            file,
            specifier,
            package: state.descriptor.label,
          })
        : new CordonError('CORDON_HOST_MODULE_NOT_FOUND', `No host module ${JSON.stringify(specifier)} for package ${state.descriptor.label}`, {
            file,
            specifier,
            package: state.descriptor.label,
          })
    );
  };
  const orElse = (descriptor: unknown): unknown => {
    if (descriptor !== undefined) return descriptor;
    if (required) return { source: throwing(requireErrorOf(missing(), specifier, referrer === undefined ? undefined : fileOf(access.powers, state, referrer))) };
    throw access.note(missing());
  };
  options.moduleSourceHook?.({ moduleSource: { exit: specifier }, canonicalName: state.descriptor.label, log: access.log });
  const provided = options.exitModule(specifier, state.descriptor.location, sync);
  return provided instanceof Promise ? provided.then(orElse) : orElse(provided);
};
