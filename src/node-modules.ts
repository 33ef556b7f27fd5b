export { mapNodeModules, type MapNodeModulesOptions } from './discover/index.js';
