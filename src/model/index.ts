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
export { readPrecompiledCjs, readPrecompiledModule } from './records.js';
