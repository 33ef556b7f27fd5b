export { conditionsFor, type ImportKind } from './conditions.js';
export { expandPattern, exportsAsSubpathMap, patternKeyCompare, resolveExports, resolveImports, selectTarget, type Conditions, type ExportsTarget, type PackageContext } from './exports.js';
export {
  applyBrowser,
  browserExcludes,
  browserMainOf,
  browserPackageAlias,
  directoryMainCandidates,
  legacyMainCandidates,
  relativeCandidates,
  resolvePackageImport,
  resolvePackageSubpath,
  type PackageResolution,
} from './package.js';
export { joinRelative, normalizeModulePath, specifierKind, splitPackageSpecifier, type SpecifierKind } from './specifier.js';
