/**
 * `generatePolicy(readPowers, entry, options)`: a LavaMoat-format policy from the application's own
 * modules, by Cordon's own parse (no second parser): the application is captured as for an archive
 * (everything it reaches, nothing run), each JavaScript module is analysed (`analyzeModule`: the
 * globals it reads and writes, the builtin members it uses, its computed loads), and each package's
 * needs are merged (`policyFromAnalyses`). A runtime audit adds what no static analysis sees
 * (`mergeAudit`, from `cordon policy generate --audit`).
 */
import { analyzeModule, type ModuleAnalysis } from '../compile/index.js';
import { mapNodeModules, type MapNodeModulesOptions } from '../discover/index.js';
import type { LoadedModule } from '../load/index.js';
import { builtinNameOf, nodeBuiltinNames, type PackageCompartmentMapDescriptor } from '../model/index.js';
import { dynamicRequiresOf, policyFromAnalyses, type AnalyzedModuleInfo, type LavaMoatPolicy } from '../policy/index.js';
import type { ReadFnOrPowers, ReadPowers } from '../powers/index.js';
import { captureModules, type CaptureOptions } from './capture.js';

export interface GeneratePolicyOptions extends MapNodeModulesOptions, Omit<CaptureOptions, 'onModule'> {
  /** Also write the entry package's needs (LavaMoat trusts the root, so it is left out by default). */
  readonly includeRoot?: boolean | undefined;
}

export interface GeneratedPolicy {
  readonly policy: LavaMoatPolicy;
  /** Computed `require(x)` / `import(x)`: what static analysis cannot follow (an audit can). */
  readonly dynamic: readonly { canonicalName: string; file: string; line: number; column: number; kind: 'require' | 'import' }[];
  /** Every canonical name of the application (to check a hand-written policy against). */
  readonly canonicalNames: readonly string[];
  readonly modules: number;
}

const decoder = new TextDecoder();
const ANALYSED = new Set(['mjs', 'cjs']);

/** Node's builtins as placeholders: the capture records them as exits without loading anything. */
const builtinPlaceholders = (): Record<string, object> => {
  const modules: Record<string, object> = {};
  for (const name of nodeBuiltinNames()) {
    modules[name] = {};
    modules[`node:${name}`] = {};
  }
  return modules;
};

const resolutionsOf = (map: PackageCompartmentMapDescriptor, module: LoadedModule): AnalyzedModuleInfo['resolutions'] => {
  const out = new Map<string, AnalyzedModuleInfo['resolutions'] extends ReadonlyMap<string, infer V> ? V : never>();
  for (const [specifier, resolution] of module.resolutions) {
    if (resolution.type === 'module') {
      out.set(specifier, resolution.compartment === module.compartment ? { type: 'local' } : { type: 'package', canonicalName: map.compartments[resolution.compartment]?.label ?? resolution.compartment });
    } else if (resolution.type === 'exit') out.set(specifier, { type: 'builtin', name: builtinNameOf(resolution.specifier) });
    else out.set(specifier, resolution.type === 'empty' ? { type: 'local' } : { type: 'unresolved' });
  }
  return out;
};

export const generatePolicy = async (readPowers: ReadFnOrPowers, moduleLocation: string, options: GeneratePolicyOptions = {}): Promise<GeneratedPolicy> => {
  const powers: ReadPowers = typeof readPowers === 'function' ? { read: readPowers } : readPowers;
  const { includeRoot, modules, importHook, importNowHook, parserForLanguage, moduleTransforms, syncModuleTransforms, searchSuffixes, log, Compartment, sourceMapHook, ...mapOptions } = options;
  const map = await mapNodeModules(powers, moduleLocation, mapOptions);
  const capture = await captureModules(powers, map, {
    modules: { ...builtinPlaceholders(), ...modules },
    importHook,
    importNowHook,
    parserForLanguage,
    moduleTransforms,
    syncModuleTransforms,
    searchSuffixes,
    log,
    Compartment,
    sourceMapHook,
  });
  const infos: AnalyzedModuleInfo[] = [];
  for (const module of capture.modules) {
    if (!ANALYSED.has(module.language)) continue;
    const analysis: ModuleAnalysis = analyzeModule(decoder.decode(module.bytes), module.language as 'mjs' | 'cjs', module.location);
    infos.push({
      canonicalName: map.compartments[module.compartment]?.label ?? module.compartment,
      file: module.location,
      analysis,
      resolutions: resolutionsOf(map, module),
    });
  }
  return {
    policy: policyFromAnalyses(infos, { includeRoot: includeRoot ?? false }),
    dynamic: dynamicRequiresOf(infos),
    canonicalNames: Object.values(map.compartments).map(c => c.label).sort(),
    modules: capture.modules.length,
  };
};
