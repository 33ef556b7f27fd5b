import { CordonError } from '../../diagnostics/index.js';
import type { PrecompiledModuleSource } from '../../model/index.js';
import type { SourceMapObject } from '../splice.js';
import { compileModule, dynamicImportsOf, type CompileModuleOptions } from './compile.js';

/** The options of `new ModuleSource(text, options)`, as `@endo/module-source` takes them. */
export interface ModuleSourceOptions {
  sourceUrl?: string | undefined;
  sourceMap?: SourceMapObject | string | undefined;
  sourceMapUrl?: string | undefined;
  sourceMapHook?: CompileModuleOptions['sourceMapHook'];
}

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
};

const moduleSourceDynamicImports = new WeakMap<object, readonly string[]>();
/** The literal specifiers of `import()` calls in a module source (Cordon; archives include their targets). */
export const literalDynamicImports = (source: object): readonly string[] => moduleSourceDynamicImports.get(source) ?? dynamicImportsOf(source);

/** The record's fields, declared once (in the model) and merged into the class. */
export interface ModuleSource extends PrecompiledModuleSource {}

/**
 * A SES precompiled module source compiled from ES module text: a drop-in for `@endo/module-source`'s
 * `ModuleSource` (`{ source: new ModuleSource(text) }` from an import hook). Frozen.
 */
export class ModuleSource {
  constructor(source: string, options: string | ModuleSourceOptions = {}) {
    if (typeof source !== 'string') {
      throw new CordonError('CORDON_INVALID_ARGUMENT', `ModuleSource expects the module's text as a string, got ${typeof source}`);
    }
    const opts: ModuleSourceOptions = typeof options === 'string' ? { sourceUrl: options } : options;
    if (opts.sourceUrl !== undefined && /[\r\n\u2028\u2029]/.test(opts.sourceUrl)) {
      throw new CordonError('CORDON_INVALID_ARGUMENT', 'ModuleSource sourceUrl must not contain line breaks', { file: JSON.stringify(opts.sourceUrl) });
    }
    // The record's keys come in Endo's order (imports, exports, reexports, program, maps, flags).
    const record = compileModule(source, opts);
    Object.assign(this, record);
    deepFreeze(this);
    const literals = dynamicImportsOf(record);
    if (literals.length > 0) moduleSourceDynamicImports.set(this, literals);
  }
}
Object.freeze(ModuleSource.prototype);
Object.freeze(ModuleSource);
