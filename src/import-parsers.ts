export { defaultParserForLanguage } from './compile/index.js';
