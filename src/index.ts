export { CordonError, errorCodes, nodeShapedCodes, isCordonError, type ErrorCode, type ErrorDetails } from './diagnostics/index.js';
export { CACHE_ENTRY_FORMAT, compileCommonJs, defaultParserForLanguage, makeCommonJsModuleSource, ModuleSource, precompile, type CompileCache } from './compile/index.js';
export type * from './model/index.js';
export { mapNodeModules, search, type MapNodeModulesOptions, type SearchResult } from './discover/index.js';
export { makeMemoryPowers, type ReadNowPowers, type ReadPowers, type WritePowers } from './powers/index.js';
export { importFromMap, importLocation, loadFromMap, loadLocation, type Application, type ImportOptions, type LoadLocationOptions, type LoadOptions } from './run/index.js';
export { makeCompartmentError, makeExitModuleSource } from './endow/index.js';
export { captureFromMap, hashLocation, makeAndHashArchive, makeArchive, makeArchiveFromMap, mapLocation, writeArchive, type ArchiveLocationOptions, type ArchiveOptions } from './pack/index.js';
export { describeArchive, importArchive, loadArchive, parseArchive, type ArchiveApplication, type ArchiveDescription, type ParseArchiveOptions } from './unpack/index.js';
