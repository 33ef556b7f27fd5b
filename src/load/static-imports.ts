/**
 * After a module is parsed: its static imports resolved (through the policy's gate; a CommonJS
 * module's failures deferred to where it requires them), then the module reported (`onModule`,
 * `moduleSourceHook`) and its descriptor for SES made.
 */
import type { ModuleSourceRecord } from '../model/index.js';
import type { ReadPowers } from '../powers/index.js';
import type { ImportKind } from '../resolve/index.js';
import { gateResolution } from './gate.js';
import type { LoadedModule, LoaderOptions } from './options.js';
import { resolveSpecifier, type ResolveContext } from './resolve-specifier.js';
import { defer, register, type CompartmentState } from './targets.js';
import type { Loader } from './trampoline.js';

/** What a parser gives for one module. */
export interface ParsedModule {
  readonly record: ModuleSourceRecord;
  readonly bytes: Uint8Array;
  readonly parser: string;
  readonly dynamicImports?: readonly string[] | undefined;
}

/** What `resolveImports` needs of the loader. */
export interface ImportsAccess {
  readonly context: ResolveContext;
  readonly options: LoaderOptions;
  readonly powers: ReadPowers;
  readonly log: (...args: unknown[]) => void;
  run<T>(generator: Loader<T>, sync: boolean): T | Promise<T>;
}

/** Resolves every static import of a freshly parsed module; heuristic (CommonJS) failures are deferred. */
export const resolveImports = (
  access: ImportsAccess,
  state: CompartmentState,
  module: string,
  location: string,
  language: string,
  result: ParsedModule,
  kind: ImportKind,
  sync: boolean,
): unknown => {
  const { record } = result;
  const { context, options } = access;
  const descriptor = state.descriptor;
  /** One import: resolved, checked by the policy's gate, registered; a failure is kept for where it is used. */
  const resolveOne = function* (specifier: string): Loader<void> {
    try {
      const resolution = yield* resolveSpecifier(context, descriptor, module, specifier, kind);
      gateResolution(options.gate, state, module, specifier, resolution, result.bytes);
      register(state, module, specifier, kind, resolution);
    } catch (error) {
      defer(state, module, specifier, error, kind === 'require' ? 'deferred' : 'failed');
    }
  };
  function* resolveAll(): Loader<void> {
    for (const specifier of record.imports) {
      if (state.resolutions.get(module)?.has(specifier)) continue;
      yield* resolveOne(specifier);
    }
  }
  const done = (): unknown => {
    const targets = state.targets;
    const resolutionsNow = () =>
      new Map(
        [...(state.resolutions.get(module) ?? new Map<string, string>())].map(([specifier, full]): [string, LoadedModule['resolutions'] extends ReadonlyMap<string, infer V> ? V : never] => {
          const target = targets.get(full)!;
          return [specifier, 'error' in target ? { type: 'error', error: target.error } : target];
        }),
      );
    options.onModule?.({
      compartment: descriptor.location,
      module,
      location,
      language: result.parser,
      bytes: result.bytes,
      record,
      dynamicImports: result.dynamicImports ?? [],
      // Read when needed: dynamic imports resolved later (for archives) appear here too.
      get resolutions() {
        return resolutionsNow();
      },
    });
    options.moduleSourceHook?.({
      moduleSource: {
        location,
        language,
        bytes: result.bytes,
        imports: record.imports,
        exports: record.exports,
        reexports: record.reexports ?? [],
        sha512: access.powers.computeSha512?.(result.bytes),
      },
      canonicalName: descriptor.label,
      log: access.log,
    });
    return { source: record, importMeta: { url: location } };
  };
  if (sync) {
    access.run(resolveAll(), true);
    return done();
  }
  // Asynchronously, every import is resolved at once (their probing reads overlap).
  const pending = [...new Set(record.imports)].filter(specifier => !state.resolutions.get(module)?.has(specifier));
  return Promise.all(pending.map(specifier => access.run(resolveOne(specifier), false))).then(done);
};
