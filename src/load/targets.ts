/**
 * What the loader keeps per compartment (and how a resolution, or a failed one, is recorded there), and
 * the small module sources it hands SES itself: a module that throws (a deferred require failure) and
 * the empty module (`browser: false`).
 */
import { markRequireReturnsDefault, type PackageCompartmentDescriptor, type VirtualModuleSource } from '../model/index.js';
import type { ImportKind } from '../resolve/index.js';
import type { Resolution } from './resolve-specifier.js';

/** `deferred`: a CommonJS require that failed, thrown when required; `failed`: an ESM import that failed, thrown when loaded (so that SES goes on loading the rest, and every failure is reported). */
export type Target =
  | Resolution
  | { readonly type: 'exit'; readonly specifier: string; readonly required: true }
  | { readonly type: 'deferred' | 'failed'; readonly error: unknown; readonly specifier: string; readonly referrer: string };

export interface CompartmentState {
  readonly descriptor: PackageCompartmentDescriptor;
  /** referrer → specifier → full specifier */
  readonly resolutions: Map<string, Map<string, string>>;
  readonly targets: Map<string, Target>;
  /** kinds of the modules loaded here (for resolving their dynamic imports) */
  readonly kinds: Map<string, ImportKind>;
  deferredCount: number;
}

export const throwing = (error: unknown): VirtualModuleSource =>
  Object.freeze({ imports: Object.freeze([]), exports: Object.freeze([]), execute: () => { throw error; } });

/** What a file or package the `browser` field maps to `false` is: `{}`, as bundlers give. */
export const emptyModule = (): VirtualModuleSource =>
  Object.freeze({
    imports: Object.freeze([]),
    exports: Object.freeze(['default']),
    execute: (exportsTarget: Record<string, unknown>) => {
      exportsTarget.default = {};
      markRequireReturnsDefault(exportsTarget);
    },
  });


/** Records `specifier` of `referrer` as naming `full`. */
const recordResolution = (state: CompartmentState, referrer: string, specifier: string, full: string): void => {
  let table = state.resolutions.get(referrer);
  if (!table) state.resolutions.set(referrer, (table = new Map()));
  table.set(specifier, full);
};

/** The full specifier (in the referrer's compartment) for what `specifier` names; registers its target. */
export const register = (state: CompartmentState, referrer: string, specifier: string, kind: ImportKind, resolution: Resolution): string => {
  let full: string;
  let target: Target = resolution;
  if (resolution.type === 'empty') {
    full = `${specifier} (empty)`;
  } else if (resolution.type === 'exit') {
    // A required host module the host lacks throws where it is required (Node's MODULE_NOT_FOUND), not when loading.
    full = kind === 'require' ? `${specifier} (require)` : specifier;
    if (kind === 'require') target = { ...resolution, required: true };
  } else if (resolution.compartment === state.descriptor.location) full = resolution.module;
  else full = kind === 'require' ? `${specifier} (require)` : specifier;
  state.targets.set(full, target);
  recordResolution(state, referrer, specifier, full);
  return full;
};

/** Registers a failed resolution under a full specifier of its own, thrown when required or loaded. */
export const defer = (state: CompartmentState, referrer: string, specifier: string, error: unknown, type: 'deferred' | 'failed'): string => {
  state.deferredCount += 1;
  const full = `${specifier} (unresolved ${state.deferredCount})`;
  state.targets.set(full, { type, error, specifier, referrer });
  recordResolution(state, referrer, specifier, full);
  return full;
};
