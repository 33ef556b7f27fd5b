export type {
  AsyncParseFunction,
  FixedExportMap,
  LiveExportMap,
  ModuleSourceRecord,
  ParseFunction,
  ParseOptions,
  ParseResult,
  ParserForLanguage,
  ParserImplementation,
  PrecompiledCjsRecord,
  PrecompiledModuleSource,
  ReexportMap,
  SesCompartmentLike,
  VirtualModuleSource,
} from './module-source.js';
export { checkPrecompiledCjs, checkPrecompiledModule, precompiledFields, readPrecompiledCjs, readPrecompiledModule, withoutSourceUrl } from './records.js';
export { parsePackageJson, type DependencyMap, type PackageDescriptor } from './package-json.js';
export { lineColumnOf } from './text.js';
export { dirnameOfPath, fileUrlOfPath, pathOfFileUrl } from './file-url.js';
export type {
  Language,
  LinkModuleDescriptor,
  PackageCompartmentDescriptor,
  PackageCompartmentMapDescriptor,
  PatternDescriptor,
  ScopeDescriptor,
} from './compartment-map.js';
export { markRequireReturnsDefault, requireValue } from './require-value.js';
export {
  archiveSpecifier,
  COMPARTMENT_MAP_NAME,
  isSafeArchivePath,
  readArchiveCompartmentMap,
  type ArchiveCompartment,
  type ArchiveCompartmentMap,
  type ArchiveErrorModule,
  type ArchiveExitModule,
  type ArchiveFileModule,
  type ArchiveLinkModule,
  type ArchiveModule,
} from './archive.js';
export { builtinNameOf, isNodeBuiltinName, nodeBuiltinNames } from './builtins.js';
export { commonJsNamespaceHasModuleExports } from './engine.js';
export { specNamespace, withSpecNamespaces } from './namespace.js';
export { evaluationOf, isEvaluatingAsync, registerEvaluation, requireAsyncModuleError, type ModuleEvaluationState } from './evaluating.js';
export { functorEvaluation, type EvaluatedInstance, type EvaluationWalk } from './module-evaluation.js';
export { GLOBAL_OBJECT_NAMES, LANGUAGE_GLOBALS } from './language-globals.js';
export {
  BUNDLE_FORMATS,
  decodeBase64,
  encodeBase64,
  DEFAULT_MAX_BUNDLE_FIELD_LENGTH,
  isBundleModuleFormat,
  validateBundle,
  type Bundle,
  type BundleLimits,
  type BundleModuleFormat,
  type EndoScriptBundle,
  type EndoZipBase64Bundle,
  type GetExportBundle,
  type NestedEvaluateBundle,
  type TestBundle,
} from './bundle.js';
