import { CordonError } from '../../diagnostics/index.js';
import type { FixedExportMap, LiveExportMap, PrecompiledModuleSource, ReexportMap } from '../../model/index.js';
import type { SourceMapObject } from '../splice.js';
import { compileModule, type CompileModuleOptions } from './compile.js';

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

/**
 * A SES precompiled module source compiled from ES module text: a drop-in for `@endo/module-source`'s
 * `ModuleSource` (`{ source: new ModuleSource(text) }` from an import hook). Frozen.
 */
export class ModuleSource implements PrecompiledModuleSource {
  readonly imports: readonly string[];
  readonly exports: readonly string[];
  readonly reexports: readonly string[];
  readonly __syncModuleProgram__: string;
  readonly __liveExportMap__: LiveExportMap;
  readonly __reexportMap__: ReexportMap;
  readonly __fixedExportMap__: FixedExportMap;
  readonly __needsImport__: boolean;
  readonly __needsImportMeta__: boolean;

  constructor(source: string, options: string | ModuleSourceOptions = {}) {
    if (typeof source !== 'string') {
      throw new CordonError('CORDON_INVALID_ARGUMENT', `ModuleSource expects the module's text as a string, got ${typeof source}`);
    }
    const opts: ModuleSourceOptions = typeof options === 'string' ? { sourceUrl: options } : options;
    if (opts.sourceUrl !== undefined && /[\r\n\u2028\u2029]/.test(opts.sourceUrl)) {
      throw new CordonError('CORDON_INVALID_ARGUMENT', 'ModuleSource sourceUrl must not contain line breaks', { file: JSON.stringify(opts.sourceUrl) });
    }
    const record = compileModule(source, opts);
    this.imports = record.imports;
    this.exports = record.exports;
    this.reexports = record.reexports;
    this.__syncModuleProgram__ = record.__syncModuleProgram__;
    this.__liveExportMap__ = record.__liveExportMap__;
    this.__reexportMap__ = record.__reexportMap__;
    this.__fixedExportMap__ = record.__fixedExportMap__;
    this.__needsImport__ = record.__needsImport__;
    this.__needsImportMeta__ = record.__needsImportMeta__;
    deepFreeze(this);
  }
}
Object.freeze(ModuleSource.prototype);
Object.freeze(ModuleSource);
