/**
 * What the loader keeps per compartment, and the small module sources it hands SES itself: a module
 * that throws (a deferred require failure) and the empty module (`browser: false`).
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

