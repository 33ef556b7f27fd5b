export { BUILTIN_LANGUAGES, parsersForPackage, type LanguageForExtension, type LanguageOptions } from './languages.js';
export { checkMapOptions, mapNodeModules, type MapNodeModulesOptions } from './node-modules.js';
export { makeDescriptorReader, search, type DescriptorReader, type SearchResult } from './search.js';
