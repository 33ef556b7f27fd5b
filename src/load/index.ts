export { ModuleLoader } from './loader.js';
export type {
  CompartmentLookup,
  ExitProvider,
  LoadedModule,
  LoaderOptions,
  ModuleSourceHookEvent,
  ModuleTransform,
  SyncModuleTransform,
  TransformResult,
} from './options.js';
export { resolveSpecifier, type Resolution } from './resolve-specifier.js';
export { runAsync, runSync, type Loader, type ReadRequest } from './trampoline.js';
// The compile stage's pieces the stages after loading need (pack, unpack reach compile only through load).
export { compileCommonJs, compiledCommonJsOf, defaultParserForLanguage, type CompileCache } from '../compile/index.js';
