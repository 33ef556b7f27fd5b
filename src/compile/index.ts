export { compileCommonJs, exportsOfCommonJs, hasModuleSyntax, makeCommonJsModuleSource, type CommonJsEnvironment, type CompiledCommonJs } from './cjs.js';
export { cachingParsers, compiledCommonJsOf, defaultParserForLanguage, makeDefaultModuleSource, parseJsonText, precompile } from './languages.js';
export { compileModule, type CompileModuleOptions } from './mjs/compile.js';
export { literalDynamicImports } from './mjs/module-source.js';
export { ModuleSource, type ModuleSourceOptions } from './mjs/module-source.js';
export type { SourceMapObject } from './splice.js';
export { analyzeModule, LANGUAGE_GLOBALS, type DynamicLoad, type GlobalAccess as AnalyzedGlobalAccess, type ModuleAnalysis } from './analyze.js';
export { elideComments } from './elide-comments.js';
export { CACHE_ENTRY_FORMAT, type CompileCache } from './cache.js';
