export { BUILTIN_LANGUAGES, parsersForPackage, type LanguageForExtension, type LanguageOptions } from './languages.js';
export { checkMapOptions, MAP_OPTION_NAMES, splitMapOptions, type MapNodeModulesOptions } from './map-options.js';
export { mapNodeModules } from './node-modules.js';
export { makeDescriptorReader, search, type DescriptorReader, type SearchResult } from './search.js';
