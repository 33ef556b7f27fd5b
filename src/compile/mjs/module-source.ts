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

/** Freezes the record's parts: arrays of strings, and maps of arrays (the shapes the compiler makes). */
const freezeRecordParts = (record: PrecompiledModuleSource): void => {
  Object.freeze(record.imports);
  Object.freeze(record.exports);
  Object.freeze(record.reexports);
  for (const map of [record.__liveExportMap__, record.__fixedExportMap__, record.__reexportMap__] as Record<string, unknown[]>[]) {
    for (const key in map) {
      const entry = map[key]!;
      for (const item of entry) if (typeof item === 'object' && item !== null) Object.freeze(item);
      Object.freeze(entry);
    }
    Object.freeze(map);
  }
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
    freezeRecordParts(record);
    Object.assign(this, record);
    Object.freeze(this);
    const literals = dynamicImportsOf(record);
    if (literals.length > 0) moduleSourceDynamicImports.set(this, literals);
  }
}
Object.freeze(ModuleSource.prototype);
Object.freeze(ModuleSource);
